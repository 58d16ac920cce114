/**
 * The errors of `@waitables/postgres`. Aborts and timeouts reject with
 * `@waitables/async`'s AbortError and TimeoutError, object errors are
 * `@waitables/core`'s Win32Error (ERROR_NOT_OWNER, ERROR_TOO_MANY_POSTS, ...), argument
 * errors its TypeError/RangeError classes; this file adds what only a database has.
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
  readonly code = 'ERR_WAITABLES_CLOSED';
  constructor() {
    super('The waitables database connection was closed');
    this.name = 'DatabaseClosedError';
  }
}
