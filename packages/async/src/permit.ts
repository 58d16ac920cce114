/** A unit of a semaphore, held until released. */
import { type RawHandle, type Semaphore as CoreSemaphore, getBackend } from '@waitables/core';
import { RELEASED } from './held-mutex.js';
import { waitPool } from './default-pool.js';
import { refuseCloning } from './uncloneable.js';

/**
 * @internal How the permits of one `@waitables/async` Semaphore reach it: a handle that
 * stays open while any of them is held (its close() keeps one until the last is released).
 */
export interface PermitLease {
  /** The handle to give the unit back through. */
  handle(): RawHandle;
  /** The permit gave its unit back. */
  returned(): void;
}

/**
 * One unit taken from a semaphore. `release()` gives it back: to the oldest local
 * awaiter directly if there is one (no system call), else to the semaphore. `using`
 * and `await using` release it at the end of the block. A second release does nothing.
 * It belongs to the thread that acquired it: `postMessage` or `structuredClone` of it
 * throws a DataCloneError.
 */
export class Permit implements Disposable, AsyncDisposable {
  #released = false;
  readonly #lease: PermitLease | null;

  /** The `@waitables/core` semaphore the unit was taken from. */
  declare readonly semaphore: CoreSemaphore;

  /** @internal */
  constructor(semaphore: CoreSemaphore, lease: PermitLease | null = null) {
    refuseCloning(this, 'a Permit cannot be cloned or sent to another thread or process: release it here and acquire the semaphore there'); // first: before any own property
    this.semaphore = semaphore;
    this.#lease = lease;
  }

  /** Whether the unit was given back. */
  get released(): boolean {
    return this.#released;
  }

  /**
   * Gives the unit back: to the oldest awaiter of this process if one waits (and no
   * other process's waiter must have its turn first), else to the semaphore (a crash-safe
   * semaphore also takes it off this process's record). It is done when the call
   * returns: the promise is already resolved (the shape of `@waitables/postgres`, where a
   * release is a transaction, so that code runs on either engine). An error of the OS
   * (ERROR_TOO_MANY_POSTS if others released units they did not take) is thrown, not
   * returned. A second call does nothing. A permit of a `@waitables/async` Semaphore
   * closed meanwhile still gives its unit back (the semaphore kept a handle for it).
   */
  release(): Promise<void> {
    if (this.#released) return RELEASED;
    this.#released = true;
    const raw = this.#lease?.handle() ?? this.semaphore.handle;
    try {
      const handOver = waitPool().takeLocalAwaiter(raw);
      if (handOver) handOver({ abandoned: false, thread: null, at: performance.now() });
      else getBackend().releaseSemaphore(raw, 1);
    } finally {
      this.#lease?.returned();
    }
    return RELEASED;
  }

  /** `using permit = await ...`: {@link release} at the end of the block. */
  [Symbol.dispose](): void {
    void this.release();
  }

  /** `await using permit = await ...`: {@link release} at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}
