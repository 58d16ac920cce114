/**
 * The renewals of a session's lease, on a connection of their own: the session's main
 * connection runs one statement after another, and a transition that waits in the
 * server (for an object's row held by the user's own transaction, for the schema lock)
 * must never hold a renewal back until the lease runs out.
 *
 * The server accepts a renewal from another backend only while the session's own
 * backend lives (`renew()` in `protocol.ts` probes its session lock), so a renewal never
 * keeps alive a session whose connection is gone.
 *
 * Lifetime: opened at the first renewal, closed with the session. A failure drops the
 * connection (the next renewal opens another); the renewal reports the failure, and the
 * session's deadline (`session.ts`) decides when that means the session is lost.
 */
import pg from 'pg';

export class Renewer {
  #client: pg.Client | null = null;
  #connecting: Promise<pg.Client> | null = null;
  #closed = false;

  constructor(
    readonly url: string,
    /** The quoted schema. */
    readonly s: string,
    readonly session: number,
  ) {}

  /** True if renewed; false if the session no longer exists (it was ended by another process). */
  async renew(lease: number): Promise<boolean> {
    const client = this.#client ?? (await (this.#connecting ??= this.#connect().finally(() => (this.#connecting = null))));
    try {
      const { rows } = await client.query<{ ok: boolean }>({
        name: 'renew',
        text: `select ${this.s}.renew($1, $2) as ok`,
        values: [this.session, lease],
      });
      return rows[0]!.ok;
    } catch (error) {
      this.#drop();
      throw error;
    }
  }

  async #connect(): Promise<pg.Client> {
    if (this.#closed) throw new Error('the session is closed');
    const client = new pg.Client({ connectionString: this.url, application_name: 'waitables-renewer', keepAlive: true });
    client.on('error', () => this.#drop());
    await client.connect();
    // Never what keeps the process alive.
    socketOf(client)?.unref?.();
    if (this.#closed) {
      socketOf(client)?.destroy?.();
      throw new Error('the session is closed');
    }
    this.#client = client;
    return client;
  }

  #drop(): void {
    const client = this.#client;
    this.#client = null;
    client?.end().catch(() => undefined);
  }

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
