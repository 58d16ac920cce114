/**
 * Semaphores: a count from 0 to a maximum; a wait takes one unit.
 */
import type { RawHandle, SemaphoreState } from './backend.js';
import { SEMAPHORE_ALL_ACCESS } from './constants.js';
import { ArgumentOutOfRangeError } from './errors.js';
import { WaitHandle } from './handle.js';
import { getBackend } from './load-backend.js';
import { type OpenOptions, readName, readOpenArgs } from './options.js';
import { validateBoolean, validateCount, validateObject, validateHandle } from './validate.js';

/**
 * The options of {@link Semaphore.create}. The counts and `crashSafe` apply when the
 * semaphore is new; opening an existing one ignores the counts (`crashSafe` still
 * applies, see below). Checked before any call into the OS: a wrong type is
 * InvalidArgumentTypeError, a count out of range (or `initialCount` above
 * `maximumCount`) ArgumentOutOfRangeError, each naming `options.<field>`.
 * @example
 * ```ts
 * const options: SemaphoreOptions = { name: 'Local\\gpu-slots', initialCount: 2, maximumCount: 2, crashSafe: true };
 * using slots = Semaphore.create(options);
 * ```
 */
export interface SemaphoreOptions {
  /** A name shared across processes; absent or `''`: anonymous. */
  readonly name?: string | null;
  /** Units available at creation, 0..maximumCount. Default: 0. */
  readonly initialCount?: number;
  /** Most units it can hold, 1..2^31-1. */
  readonly maximumCount: number;
  /**
   * Crash-safe permits: each process's units are recorded as it takes them, and the
   * units of a process that dies without releasing them go back to the semaphore as soon
   * as its death is seen, as System V's SEM_UNDO does. A release takes the caller's record
   * down first; units released beyond what the caller holds are a plain ReleaseSemaphore.
   * Asked of an existing plain semaphore, it makes it crash-safe from then on, for every
   * opener (units held before are not recorded). Linux records in the namespace (every
   * change is a transaction: no fast path); Windows in a ledger beside the kernel's
   * semaphore, taken with the unit in one wait-all (a blocked waiter looks for dead
   * holders every 20 ms). Every taker must use this library. See
   * packages/core/docs/crash-safe-semaphores.md. Default: false.
   */
  readonly crashSafe?: boolean;
}

/**
 * A Win32 semaphore.
 *
 * Fairness: unspecified on Windows; FIFO on Linux.
 * @example
 * ```ts
 * using slots = Semaphore.create({ name: 'Local\\gpu-slots', initialCount: 2, maximumCount: 2 });
 * slots.wait();
 * try { work(); } finally { slots.release(); }
 * ```
 */
export class Semaphore extends WaitHandle {
  readonly kind = 'semaphore';
  /** `create()` found a semaphore of that name and opened it (its counts were ignored). */
  readonly existed: boolean;

  private constructor(raw: RawHandle, existed: boolean) {
    super(raw);
    this.existed = existed;
  }

  /**
   * Creates a semaphore, or opens the existing semaphore of that name (then `existed`
   * is true and the counts given here are ignored).
   * @throws InvalidArgumentTypeError / ArgumentOutOfRangeError for options of the wrong
   * type or range (see {@link SemaphoreOptions}); Win32Error ERROR_INVALID_HANDLE if the
   * name belongs to an object of another kind.
   */
  static create(options: SemaphoreOptions): Semaphore {
    const opts = validateObject(options, 'options');
    const maximumCount = validateCount(opts.maximumCount, 'options.maximumCount', 1);
    const initialCount = opts.initialCount === undefined ? 0 : validateCount(opts.initialCount, 'options.initialCount', 0);
    if (initialCount > maximumCount) {
      throw new ArgumentOutOfRangeError('options.initialCount', `at most options.maximumCount (${maximumCount})`, initialCount);
    }
    const name = readName(opts);
    const crashSafe = opts.crashSafe === undefined ? false : validateBoolean(opts.crashSafe, 'options.crashSafe');
    const { handle, existed } = getBackend().createSemaphore({ name, initialCount, maximumCount, access: SEMAPHORE_ALL_ACCESS, crashSafe });
    return new Semaphore(handle, existed);
  }

  /** Opens an existing named semaphore; none of that name: Win32Error ERROR_FILE_NOT_FOUND. */
  static open(name: string, options: OpenOptions = {}): Semaphore {
    const args = readOpenArgs(name, options, SEMAPHORE_ALL_ACCESS);
    return new Semaphore(getBackend().openSemaphore(args.name, args.access, args.inherit), false);
  }

  /** Adopts a raw semaphore handle; the new object owns it. */
  static fromHandle(handle: RawHandle): Semaphore {
    return new Semaphore(validateHandle(handle, 'handle'), false);
  }

  /**
   * The current count and the maximum (NtQuerySemaphore; the handle needs
   * SEMAPHORE_QUERY_STATE), whether it is crash-safe, the units given back from dead
   * holders, and the units this process holds by its record.
   */
  query(): SemaphoreState {
    return getBackend().querySemaphore(this.handle);
  }

  /**
   * Adds `count` units (ReleaseSemaphore) and returns the count before. If that would
   * pass the maximum: Win32Error ERROR_TOO_MANY_POSTS and the count is unchanged.
   */
  release(count = 1): number {
    return getBackend().releaseSemaphore(this.handle, validateCount(count, 'count', 1));
  }
}
