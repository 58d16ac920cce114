/**
 * The fast paths: the uncontended operations, done without the namespace lock by one
 * compare-and-swap on the object's state word while its gate is open (layout.ts, GATED).
 *
 * An open gate means that nobody waits on the object and that no transaction is looking
 * at it, so that a change here passes nobody (FIFO holds) and no wait-all can see it half
 * done. The compare-and-swap is its own commit point: a process killed around it has
 * either made the change or not. Whatever these paths cannot decide alone (a closed gate,
 * a mutex owned by another thread, an error) returns "undecided" and the caller runs the
 * transaction, which also reports the errors in the order Windows does.
 *
 * A mutex's recursion count is written only by its owner (and by a transaction that
 * abandons it once the owner is dead), so its owner acquires again and releases inner
 * levels here even while the gate is closed. A handle closed by another thread of this
 * process during one of these calls is the caller's race, as on Windows (where the value
 * may even name another object by then).
 */
import { EVENT_MODIFY_STATE, SEMAPHORE_MODIFY_STATE, SYNCHRONIZE, WAIT_OBJECT_0, WAIT_TIMEOUT } from '../constants.js';
import { HD, KIND, LIMITS, O, STATE_MASK, handleWord, objectWord } from './layout.js';
import type { Namespace } from './namespace.js';

/** What a fast path returns when the transaction must decide. */
export const UNDECIDED = -1;

export class FastPaths {
  constructor(readonly ns: Namespace) {}

  /** The object behind a handle of this process that grants `access` and is of `kind`, or UNDECIDED. */
  #object(handle: number, access: number, kind: number): number {
    const h = this.ns.i32;
    // Windows ignores a handle value's two low bits.
    const slot = (handle >>> 2) - 1;
    if (handle !== (handle | 0) || slot < 0 || slot >= LIMITS.handles) return UNDECIDED;
    const obj = h[handleWord(slot, HD.object)]! - 1;
    if (obj < 0 || obj >= LIMITS.objects || h[handleWord(slot, HD.process)] !== this.ns.process) return UNDECIDED;
    if ((h[handleWord(slot, HD.access)]! & access) !== access) return UNDECIDED;
    if (h[handleWord(slot, HD.generation)] !== h[objectWord(obj, O.generation)]) return UNDECIDED;
    return h[objectWord(obj, O.kind)] === kind ? obj : UNDECIDED;
  }

  /**
   * A wait on one handle: WAIT_OBJECT_0 if it took the object (a semaphore unit, a free
   * or already owned mutex, an event's signal), WAIT_TIMEOUT if `timeoutMs` is 0 and a
   * semaphore or event with an open gate is not signaled, otherwise UNDECIDED (timers,
   * processes, a mutex owned by another thread — which may be dead — and closed gates).
   */
  wait(handle: number, timeoutMs: number): number {
    const h = this.ns.i32;
    const slot = (handle >>> 2) - 1;
    if (slot < 0 || slot >= LIMITS.handles) return UNDECIDED;
    const obj = h[handleWord(slot, HD.object)]! - 1;
    if (obj < 0 || obj >= LIMITS.objects) return UNDECIDED;
    const kind = h[objectWord(obj, O.kind)]!;
    if (this.#object(handle, SYNCHRONIZE, kind) !== obj) return UNDECIDED;
    if (kind === KIND.semaphore) return this.#takeUnit(obj, timeoutMs);
    if (kind === KIND.mutex) return this.#takeMutex(obj);
    if (kind === KIND.event) return this.#takeSignal(obj, timeoutMs);
    return UNDECIDED;
  }

  #takeUnit(obj: number, timeoutMs: number): number {
    const h = this.ns.i32;
    const word = objectWord(obj, O.signal);
    for (;;) {
      const count = Atomics.load(h, word); // negative: the gate is closed
      if (count === 0) return timeoutMs === 0 ? WAIT_TIMEOUT : UNDECIDED;
      if (count < 0) return UNDECIDED;
      if (Atomics.compareExchange(h, word, count, count - 1) === count) return WAIT_OBJECT_0;
    }
  }

  #takeMutex(obj: number): number {
    const h = this.ns.i32;
    const word = objectWord(obj, O.owner);
    const me = this.ns.thread + 1;
    const owner = Atomics.load(h, word);
    if ((owner & STATE_MASK) === me) {
      Atomics.add(h, objectWord(obj, O.recursion), 1);
      return WAIT_OBJECT_0;
    }
    if (owner !== 0 || Atomics.compareExchange(h, word, 0, me) !== 0) return UNDECIDED;
    // Killed here, the mutex names a dead owner with no recursion: abandoned, as it should be.
    Atomics.store(h, objectWord(obj, O.recursion), 1);
    return WAIT_OBJECT_0;
  }

  #takeSignal(obj: number, timeoutMs: number): number {
    const h = this.ns.i32;
    const word = objectWord(obj, O.signal);
    const seen = h[objectWord(obj, O.manualReset)] === 1 ? Atomics.load(h, word) : Atomics.compareExchange(h, word, 1, 0);
    if (seen === 1) return WAIT_OBJECT_0;
    return seen === 0 && timeoutMs === 0 ? WAIT_TIMEOUT : UNDECIDED;
  }

  /** ReleaseSemaphore: the previous count, or UNDECIDED (waiters to hand units to, a count past the maximum). */
  releaseSemaphore(handle: number, count: number): number {
    const obj = this.#object(handle, SEMAPHORE_MODIFY_STATE, KIND.semaphore);
    if (obj === UNDECIDED) return UNDECIDED;
    const h = this.ns.i32;
    const word = objectWord(obj, O.signal);
    const maximum = h[objectWord(obj, O.maximum)]!;
    for (;;) {
      const previous = Atomics.load(h, word);
      if (previous < 0 || count > maximum - previous) return UNDECIDED;
      if (Atomics.compareExchange(h, word, previous, previous + count) === previous) return previous;
    }
  }

  /** ReleaseMutex: true if done here (an inner level, or the last one with nobody waiting). */
  releaseMutex(handle: number): boolean {
    const obj = this.#object(handle, 0, KIND.mutex);
    if (obj === UNDECIDED) return false;
    const h = this.ns.i32;
    const word = objectWord(obj, O.owner);
    const me = this.ns.thread + 1;
    const owner = Atomics.load(h, word);
    if ((owner & STATE_MASK) !== me) return false;
    const recursionWord = objectWord(obj, O.recursion);
    const recursion = Atomics.load(h, recursionWord);
    if (recursion > 1) {
      Atomics.store(h, recursionWord, recursion - 1);
      return true;
    }
    if (owner !== me || recursion !== 1) return false;
    // The recursion goes first: a free mutex never has one. If a waiter closed the gate
    // meanwhile, the transaction hands the mutex over instead.
    Atomics.store(h, recursionWord, 0);
    if (Atomics.compareExchange(h, word, me, 0) === me) return true;
    Atomics.store(h, recursionWord, 1);
    return false;
  }

  /** SetEvent (`to` 1) and ResetEvent (`to` 0), and PulseEvent with nobody waiting (a reset): true if done here. */
  setSignal(handle: number, to: 0 | 1): boolean {
    const obj = this.#object(handle, EVENT_MODIFY_STATE, KIND.event);
    if (obj === UNDECIDED) return false;
    const seen = Atomics.compareExchange(this.ns.i32, objectWord(obj, O.signal), 1 - to, to);
    return seen === 0 || seen === 1;
  }
}
