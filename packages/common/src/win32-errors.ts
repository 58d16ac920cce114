/**
 * The errors `@waitables/core` throws. Each class has a stable `code`.
 *
 * - {@link Win32Error}: the OS (or the Linux backend, which reports the same codes)
 *   refused a call. `code` is the Win32 error name, `errno` its number.
 * - {@link InvalidArgumentTypeError} / {@link ArgumentOutOfRangeError}: an argument was
 *   rejected before any call into the OS; the message names the argument path.
 * - {@link HandleClosedError}: a handle was used after `close()`.
 * - {@link NotSupportedError}: the call has no meaning on this platform.
 * - {@link NamespaceError}: the Linux backend's shared memory cannot be used.
 * @packageDocumentation
 */
import { win32ErrorMessage, win32ErrorName } from './error-codes.js';

/**
 * A Win32 function failed. Carries the error number, its name and the function, and
 * the pywin32 `pywintypes.error` fields (`winerror`, `funcname`, `strerror`).
 *
 * @example
 * ```ts
 * try { sem.release(5); } catch (e) {
 *   if (e instanceof Win32Error && e.code === 'ERROR_TOO_MANY_POSTS') { ... }
 * }
 * ```
 */
export class Win32Error extends Error {
  /** The Win32 error name, for example `'ERROR_TOO_MANY_POSTS'`. */
  readonly code: string;
  /** The Win32 error number, for example 298. */
  readonly errno: number;
  /** The Win32 function that failed, for example `'ReleaseSemaphore'`. */
  readonly syscall: string;

  /**
   * @param errno The Win32 error number.
   * @param syscall The Win32 function that failed.
   * @param situation What the library knows of the cause, in words (the name that belongs
   *   to another kind of object, the process id that does not exist...): appended to the
   *   message; `code`, `errno` and `strerror` stay the system's.
   */
  constructor(errno: number, syscall: string, situation?: string) {
    const code = win32ErrorName(errno);
    super(`${syscall} failed: ${code} (${errno}): ${win32ErrorMessage(errno)}${situation ? ` ${situation}` : ''}`);
    this.name = 'Win32Error';
    this.code = code;
    this.errno = errno;
    this.syscall = syscall;
  }

  /** pywintypes.error's `winerror`: the error number. */
  get winerror(): number {
    return this.errno;
  }
  /** pywintypes.error's `funcname`: the function that failed. */
  get funcname(): string {
    return this.syscall;
  }
  /** pywintypes.error's `strerror`: the system message. */
  get strerror(): string {
    return win32ErrorMessage(this.errno);
  }
  /** pywintypes.error's `args`: `[winerror, funcname, strerror]`. */
  get args(): [number, string, string] {
    return [this.errno, this.syscall, this.strerror];
  }
}

/** An argument has the wrong type. `code: 'ERR_INVALID_ARG_TYPE'`, as in Node.js. */
export class InvalidArgumentTypeError extends TypeError {
  /** Always `'ERR_INVALID_ARG_TYPE'`, Node's code for the same mistake. */
  readonly code = 'ERR_INVALID_ARG_TYPE';
  constructor(argument: string, expected: string, actual: unknown) {
    super(`${argument} must be ${expected}; received ${describe(actual)}`);
    this.name = 'TypeError';
  }
}

/** An argument is out of its range or otherwise invalid. `code: 'ERR_OUT_OF_RANGE'`. */
export class ArgumentOutOfRangeError extends RangeError {
  /** Always `'ERR_OUT_OF_RANGE'`, Node's code for the same mistake. */
  readonly code = 'ERR_OUT_OF_RANGE';
  constructor(argument: string, expected: string, actual: unknown) {
    super(`${argument} must be ${expected}; received ${describe(actual)}`);
    this.name = 'RangeError';
  }
}

/** A handle was used after it was closed. `code: 'ERR_HANDLE_CLOSED'`. */
export class HandleClosedError extends Error {
  /** Always `'ERR_HANDLE_CLOSED'`. */
  readonly code = 'ERR_HANDLE_CLOSED';
  constructor(what: string) {
    super(`${what} is closed`);
    this.name = 'HandleClosedError';
  }
}

/** The call is not supported on this platform. `code: 'ERR_NOT_SUPPORTED'`. */
export class NotSupportedError extends Error {
  /** Always `'ERR_NOT_SUPPORTED'`. */
  readonly code = 'ERR_NOT_SUPPORTED';
  constructor(message: string) {
    super(message);
    this.name = 'NotSupportedError';
  }
}

/**
 * The Linux backend's shared namespace cannot be used: another layout version, a
 * damaged region, a directory that is not private, or a full table.
 * `code: 'ERR_WAITABLES_NAMESPACE'`.
 */
export class NamespaceError extends Error {
  /**
   * `'ERR_WAITABLES_NAMESPACE'`; `'ERR_WAITABLES_NAMESPACE_BUSY'` for its subclass
   * {@link NamespaceBusyError}.
   */
  readonly code: string = 'ERR_WAITABLES_NAMESPACE';
  constructor(message: string) {
    super(message);
    this.name = 'NamespaceError';
  }
}

/**
 * The Linux namespace lock stayed held past a deadline by a thread that is alive (a
 * process stopped by SIGSTOP or a debugger, or one that is very slow):
 * `code: 'ERR_WAITABLES_NAMESPACE_BUSY'`, with the holder's pid, tid and /proc state
 * letter (`'T'`: stopped). Thrown by `inspectNamespace()`; waits with a timeout time out
 * instead.
 * @example
 * ```ts
 * try { inspectNamespace(); } catch (e) {
 *   if (e instanceof NamespaceBusyError) console.error(`pid ${e.holderPid} holds the namespace (${e.holderState})`);
 * }
 * ```
 */
export class NamespaceBusyError extends NamespaceError {
  /** Always `'ERR_WAITABLES_NAMESPACE_BUSY'`. */
  override readonly code: string = 'ERR_WAITABLES_NAMESPACE_BUSY';
  /**
   * @param holderPid The process holding the lock (0 if the lock word names no thread slot).
   * @param holderTid Its thread.
   * @param holderState Its state letter in /proc (`'T'`: stopped, `'t'`: stopped by a tracer), or null if it is gone.
   * @param waitedMs How long the caller waited for the lock.
   */
  constructor(
    readonly holderPid: number,
    readonly holderTid: number,
    readonly holderState: string | null,
    waitedMs: number,
  ) {
    const how = holderState === 'T' || holderState === 't' ? ', which is stopped (SIGSTOP or a debugger)' : '';
    super(
      `the namespace lock is held by pid ${holderPid} (thread ${holderTid})${how}: not free after ${waitedMs} ms; ` +
        'every process of this user waits for it until it resumes or ends',
    );
    this.name = 'NamespaceBusyError';
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return `an instance of ${value.constructor?.name ?? 'Object'}`;
}
