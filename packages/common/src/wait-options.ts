/** The options of every waiting method, checked as Node checks its own. */
import { ArgumentOutOfRangeError, InvalidArgumentTypeError } from './win32-errors.js';

/**
 * The options every awaited wait takes (`@waitables/async`, `@waitables/postgres`):
 * cancellation, a timeout, and whether it keeps the process alive. Checked before the
 * wait starts: a wrong type rejects with InvalidArgumentTypeError, a negative or NaN
 * `timeout` with ArgumentOutOfRangeError (each naming `options.<field>`). A signal
 * already aborted rejects with AbortError before the wait is queued or anything taken.
 * @example
 * ```ts
 * const options: WaitOptions = { signal: controller.signal, timeout: 5_000, ref: false };
 * await using lock = await mutex.acquire(options);
 * ```
 */
export interface WaitOptions {
  /** Aborts the wait: it rejects with AbortError (`cause`: the signal's reason). */
  readonly signal?: AbortSignal;
  /**
   * Milliseconds before the wait rejects with TimeoutError, from 0 (test without waiting)
   * to Number.MAX_SAFE_INTEGER, or Infinity. Default: none (Infinity).
   */
  readonly timeout?: number;
  /** Whether the pending wait keeps the process alive, as a timer does. Default: `true`. */
  readonly ref?: boolean;
}

/** {@link WaitOptions} after {@link checkWaitOptions}: every field present. */
export interface CheckedWaitOptions {
  /** The signal, if any. */
  readonly signal: AbortSignal | undefined;
  /** Milliseconds; Infinity when none was given. */
  readonly timeout: number;
  /** Whether the wait keeps the process alive. */
  readonly ref: boolean;
}

/**
 * Checks a waiting method's options as this package does (TypeError or RangeError
 * naming `path.field`) and fills in the defaults: for other engines that take the same
 * options, such as `@waitables/postgres`.
 * @example
 * ```ts
 * const { signal, timeout, ref } = checkWaitOptions(options); // timeout: Infinity when absent
 * ```
 */
export function checkWaitOptions(options: unknown, path = 'options'): CheckedWaitOptions {
  if (options === undefined) return { signal: undefined, timeout: Infinity, ref: true };
  if (options === null || typeof options !== 'object') throw new InvalidArgumentTypeError(path, 'an object', options);
  const { signal, timeout, ref } = options as Record<string, unknown>;
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw new InvalidArgumentTypeError(`${path}.signal`, 'an AbortSignal', signal);
  if (timeout !== undefined) {
    if (typeof timeout !== 'number') throw new InvalidArgumentTypeError(`${path}.timeout`, 'a number of milliseconds', timeout);
    // Longer than one Node timer allows is fine (timers are chained); beyond exact integers is not.
    if (Number.isNaN(timeout) || timeout < 0 || (timeout > Number.MAX_SAFE_INTEGER && timeout !== Infinity))
      throw new ArgumentOutOfRangeError(`${path}.timeout`, 'a number from 0 to Number.MAX_SAFE_INTEGER, or Infinity', timeout);
  }
  if (ref !== undefined && typeof ref !== 'boolean') throw new InvalidArgumentTypeError(`${path}.ref`, 'a boolean', ref);
  return {
    signal: signal,
    timeout: timeout ?? Infinity,
    ref: ref ?? true,
  };
}
