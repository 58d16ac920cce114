/**
 * Mutexes: owned by a thread, recursive, abandoned when the owner ends.
 */
import type { RawHandle } from './backend.js';
import { MUTEX_ALL_ACCESS } from './constants.js';
import { WaitHandle } from './handle.js';
import { getBackend } from './load-backend.js';
import { type OpenOptions, readFlag, readName, readOpenArgs } from './options.js';
import { validateObject, validateHandle } from './validate.js';

/**
 * The options of {@link Mutex.create}.
 * @example
 * ```ts
 * const options: MutexOptions = { name: 'Local\\device-lock', initialOwner: true };
 * using m = Mutex.create(options);
 * if (!m.existed) m.release(); // created owned: give it up when set up
 * ```
 */
export interface MutexOptions {
  /** A name shared across processes; absent or `''`: anonymous. */
  readonly name?: string | null;
  /** The creating thread owns it at once. Ignored when the name exists. Default: `false`. */
  readonly initialOwner?: boolean;
}

/**
 * A Win32 mutex. The thread that acquires it (by a wait) owns it; it may wait again
 * and must then release as many times. If the owning thread or process ends while it
 * owns it, the next waiter acquires it with the outcome `'abandoned'`.
 *
 * Fairness: unspecified on Windows; FIFO on Linux.
 * @example
 * ```ts
 * using m = Mutex.create({ name: 'Local\\device-lock' });
 * if (m.wait(5000) !== 'timeout') try { useDevice(); } finally { m.release(); }
 * ```
 */
export class Mutex extends WaitHandle {
  readonly kind = 'mutex';
  /** `create()` found a mutex of that name and opened it (initial ownership was not taken). */
  readonly existed: boolean;

  private constructor(raw: RawHandle, existed: boolean) {
    super(raw);
    this.existed = existed;
  }

  /** Creates a mutex, or opens the existing mutex of that name (then `existed` is true). */
  static create(options: MutexOptions = {}): Mutex {
    const opts = validateObject(options, 'options');
    const args = {
      name: readName(opts),
      initialOwner: readFlag(opts, 'initialOwner', false),
      access: MUTEX_ALL_ACCESS,
    };
    const { handle, existed } = getBackend().createMutex(args);
    return new Mutex(handle, existed);
  }

  /** Opens an existing named mutex; none of that name: Win32Error ERROR_FILE_NOT_FOUND. */
  static open(name: string, options: OpenOptions = {}): Mutex {
    const args = readOpenArgs(name, options, MUTEX_ALL_ACCESS);
    return new Mutex(getBackend().openMutex(args.name, args.access, args.inherit), false);
  }

  /** Adopts a raw mutex handle; the new object owns the handle (not the mutex). */
  static fromHandle(handle: RawHandle): Mutex {
    return new Mutex(validateHandle(handle, 'handle'), false);
  }

  /**
   * Releases one level of ownership (ReleaseMutex). Called by a thread that does not
   * own it: Win32Error ERROR_NOT_OWNER, and nothing changes.
   */
  release(): void {
    getBackend().releaseMutex(this.handle);
  }
}
