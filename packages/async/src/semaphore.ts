/** Awaitable semaphores. */
import { type OpenOptions, type RawHandle, Semaphore as CoreSemaphore, type SemaphoreOptions, getBackend } from '@waitables/core';
import { checkWaitOptions, type WaitOptions } from './options.js';
import { Permit, type PermitLease } from './permit.js';
import { closeAwaited, waitPool } from './default-pool.js';
import { runHolding } from './run-holding.js';

/**
 * A semaphore shared across processes, awaitable without blocking the event loop.
 * 10,000 awaiters of one semaphore occupy one slot of one wait thread.
 *
 * Fairness: FIFO among this process's awaiters; between processes as the OS decides
 * (FIFO on Linux; the kernel's order on Windows). A permit released with local awaiters
 * goes to the oldest of them directly, without passing other processes: on Linux only
 * while no other process waits, on Windows in streaks of at most 16 handoffs and 20 ms
 * (then a release goes to the kernel, which serves its queue).
 * @example
 * ```ts
 * const slots = Semaphore.create({ name: 'Local\\gpu', initialCount: 2, maximumCount: 2 });
 * {
 *   using permit = await slots.acquire({ signal: AbortSignal.timeout(10_000) });
 *   // ... at most two of these run at once, across processes ...
 * }
 * ```
 */
export class Semaphore implements Disposable {
  private constructor(
    /** The `@waitables/core` semaphore underneath: its synchronous calls, `query()`, its handle. */
    readonly core: CoreSemaphore,
  ) {}

  /**
   * Creates a semaphore (`maximumCount` units at most, `initialCount` free; `crashSafe`:
   * the units of a process that dies come back), or opens the existing semaphore
   * of that name (then `existed` is true and the counts given here are ignored).
   * Synchronous: one system call (Linux: one namespace transaction), no wait.
   * @throws InvalidArgumentTypeError / ArgumentOutOfRangeError for options of the wrong
   * type or range, naming `options.<field>` (`initialCount` above `maximumCount`
   * included); Win32Error ERROR_INVALID_HANDLE if the name belongs to an object of
   * another kind.
   * @example
   * ```ts
   * using slots = Semaphore.create({ name: 'Local\\gpu', initialCount: 2, maximumCount: 2, crashSafe: true });
   * if (slots.existed) console.log('another process created it; its counts stand');
   * ```
   */
  static create(options: SemaphoreOptions): Semaphore {
    return new Semaphore(CoreSemaphore.create(options));
  }
  /** Opens an existing named semaphore; none of that name: Win32Error ERROR_FILE_NOT_FOUND. */
  static open(name: string, options?: OpenOptions): Semaphore {
    return new Semaphore(CoreSemaphore.open(name, options));
  }
  /** Wraps a `@waitables/core` semaphore (it stays owned by the caller). */
  static from(core: CoreSemaphore): Semaphore {
    return new Semaphore(core);
  }

  /** `create()` found a semaphore of that name and opened it. */
  get existed(): boolean {
    return this.core.existed;
  }

  /**
   * Resolves to a {@link Permit} holding one unit.
   *
   * Cancellation: this method uses a queue to distribute units in the order they were
   * requested; an abort or timeout makes you lose your place in the queue and rejects
   * with AbortError or TimeoutError. A unit the OS handed over at that moment is
   * released back to the semaphore: never kept, never lost.
   */
  acquire(options?: WaitOptions): Promise<Permit> {
    try {
      const checked = checkWaitOptions(options);
      return waitPool()
        .acquire(this.core, checked)
        .then(() => this.#permit());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** A permit if a unit is free now and no local awaiter is ahead; `null` otherwise. Never waits. */
  tryAcquire(): Permit | null {
    if (waitPool().localAwaiters(this.core.handle) > 0) return null;
    return this.core.wait(0) === 'timeout' ? null : this.#permit();
  }

  /**
   * Runs `fn` holding one unit (as p-limit's `limit(fn)`): acquires with `options`,
   * calls `fn(permit)` and releases the unit once `fn`'s result settles, returned or
   * thrown. Resolves with `fn`'s result; rejects with its error, or with the acquire's.
   *
   * Cancellation: `signal` and `timeout` bound the wait for a unit only, as
   * {@link Semaphore.acquire}'s (an abort while queued loses the place and `fn` never
   * runs). Once `fn` has started, an abort does not interrupt it: pass the signal to
   * `fn` yourself if it can stop early. The unit is released however `fn` ends.
   * @example
   * ```ts
   * const encoders = Semaphore.create({ name: 'Local\\encoders', initialCount: 2, maximumCount: 2 });
   * const sizes = await Promise.all(files.map((file) => encoders.run(() => encode(file), { signal })));
   * ```
   */
  run<T>(fn: (permit: Permit) => T | PromiseLike<T>, options?: WaitOptions): Promise<Awaited<T>> {
    return runHolding(() => this.acquire(options), fn);
  }

  /** Adds units directly (ReleaseSemaphore): for units not held as permits. Returns the count before. */
  release(count = 1): number {
    return this.core.release(count);
  }

  /**
   * Closes the handle. Waits of this process still pending on it reject with
   * ObjectClosedError; what a wait thread acquired for them at that moment is given back.
   * Permits still held keep working: a second handle to the semaphore stays open until
   * the last of them is released, so their units go back (none is lost for the other
   * openers of a named semaphore).
   */
  close(): void {
    if (this.core.closed) return;
    if (this.#held > 0) this.#keptForPermits = this.core.duplicateHandle();
    closeAwaited(this.core);
  }

  /** Permits of this semaphore not yet released. */
  #held = 0;
  /** A handle kept open for them after close(), closed with the last one's release. */
  #keptForPermits: RawHandle | null = null;
  readonly #lease: PermitLease = {
    handle: () => this.#keptForPermits ?? this.core.handle,
    returned: () => {
      if (--this.#held > 0 || this.#keptForPermits === null) return;
      const kept = this.#keptForPermits;
      this.#keptForPermits = null;
      getBackend().closeHandle(kept);
    },
  };

  #permit(): Permit {
    this.#held++;
    return new Permit(this.core, this.#lease);
  }

  /** `using slots = ...`: closes it at the end of the block. */
  [Symbol.dispose](): void {
    this.close();
  }
}
