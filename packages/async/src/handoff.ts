/**
 * Fairness across processes for the local handoff: a permit, lock or auto-reset signal
 * released while this process has awaiters of the object may go straight to the oldest
 * of them (no system call, no thread hop), but never at the cost of starving the
 * waiters of other processes.
 *
 * - Linux: the backend shows who waits. A handoff happens only while no thread of
 *   another process waits on the object; otherwise the release goes to the namespace,
 *   which hands it over in FIFO order of registration (this process's awaiters are
 *   represented there by their wait thread's registration).
 * - Windows: the kernel shows no waiters. Handoffs run in streaks of at most
 *   HANDOFF_STREAK releases and HANDOFF_SLICE_MS milliseconds; the release that ends a
 *   streak goes to the kernel, which serves its own queue (where this process's wait
 *   thread waits behind whoever came before its last wait).
 *
 * One streak record per object with local awaiters; it is dropped when a release finds
 * no local awaiter, when a streak ends, and when the pool's slot for the object goes.
 */
import { type RawHandle, getBackend } from '@waitables/core';

/** Most consecutive local handoffs of one object before a release goes to the kernel (Windows). */
export const HANDOFF_STREAK = 16;
/** Longest time a streak of local handoffs may last (Windows). */
export const HANDOFF_SLICE_MS = 20;

export class HandoffPolicy {
  readonly #streaks = new Map<RawHandle, { count: number; since: number }>();

  /** Whether a release of `raw` may go to a local awaiter now (called only when one waits). */
  allow(raw: RawHandle): boolean {
    const other = getBackend().waitedByOtherProcess(raw);
    if (other !== null) return !other;
    const now = performance.now();
    const streak = this.#streaks.get(raw);
    if (!streak) {
      this.#streaks.set(raw, { count: 1, since: now });
      return true;
    }
    if (streak.count < HANDOFF_STREAK && now - streak.since < HANDOFF_SLICE_MS) {
      streak.count++;
      return true;
    }
    // This release goes to the kernel; the next handoff starts a new streak.
    this.#streaks.delete(raw);
    return false;
  }

  /** No local awaiter is left for `raw`: its streak is over. */
  end(raw: RawHandle): void {
    this.#streaks.delete(raw);
  }
}
