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
import { SideConnection } from './side-connection.js';

export class Renewer {
  readonly #connection: SideConnection;

  constructor(
    readonly url: string,
    /** The quoted schema. */
    readonly s: string,
    readonly session: number,
  ) {
    this.#connection = new SideConnection(url, 'waitables-renewer');
  }

  /** True if renewed; false if the session no longer exists (it was ended by another process). */
  async renew(lease: number): Promise<boolean> {
    const client = await this.#connection.client();
    try {
      const { rows } = await client.query<{ ok: boolean }>({
        name: 'renew',
        text: `select ${this.s}.renew($1, $2) as ok`,
        values: [this.session, lease],
      });
      return rows[0]!.ok;
    } catch (error) {
      this.#connection.drop();
      throw error;
    }
  }

  close(): void {
    this.#connection.close();
  }
}
