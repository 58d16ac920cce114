/**
 * A connection of a session beside its main one (the renewer's, the watcher's): opened
 * on first use, its socket never keeps the process alive, dropped on any failure (the
 * next use opens another), destroyed when the session closes, which also ends a
 * statement blocked on it.
 */
import pg from 'pg';

export class SideConnection {
  #client: pg.Client | null = null;
  #connecting: Promise<pg.Client> | null = null;
  #closed = false;

  constructor(
    readonly url: string,
    /** Shown in pg_stat_activity. */
    readonly applicationName: string,
    /** Run once on each new connection before its first use (session settings). */
    readonly setUp: (client: pg.Client) => Promise<unknown> = () => Promise.resolve(),
  ) {}

  get closed(): boolean {
    return this.#closed;
  }

  /** The open connection, or a new one (one at a time). Rejects once closed. */
  client(): Promise<pg.Client> {
    if (this.#client) return Promise.resolve(this.#client);
    return (this.#connecting ??= this.#connect().finally(() => (this.#connecting = null)));
  }

  async #connect(): Promise<pg.Client> {
    if (this.#closed) throw new Error('the session is closed');
    const client = new pg.Client({ connectionString: this.url, application_name: this.applicationName, keepAlive: true });
    client.on('error', () => this.drop());
    await client.connect();
    socketOf(client)?.unref?.();
    await this.setUp(client);
    if (this.#closed) {
      socketOf(client)?.destroy?.();
      throw new Error('the session is closed');
    }
    this.#client = client;
    return client;
  }

  /** After a failure: the next use opens another connection. */
  drop(): void {
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
