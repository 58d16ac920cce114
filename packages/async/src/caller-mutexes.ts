/**
 * Mutexes a wait thread acquired for the pool's own thread (Linux: a batch thread waits
 * with WaitThreadData.acquireFor, so the caller's thread owns what it takes), in their
 * two stages: granted to an awaiter but not yet a lock (the 'exit' hook releases these:
 * if the event loop never turns again, no holder ever will), and held through a lock
 * (closing the pool releases these through their locks).
 *
 * Lifetimes: a grant is counted from the report that carried it until its lock is made;
 * a lock is in `locks` from then until its release. Both are bounded by this thread's
 * awaiters of mutexes.
 */
import { type RawHandle, getBackend } from '@waitables/core';
import type { HeldMutex } from './held-mutex.js';

export class CallerMutexes {
  /** Locks a wait thread acquired for this thread that their holders still have. */
  readonly locks = new Set<HeldMutex>();
  /** Mutexes acquired for this thread and handed to an awaiter, not yet made into a lock: handle -> count. */
  readonly #granted = new Map<RawHandle, number>();

  /** A mutex acquired for this thread was handed to an awaiter. */
  granted(raw: RawHandle): void {
    this.#granted.set(raw, (this.#granted.get(raw) ?? 0) + 1);
  }

  /** A lock was made of a grant acquired for this thread: its holder has it now. */
  took(raw: RawHandle, lock: HeldMutex): void {
    this.locks.add(lock);
    const left = (this.#granted.get(raw) ?? 0) - 1;
    if (left > 0) this.#granted.set(raw, left);
    else this.#granted.delete(raw);
  }

  /**
   * The process is ending: mutexes granted whose lock never reached its holder (the event
   * loop did not turn again) are owned by this thread, which releases them now.
   */
  releaseGrantedSync(): void {
    for (const [raw, count] of this.#granted) {
      for (let i = 0; i < count; i++) {
        try {
          getBackend().releaseMutex(raw);
        } catch {
          break; // closed meanwhile
        }
      }
    }
    this.#granted.clear();
  }
}
