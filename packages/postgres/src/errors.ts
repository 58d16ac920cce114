/**
 * The errors of `@waitables/postgres`. Aborts and timeouts reject with
 * the AbortError and TimeoutError of `@waitables/common` (the classes `@waitables/async`
 * exports), object errors are its Win32Error (ERROR_NOT_OWNER, ERROR_TOO_MANY_POSTS, ...),
 * argument errors its TypeError/RangeError classes; this file adds what only a database has.
 */

/**
 * The session (the process's connection to the database) ended while the operation
 * needed it: the connection was cut, the server restarted, or the lease could not be
 * renewed in time. Pending waits reject with it; the next operation opens a new session.
 * `code: 'ERR_WAITABLES_SESSION_LOST'`, `cause`: what ended it.
 * @example
 * ```ts
 * try { await jobs.acquire(); } catch (e) {
 *   if (e instanceof SessionLostError) return retryLater(); // the next call reconnects
 * }
 * ```
 */
export class SessionLostError extends Error {
  /** Always `'ERR_WAITABLES_SESSION_LOST'`. */
  readonly code = 'ERR_WAITABLES_SESSION_LOST';
  constructor(options?: { cause?: unknown }) {
    super('The database session ended; locks and units it held were lost', options);
    this.name = 'SessionLostError';
  }
}

/**
 * The database was closed with `db.close()` while the operation was pending or after it.
 * `code: 'ERR_WAITABLES_CLOSED'`.
 * @example
 * ```ts
 * const pending = ready.wait();
 * await db.close(); // pending rejects with DatabaseClosedError
 * ```
 */
export class DatabaseClosedError extends Error {
  /** Always `'ERR_WAITABLES_CLOSED'`. */
  readonly code = 'ERR_WAITABLES_CLOSED';
  constructor() {
    super('The waitables database connection was closed');
    this.name = 'DatabaseClosedError';
  }
}

/**
 * `connect()` found that the connection does not keep a session: statements of one
 * client connection ran on different server connections, as behind a pooler in
 * transaction or statement mode (PgBouncer's `pool_mode = transaction`, the default in
 * front of many managed PostgreSQL services). The objects need a session of their own
 * (its advisory lock is the proof of life, LISTEN receives the wake-ups), so the package
 * refuses rather than share one with other clients. Connect directly to PostgreSQL, or
 * through a pool in session mode. `code: 'ERR_WAITABLES_NO_SESSION'`; `evidence` says
 * what was seen.
 * @example
 * ```ts
 * await connect(process.env.DATABASE_URL!).catch((e) => {
 *   if (e instanceof SessionPoolingError) console.error('use the direct or session-pooled URL:', e.evidence);
 *   throw e;
 * });
 * ```
 */
export class SessionPoolingError extends Error {
  /** Always `'ERR_WAITABLES_NO_SESSION'`. */
  readonly code = 'ERR_WAITABLES_NO_SESSION';
  /** @param evidence What was seen: which server connections ran our statements, or what the pooler refused. */
  constructor(
    /** What was seen: which server connections ran our statements, or what the pooler refused. */
    readonly evidence: string,
  ) {
    super(
      `The connection does not keep a session (${evidence}): a pooler in transaction or statement mode is in between. ` +
        '@waitables/postgres needs a session per connection: connect directly to PostgreSQL, or through a pool in session mode ' +
        '(PgBouncer: pool_mode = session, often another port or URL of the same service)',
    );
    this.name = 'SessionPoolingError';
  }
}
