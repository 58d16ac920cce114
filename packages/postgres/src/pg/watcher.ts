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
import pg from 'pg';

/** How long one watch statement blocks before it looks at the holders again (ms). */
const TURN = 250;

export class Watcher {
  #client: pg.Client | null = null;
  #running = false;
  #again = false;
  #closed = false;
  #turn = 0;

  constructor(
    readonly url: string,
    /** The quoted schema. */
    readonly s: string,
    readonly session: number,
  ) {}

  /** A wait was queued: watch its holders (a no-op while already watching). */
  poke(): void {
    this.#again = true;
    if (this.#running || this.#closed) return;
    this.#running = true;
    this.#loop()
      .catch(() => this.#drop())
      .finally(() => (this.#running = false));
  }

  async #loop(): Promise<void> {
    while (!this.#closed) {
      this.#again = false;
      const client = this.#client ?? (await this.#connect());
      const { rows } = await client.query<{ n: number }>({
        name: 'watch',
        text: `select ${this.s}.watch($1, $2) as n`,
        values: [this.session, this.#turn++],
      });
      if (rows[0]!.n === -1 && !this.#again) return;
    }
  }

  async #connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'waitables-watcher' });
    client.on('error', () => this.#drop());
    await client.connect();
    socketOf(client)?.unref?.();
    await client.query(`set lock_timeout = ${TURN}`);
    if (this.#closed) {
      await client.end().catch(() => undefined);
      throw new Error('closed');
    }
    this.#client = client;
    return client;
  }

  #drop(): void {
    const client = this.#client;
    this.#client = null;
    client?.end().catch(() => undefined);
  }

  /** Closes the connection (a blocked statement ends with it). */
  close(): void {
    this.#closed = true;
    const client = this.#client;
    this.#client = null;
    if (client) socketOf(client)?.destroy?.();
  }
}

function socketOf(client: pg.Client): { unref?(): void; destroy?(): void } | undefined {
  return (client as unknown as { connection?: { stream?: { unref?(): void; destroy?(): void } } }).connection?.stream;
}
