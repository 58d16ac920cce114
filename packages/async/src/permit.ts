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
  constructor(readonly semaphore: CoreSemaphore) {
    refuseCloning(this, 'a Permit cannot be cloned or sent to another thread or process: release it here and acquire the semaphore there');
  }

  get released(): boolean {
    return this.#released;
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    const handOver = waitPool().takeLocalAwaiter(this.semaphore.handle);
    if (handOver) handOver({ abandoned: false, thread: null, at: performance.now() });
    else getBackend().releaseSemaphore(this.semaphore.handle, 1);
  }

  [Symbol.dispose](): void {
    this.release();
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.release();
    return Promise.resolve();
  }
}
