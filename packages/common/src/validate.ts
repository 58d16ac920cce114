/**
 * Argument checks, run before any call into the OS. Each throws a TypeError or
 * RangeError (with a Node-style `code`) that names the argument path.
 */
import { INFINITE, MAX_NAME_LENGTH, MAXIMUM_SEMAPHORE_COUNT } from './limits.js';
import { ArgumentOutOfRangeError, InvalidArgumentTypeError } from './win32-errors.js';

/**
 * A boolean option (`options.crashSafe`, `options.inherit`...). Returns it unchanged.
 * @throws InvalidArgumentTypeError (`ERR_INVALID_ARG_TYPE`) naming `path` if it is not a boolean.
 * @example
 * ```ts
 * const crashSafe = opts.crashSafe === undefined ? false : validateBoolean(opts.crashSafe, 'options.crashSafe');
 * ```
 */
export function validateBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new InvalidArgumentTypeError(path, 'a boolean', value);
  return value;
}

/**
 * An options object: anything of type `'object'` but `null` (arrays and class
 * instances pass). Returns it, typed as a record to read its fields from.
 * @throws InvalidArgumentTypeError (`ERR_INVALID_ARG_TYPE`) naming `path` otherwise.
 * @example
 * ```ts
 * const opts = validateObject(options, 'options');
 * ```
 */
export function validateObject(value: unknown, path: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object') throw new InvalidArgumentTypeError(path, 'an object', value);
  return value as Record<string, unknown>;
}

/** An integer in [min, max]. */
export function validateInteger(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number') throw new InvalidArgumentTypeError(path, 'a number', value);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ArgumentOutOfRangeError(path, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

/**
 * A raw handle to adopt (`fromHandle`): an integer (a bigint within the safe integers is
 * taken as its number). Negative values are Windows' pseudo-handles (-1: this process).
 * Whether it names an open object of the right kind is the OS's answer, at first use.
 */
export function validateHandle(value: unknown, path: string): number {
  if (typeof value === 'bigint' && value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) {
    return Number(value);
  }
  if (typeof value !== 'number' && typeof value !== 'bigint') throw new InvalidArgumentTypeError(path, 'a handle (an integer)', value);
  if (!Number.isSafeInteger(Number(value)) || typeof value === 'bigint') {
    throw new ArgumentOutOfRangeError(path, 'a handle (a safe integer)', value);
  }
  return value;
}

/**
 * A wait timeout in milliseconds: an integer from 0 to INFINITE (0xFFFFFFFF), or
 * `Infinity`, which means INFINITE.
 */
export function validateTimeout(value: unknown, path: string): number {
  if (value === Infinity) return INFINITE;
  if (typeof value !== 'number') throw new InvalidArgumentTypeError(path, 'a number of milliseconds', value);
  if (!Number.isInteger(value) || value < 0 || value > INFINITE) {
    throw new ArgumentOutOfRangeError(path, 'an integer from 0 to 4294967295 (INFINITE), or Infinity', value);
  }
  return value;
}

/** A semaphore count or release count, 0..2^31-1 or 1..2^31-1. */
export function validateCount(value: unknown, path: string, min: 0 | 1): number {
  return validateInteger(value, path, min, MAXIMUM_SEMAPHORE_COUNT);
}

/** An access mask, a 32-bit unsigned integer. */
export function validateAccess(value: unknown, path: string): number {
  return validateInteger(value, path, 0, 0xffffffff);
}

/**
 * An object name: a string without NUL of at most MAX_PATH (260) UTF-16 code units.
 * `null`, `undefined` and `''` mean an anonymous object and give `null`.
 */
export function validateName(value: unknown, path: string, { required = false } = {}): string | null {
  if (value === undefined || value === null || value === '') {
    if (required) throw new InvalidArgumentTypeError(path, 'a non-empty string', value);
    return null;
  }
  if (typeof value !== 'string') throw new InvalidArgumentTypeError(path, 'a string', value);
  if (value.includes('\0')) throw new ArgumentOutOfRangeError(path, 'a string without NUL characters', value);
  if (value.length > MAX_NAME_LENGTH) {
    throw new ArgumentOutOfRangeError(path, `at most ${MAX_NAME_LENGTH} characters long`, `a string of length ${value.length}`);
  }
  return value;
}
