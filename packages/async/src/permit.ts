/** A unit of a semaphore, held until released. */
import { type Semaphore as CoreSemaphore, getBackend } from '@waitables/core';
import { waitPool } from './pool.js';
import { refuseCloning } from './uncloneable.js';

/**
 * One unit taken from a semaphore. `release()` gives it back: to the oldest local
 * awaiter directly if there is one (no system call), else to the semaphore. `using`
 * and `await using` release it at the end of the block. A second release does nothing.
 * It belongs to the thread that acquired it: `postMessage` or `structuredClone` of it
 * throws a DataCloneError.
 */
export class Permit implements Disposable, AsyncDisposable {
  #released = false;

  /** @internal */
  constructor(
    /** The `@waitables/core` semaphore the unit was taken from. */
    readonly semaphore: CoreSemaphore,
  ) {
    refuseCloning(this, 'a Permit cannot be cloned or sent to another thread or process: release it here and acquire the semaphore there');
  }

  /** Whether the unit was given back. */
  get released(): boolean {
    return this.#released;
  }

  /**
   * Gives the unit back: to the oldest awaiter of this process if one waits (and no
   * other process's waiter must have its turn first), else to the semaphore (a crash-safe
   * semaphore also takes it off this process's record). A second call does nothing.
   * Throws HandleClosedError if the semaphore was closed first (the unit is then
   * not given back).
   */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    const handOver = waitPool().takeLocalAwaiter(this.semaphore.handle);
    if (handOver) handOver({ abandoned: false, thread: null, at: performance.now() });
    else getBackend().releaseSemaphore(this.semaphore.handle, 1);
  }

  /** `using permit = await ...`: {@link release} at the end of the block. */
  [Symbol.dispose](): void {
    this.release();
  }

  /** `await using permit = await ...`: {@link release} at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    this.release();
    return Promise.resolve();
  }
}
