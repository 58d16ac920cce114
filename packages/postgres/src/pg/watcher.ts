/**
 * The watcher of a session: a second connection, opened the first time a wait of the
 * session is queued, that blocks in the server on the session lock of a holder the wait
 * is queued behind (`watch()` in `protocol.ts`). The holder's backend ends when its
 * process dies or its connection is cut; its lock goes with it, the watcher's statement
 * returns at once and has already ended that session, so the waiters get its objects
 * within milliseconds instead of at the next reap.
 *
 * Each statement blocks at most `TURN` ms, then the next one looks again (the holders
 * change as objects are handed over, and a semaphore has several, watched in turns).
 * It stops when no queued wait of the session waits behind anyone, and starts again at
 * the next queued wait.
 *
 * Lifetime: the connection lives until the session closes or is lost. Its socket never
 * keeps the process alive. A failure of the watcher ends nothing: the connection is
 * dropped, the periodic reaper (the lease's backstop) still runs, and the next queued
 * wait opens a new one.
 */
import { SideConnection } from './side-connection.js';

/** How long one watch statement blocks before it looks at the holders again (ms). */
const TURN = 250;

export class Watcher {
  readonly #connection: SideConnection;
  #running = false;
  #again = false;
  #turn = 0;

  constructor(
    readonly url: string,
    /** The quoted schema. */
    readonly s: string,
    readonly session: number,
  ) {
    this.#connection = new SideConnection(url, 'waitables-watcher', (client) => client.query(`set lock_timeout = ${TURN}`));
  }

  /** A wait was queued: watch its holders (a no-op while already watching). */
  poke(): void {
    this.#again = true;
    if (this.#running || this.#connection.closed) return;
    this.#running = true;
    this.#loop()
      .catch(() => this.#connection.drop())
      .finally(() => (this.#running = false));
  }

  async #loop(): Promise<void> {
    while (!this.#connection.closed) {
      this.#again = false;
      const client = await this.#connection.client();
      const { rows } = await client.query<{ n: number }>({
        name: 'watch',
        text: `select ${this.s}.watch($1, $2) as n`,
        values: [this.session, this.#turn++],
      });
      if (rows[0]!.n === -1 && !this.#again) return;
    }
  }

  /** Closes the connection (a blocked statement ends with it). */
  close(): void {
    this.#connection.close();
  }
}
