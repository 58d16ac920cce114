/**
 * Whether a connection keeps a session, checked at `connect()` before anything is
 * written: behind a pooler in transaction or statement mode (PgBouncer), each statement
 * may run on another server connection, shared with other clients; the session's
 * advisory lock, its LISTEN and its proof of life would then belong to nobody in
 * particular, and the reaper could end another client's server connection.
 *
 * - Direct: the server sees our own socket (its `inet_client_port()` is our local port):
 *   a session, nothing more to check.
 * - Otherwise (a pooler, or a Unix socket): a second connection opens a transaction,
 *   which pins it to a server connection. If that is the server connection our first
 *   statement ran on, or if our next statement runs on another one, the pooler does not
 *   keep our session. (PgBouncer reuses its most recently released server connection
 *   first, so a transaction-mode pool shows itself at once; a pool in statement mode
 *   refuses the transaction, which says the same.) In session mode, or direct, both
 *   always differ and stay.
 */
import pg from 'pg';
import { SessionPoolingError } from '../errors.js';

export async function checkSession(client: pg.Client, url: string): Promise<void> {
  const first = await backendOf(client);
  const local = (client as unknown as { connection?: { stream?: { localPort?: number } } }).connection?.stream?.localPort;
  if (first.port !== null && first.port === local) return;
  const probe = new pg.Client({ connectionString: url, application_name: 'waitables-check' });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    try {
      await probe.query('begin');
    } catch (error) {
      throw new SessionPoolingError(`a transaction was refused (${(error as Error).message})`);
    }
    const other = await backendOf(probe);
    if (other.pid === first.pid) {
      throw new SessionPoolingError(`another client was given our server connection (backend ${first.pid}) while we were connected`);
    }
    const again = await backendOf(client);
    if (again.pid !== first.pid) {
      throw new SessionPoolingError(`two statements ran on two server connections (backends ${first.pid} and ${again.pid})`);
    }
    await probe.query('rollback');
  } finally {
    await probe.end().catch(() => undefined);
  }
}

async function backendOf(client: pg.Client): Promise<{ pid: number; port: number | null }> {
  const { rows } = await client.query<{ pid: number; port: number | null }>('select pg_backend_pid() as pid, inet_client_port() as port');
  return rows[0]!;
}
