/** Awaitable mutexes. */
import { Mutex as CoreMutex, type MutexOptions, type OpenOptions, type RawHandle, getBackend } from '@waitables/core';
import { type Lock, MutexGroup } from './lock.js';
import { checkWaitOptions, type WaitOptions } from './options.js';
import { waitPool } from './default-pool.js';
import { runHolding } from './run-holding.js';

// One group per mutex object in this thread: handles to the same mutex share it.
const groups = new Map<RawHandle, MutexGroup>();

function groupOf(mutex: CoreMutex): MutexGroup {
  const raw = mutex.handle;
  const known = groups.get(raw);
  if (known && !known.mutex.closed) return known;
  const backend = getBackend();
  for (const group of new Set(groups.values())) {
    if (!group.mutex.closed && backend.sameObject(group.raw, raw)) {
      groups.set(raw, group);
      return group;
    }
  }
  const group = new MutexGroup(waitPool(), mutex, (g) => {
    for (const [key, value] of groups) if (value === g) groups.delete(key);
  });
  groups.set(raw, group);
  return group;
}

/**
 * A mutex shared across processes, awaitable without blocking the event loop.
 *
 * Fairness: FIFO among this process's awaiters; between processes as the OS decides
 * (FIFO on Linux; the kernel's order on Windows). A lock released with local awaiters
 * goes to the oldest of them without a system call, without passing other processes:
 * on Linux only while no other process waits, on Windows in streaks of at most 16
 * handoffs and 20 ms (then the mutex is released to the kernel, which serves its queue).
 * @example
 * ```ts
 * const m = Mutex.create({ name: 'Local\\device' });
 * {
 *   await using lock = await m.acquire({ timeout: 5000 });
 *   if (lock.abandoned) console.warn('the previous holder died while holding it');
 *   // ... use the device ...
 * }
 * ```
 */
export class Mutex implements Disposable {
  /**
   * The lock of `create({ initialOwner: true })` when it created the mutex (this thread
   * owns it from the start): release it like any lock. `null` otherwise.
   */
  readonly initialLock: Lock | null = null;

  private constructor(
    /** The `@waitables/core` mutex underneath: its synchronous calls, its handle. */
    readonly core: CoreMutex,
  ) {}

  /**
   * Creates (or opens) a named or anonymous mutex. With `initialOwner: true` and a new
   * mutex, the ownership is {@link Mutex.initialLock}, so that later acquires of this
   * process wait for its release.
   */
  static create(options?: MutexOptions): Mutex {
    const mutex = new Mutex(CoreMutex.create(options));
    if (options?.initialOwner === true && !mutex.core.existed) {
      (mutex as { initialLock: Lock | null }).initialLock = groupOf(mutex.core).adopt();
    }
    return mutex;
  }
  /** Opens an existing named mutex; none of that name: Win32Error ERROR_FILE_NOT_FOUND. */
  static open(name: string, options?: OpenOptions): Mutex {
    return new Mutex(CoreMutex.open(name, options));
  }
  /** Wraps a `@waitables/core` mutex (it stays owned by the caller). */
  static from(core: CoreMutex): Mutex {
    return new Mutex(core);
  }

  /** `create()` found a mutex of that name and opened it. */
  get existed(): boolean {
    return this.core.existed;
  }

  /**
   * Resolves to a {@link Lock} once this process's awaiter is the owner: one owner per
   * acquire(), even within one process. If the previous owner ended while owning it, the
   * lock says `abandoned: true`.
   *
   * Cancellation: an abort or timeout takes the awaiter out of the queue (it loses its
   * place) and rejects with AbortError or TimeoutError. If the OS granted the mutex at
   * that moment, it is released again on the thread that owns it: never kept, never lost.
   */
  acquire(options?: WaitOptions): Promise<Lock> {
    try {
      return groupOf(this.core).acquire(checkWaitOptions(options));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The lock if the mutex is free and no local awaiter is ahead; `null` otherwise. Never waits. */
  tryAcquire(): Lock | null {
    return groupOf(this.core).tryAcquire();
  }

  /**
   * Runs `fn` holding the mutex (as async-mutex's `runExclusive`): acquires with
   * `options`, calls `fn(lock)` (`lock.abandoned` says whether the previous owner died
   * holding it) and releases once `fn`'s result settles, returned or thrown. Resolves
   * with `fn`'s result; rejects with its error, or with the acquire's.
   *
   * Cancellation: `signal` and `timeout` bound the wait for the mutex only, as
   * {@link Mutex.acquire}'s (an abort while queued loses the place and `fn` never runs).
   * Once `fn` has started, an abort does not interrupt it: pass the signal to `fn`
   * yourself if it can stop early. The mutex is released however `fn` ends.
   * @example
   * ```ts
   * const device = Mutex.create({ name: 'Local\\device' });
   * const reading = await device.runExclusive(async (lock) => {
   *   if (lock.abandoned) console.warn('the previous holder died while holding the device');
   *   return 42; // ... talk to the device ...
   * }, { timeout: 5_000 });
   * ```
   */
  runExclusive<T>(fn: (lock: Lock) => T | PromiseLike<T>, options?: WaitOptions): Promise<Awaited<T>> {
    return runHolding(() => this.acquire(options), fn);
  }

  /**
   * Closes the handle. Acquires of this process still pending on it reject with
   * ObjectClosedError (a mutex a wait thread acquired for them is released). A lock
   * still held keeps the handle open until it is released.
   */
  close(): void {
    if (this.core.closed) return;
    const group = groups.get(this.core.handle);
    if (group && group.mutex === this.core) group.close();
    else this.core.close();
  }

  /** `using mutex = ...`: closes it at the end of the block. */
  [Symbol.dispose](): void {
    this.close();
  }
}
