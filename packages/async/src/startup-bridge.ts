/**
 * Waits while their wait thread starts. A fresh process's first wait that must block
 * starts a wait thread, which takes a worker's start-up (about 100 ms here: bench/
 * cold-start). Meanwhile the wait is tried again on the calling thread every millisecond,
 * so that a first wait costs what a second one does. Once the thread runs, it has the
 * wait (its arm command was queued at the start) and the tries stop.
 *
 * What the tries give up: a wait is queued in the OS (or the Linux namespace) only once
 * its thread runs, so during start-up a waiter of another process can take the object
 * first, as if this wait had begun when the thread did; and a PulseEvent reaches only
 * registered waits. Neither is a promise a wait made before its thread ran could keep.
 */
import type { BatchSlots, Slot } from './batch-slots.js';

/** How often a wait whose thread is starting is tried again. */
const TRY_EVERY_MS = 1;

export class StartupBridge {
  #timer: NodeJS.Timeout | null = null;

  constructor(
    readonly slots: BatchSlots,
    /** Serves what it can of the slot's queue on the calling thread now (wait(0) each). */
    readonly tryNow: (slot: Slot) => void,
  ) {}

  /** A slot was armed on a thread that has not started yet: try its waits until it has. */
  watch(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#tryStarting(), TRY_EVERY_MS);
    this.#timer.unref(); // the waits keep the process alive, not the tries
  }

  #tryStarting(): void {
    let starting = false;
    for (const slot of this.slots.all()) {
      if (slot.thread.isOnline || !slot.thread.alive || slot.queue.length === 0) continue;
      starting = true;
      this.tryNow(slot);
    }
    if (!starting && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
  }
}
