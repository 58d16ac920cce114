/**
 * The errors an awaited wait rejects with (`@waitables/async`, `@waitables/postgres`).
 * Errors of the objects themselves (Win32Error, argument errors) are in win32-errors.ts.
 */

/**
 * A wait was aborted through its AbortSignal. As Node's own: `name: 'AbortError'`,
 * `code: 'ABORT_ERR'`, `cause` is the signal's reason.
 */
export class AbortError extends Error {
  /** Always `'ABORT_ERR'`, as Node's own AbortError. */
  readonly code = 'ABORT_ERR';
  constructor(options?: { cause?: unknown }) {
    super('The operation was aborted', options);
    this.name = 'AbortError';
  }
}

/** A wait's `timeout` passed. `name: 'TimeoutError'`, `code: 'ERR_WAIT_TIMEOUT'`. */
export class TimeoutError extends Error {
  /** Always `'ERR_WAIT_TIMEOUT'`. */
  readonly code = 'ERR_WAIT_TIMEOUT';
  constructor(
    /** The wait's `timeout` option, in milliseconds, as the caller gave it. */
    readonly timeout: number,
  ) {
    super(`The wait timed out after ${timeout} ms`);
    this.name = 'TimeoutError';
  }
}

/** The wait pool was closed while the wait was pending. `code: 'ERR_WAIT_POOL_CLOSED'`. */
export class PoolClosedError extends Error {
  /** Always `'ERR_WAIT_POOL_CLOSED'`. */
  readonly code = 'ERR_WAIT_POOL_CLOSED';
  constructor() {
    super('The wait pool was closed');
    this.name = 'PoolClosedError';
  }
}

/**
 * A wait thread could not start or died: every wait it held rejects with this (a later
 * wait starts a fresh thread), and a mutex it owned for a lock is lost (the OS abandons
 * it). `cause` is the worker's error when there was one (for example a start-up failure).
 * `code: 'ERR_WAIT_THREAD_DIED'`.
 * @example
 * ```ts
 * try {
 *   await sem.acquire();
 * } catch (error) {
 *   if (error instanceof WaitThreadError) console.error('wait thread failed:', error.cause);
 * }
 * ```
 */
export class WaitThreadError extends Error {
  /** Always `'ERR_WAIT_THREAD_DIED'`. */
  readonly code = 'ERR_WAIT_THREAD_DIED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(options?.cause === undefined ? message : `${message}: ${describe(options.cause)}`, options);
    this.name = 'WaitThreadError';
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error)
    return (cause as { code?: unknown }).code ? `${String((cause as { code?: unknown }).code)}: ${cause.message}` : cause.message;
  return String(cause);
}

/**
 * The object was closed (through this package's `close()`) while the wait was pending.
 * Whatever the wait had acquired at that moment was given back first.
 * `name: 'ObjectClosedError'`, `code: 'ERR_WAIT_OBJECT_CLOSED'`.
 * @example
 * ```ts
 * const pending = sem.acquire();
 * sem.close();
 * await pending.catch((e) => e.code); // 'ERR_WAIT_OBJECT_CLOSED'
 * ```
 */
export class ObjectClosedError extends Error {
  /** Always `'ERR_WAIT_OBJECT_CLOSED'`. */
  readonly code = 'ERR_WAIT_OBJECT_CLOSED';
  constructor() {
    super('The object was closed while the wait was pending');
    this.name = 'ObjectClosedError';
  }
}
