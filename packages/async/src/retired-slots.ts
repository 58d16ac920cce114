/**
 * Slots disarmed while they may still fire: their last awaiter left, or their object was
 * closed, while the wait thread was waiting on the handle. Whatever the thread reports
 * acquired for such a slot goes back; a handle the pool took over from a closed object
 * is closed once the thread has let go of it (and what it took has gone back).
 *
 * Lifetimes: an entry lives from the disarm command to the thread's 'disarmed' report or
 * the thread's end, and keeps the process alive meanwhile. Bounded by the slots armed.
 */
import { type RawHandle, getBackend } from '@waitables/core';
import type { KeepAlive } from '@waitables/common/keep-alive';
import { giveBack, ownerOf, type Kind } from './give-back.js';
import type { MutexReleases } from './mutex-releases.js';
import type { WaitThread } from './wait-thread.js';

interface Retired {
  readonly raw: RawHandle;
  readonly kind: Kind;
  readonly thread: WaitThread;
  /** The handle belongs to the pool (its object was closed while armed): close it once disarmed. */
  closeRaw: boolean;
  /** Give-backs under way on the thread (mutexes), before the handle may be closed. */
  readonly pending: Promise<void>[];
}

export class RetiredSlots {
  /** Slot id -> what to give back. */
  readonly #retired = new Map<number, Retired>();

  constructor(
    readonly keepAlive: KeepAlive,
    readonly releases: MutexReleases,
  ) {}

  /** Slot `id` is being disarmed on `thread`: the process stays alive until the thread confirms. */
  add(id: number, raw: RawHandle, kind: Kind, thread: WaitThread, closeRaw: boolean): void {
    this.keepAlive.ref();
    this.#retired.set(id, { raw, kind, thread, closeRaw, pending: [] });
  }

  /**
   * The object of `raw` is being closed while a slot of it is still being disarmed (its
   * last awaiter left just before): the pool takes the handle over and closes it once the
   * thread has let go of it, as for an object closed while armed. False if no such slot.
   */
  adopt(raw: RawHandle): boolean {
    for (const retired of this.#retired.values()) {
      if (retired.raw !== raw || retired.closeRaw) continue;
      retired.closeRaw = true;
      return true;
    }
    return false;
  }

  /** A fire reported for slot `id`, which is no longer live: if it was retired, what it took goes back. */
  fired(id: number, count: number, thread: WaitThread): void {
    const retired = this.#retired.get(id);
    if (!retired) return;
    const released = giveBack(this.releases, retired.raw, retired.kind, count, ownerOf(thread, retired.kind));
    if (released) retired.pending.push(released);
  }

  /** The thread let go of a retired slot: the process need not wait for it any more. */
  disarmed(id: number): void {
    const retired = this.#retired.get(id);
    if (!retired) return;
    this.#retired.delete(id);
    this.keepAlive.unref();
    if (!retired.closeRaw) return;
    const close = () => {
      try {
        getBackend().closeHandle(retired.raw);
      } catch {
        // Already gone.
      }
    };
    if (retired.pending.length === 0) close();
    else void Promise.allSettled(retired.pending).then(close);
  }

  /** A thread ended, its last reports delivered: a slot of it still retired will never be confirmed. */
  threadEnded(thread: WaitThread): void {
    for (const [id, retired] of this.#retired) if (retired.thread === thread) this.disarmed(id);
  }
}
