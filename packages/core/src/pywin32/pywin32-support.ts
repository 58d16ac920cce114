/**
 * What the pywin32 compat modules (pywintypes, win32api, win32event, win32process)
 * share: the thread's last error as their calls leave it, and pywin32's argument
 * conversions. Internal: not a subpath of the package.
 */
import type { RawHandle } from '../backend.js';
import { INFINITE } from '../constants.js';
import { ERROR_SUCCESS } from '../error-codes.js';
import { InvalidArgumentTypeError, Win32Error } from '../errors.js';
import { WaitHandle } from '../handle.js';
import { validateInteger, validateTimeout } from '../validate.js';

/** A handle argument: a PyHANDLE or any object of this package, an integer, or null (pywin32's None). */
export type HandleArg = WaitHandle | number | null;

// The thread's last error as these calls left it (each worker thread has its own copy of
// this module, as each Windows thread has its own last error).
let lastError = ERROR_SUCCESS;

export function getLastError(): number {
  return lastError;
}

export function setLastError(code: number): void {
  lastError = code;
}

/** Runs a backend call, recording its error (if any) as the thread's last error. */
export function call<T>(body: () => T): T {
  try {
    return body();
  } catch (e) {
    if (e instanceof Win32Error) lastError = e.errno;
    throw e;
  }
}

/**
 * The handle value to pass on. As in pywin32, None and a closed handle are the value 0,
 * which the OS refuses with ERROR_INVALID_HANDLE (6) as {@link Win32Error}.
 */
export function rawOf(value: unknown, path: string): RawHandle {
  if (value === null) return 0;
  if (value instanceof WaitHandle) return value.closed ? 0 : value.handle;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw new InvalidArgumentTypeError(path, 'a PyHANDLE, an integer handle or null', value);
}

export function rawListOf(value: unknown, path: string): RawHandle[] {
  if (!Array.isArray(value)) throw new InvalidArgumentTypeError(path, 'a sequence of handles', value);
  // An index loop, not map(): map skips the holes of a sparse array, and a hole is not a handle.
  const raws: RawHandle[] = [];
  for (let i = 0; i < value.length; i++) raws.push(rawOf(value[i] as unknown, `${path}[${i}]`));
  return raws;
}

/**
 * A DWORD mask (access rights, flags): unsigned, or as JavaScript's bitwise operators
 * give it (`GENERIC_READ | GENERIC_WRITE` is negative there, positive in Python).
 */
export function dword(value: unknown, path: string): number {
  return validateInteger(value, path, -0x80000000, 0xffffffff) >>> 0;
}

/** BOOL arguments take booleans or Python-style ints. */
export function bool(value: unknown, path: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  throw new InvalidArgumentTypeError(path, 'a boolean or an integer', value);
}

/** DWORD milliseconds; -1 is INFINITE, as in pywin32. */
export function millis(value: unknown, path: string): number {
  return value === -1 ? INFINITE : validateTimeout(value, path);
}

export function noSecurity(value: unknown, path: string): void {
  if (value !== null && value !== undefined)
    throw new InvalidArgumentTypeError(path, 'null (security attributes are not supported)', value);
}
