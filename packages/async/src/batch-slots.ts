/**
 * The slots of the pool's batch threads: one per awaited handle, whatever the number of
 * its awaiters (a FIFO queue here, one armed handle in a wait thread). A slot is made at
 * the first awaiter that must wait, armed while it has awaiters, and goes when its last
 * awaiter leaves: disarmed (retired, while it may still fire) if it was armed.
 */
import type { RawHandle, WaitHandle } from '@waitables/core';
import { AwaiterQueue } from './awaiter-queue.js';
import type { Kind } from './give-back.js';
import type { Grant } from './grant.js';
import type { RetiredSlots } from './retired-slots.js';
import type { WaitThread } from './wait-thread.js';

/** One awaiter of a slot, as the pool serves it. */
export interface Awaiter {
  settle(grant: Grant): void;
  fail(error: unknown): void;
}

export interface Slot {
  readonly id: number;
  readonly raw: RawHandle;
  readonly kind: Kind;
  /** Keeps the object (and so its handle) alive while awaited. */
  readonly object: WaitHandle;
  readonly queue: AwaiterQueue<Awaiter>;
  thread: WaitThread;
  armed: boolean;
}

/** What the slots need of the pool. */
export interface SlotHost {
  readonly retired: RetiredSlots;
  /** A batch thread with room for one more slot (started if none has). */
  threadWithRoom(): WaitThread;
  /** A thread lost its last slot. */
  threadFreed(thread: WaitThread): void;
  /** The handle has no slot any more (its local handoff streak is over). */
  slotGone(raw: RawHandle): void;
  newId(): number;
}

export class BatchSlots {
  readonly #byHandle = new Map<RawHandle, Slot>();
  readonly #byId = new Map<number, Slot>();

  constructor(readonly host: SlotHost) {}

  get size(): number {
    return this.#byHandle.size;
  }

  /** The slot awaiting this handle, if any. */
  of(raw: RawHandle): Slot | undefined {
    return this.#byHandle.get(raw);
  }

  /** The slot of this id (a thread's report), if it is still there. */
  byId(id: number): Slot | undefined {
    return this.#byId.get(id);
  }

  all(): Slot[] {
    return [...this.#byId.values()];
  }

  /** Awaiters queued in every slot. */
  pending(): number {
    let pending = 0;
    for (const slot of this.#byHandle.values()) pending += slot.queue.length;
    return pending;
  }

  /** A new slot for `object`, bound to a batch thread with room. */
  create(object: WaitHandle): Slot {
    const thread = this.host.threadWithRoom();
    thread.bound++;
    const slot: Slot = {
      id: this.host.newId(),
      raw: object.handle,
      kind: object.kind,
      object,
      queue: new AwaiterQueue(),
      thread,
      armed: false,
    };
    this.#byHandle.set(slot.raw, slot);
    this.#byId.set(slot.id, slot);
    return slot;
  }

  /** Arms the slot's handle in its thread, for as many awaiters as it has. */
  arm(slot: Slot): void {
    if (slot.armed || slot.queue.length === 0) return;
    slot.armed = true;
    slot.thread.send({ op: 'arm', id: slot.id, raw: slot.raw, want: slot.queue.length, mutex: slot.kind === 'mutex', kind: slot.kind });
  }

  /** An awaiter left: the slot goes with its last one. */
  afterLeave(slot: Slot): void {
    if (slot.queue.length > 0) return;
    if (slot.armed) this.retire(slot, slot.raw, false);
    else this.remove(slot);
  }

  /** Disarms a slot that may still fire: the process stays alive until the thread confirms, and what it took goes back. */
  retire(slot: Slot, raw: RawHandle, closeRaw: boolean): void {
    this.host.retired.add(slot.id, raw, slot.kind, slot.thread, closeRaw);
    slot.thread.send({ op: 'disarm', id: slot.id });
    this.remove(slot);
  }

  remove(slot: Slot): void {
    if (this.#byHandle.get(slot.raw) === slot) {
      this.#byHandle.delete(slot.raw);
      this.host.slotGone(slot.raw);
    }
    if (!this.#byId.delete(slot.id)) return;
    slot.thread.bound--;
    if (slot.thread.bound === 0) this.host.threadFreed(slot.thread);
  }
}
