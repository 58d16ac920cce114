/**
 * Crash-safe semaphores: the units each process holds, recorded in the namespace in the
 * same transaction that hands them over, so that a process that dies holding units gives
 * them back (as SEM_UNDO does for System V semaphores). A kill -9 at any instruction
 * cannot split the two: a transaction commits both or neither (namespace.ts).
 *
 * A holding (layout.ts, HL) is one process's record for one semaphore: the units it took
 * and did not release, and its open handles to the semaphore, on the semaphore's chain.
 * A process's release takes its units off its record first (never below 0: units a
 * process releases beyond what it holds are a plain ReleaseSemaphore, and nobody's
 * record). Every function here runs inside a transaction.
 */
import { ERROR_NOT_ENOUGH_MEMORY } from '../error-codes.js';
import { Win32Error } from '../errors.js';
import {
  H,
  HD,
  HL,
  HOLDING_WORDS,
  KIND,
  LIFE_OWNER_DIED,
  LIFE_TID_MASK,
  LIMITS,
  O,
  T,
  handleWord,
  holdingWord,
  objectWord,
  threadWord,
} from './layout.js';
import { nextFreeSlot, type SlotTable } from './free-slot.js';
import type { Namespace } from './namespace.js';

const HOLDING_TABLE: SlotTable = { hint: H.hintHolding, high: H.holdingsHigh, size: LIMITS.holdings };

export class Holdings {
  constructor(
    readonly ns: Namespace,
    readonly isProcessAlive: (processSlot: number) => boolean,
  ) {}

  isCrashSafe(obj: number): boolean {
    const ns = this.ns;
    return ns.r(objectWord(obj, O.kind)) === KIND.semaphore && ns.r(objectWord(obj, O.crashSafe)) === 1;
  }

  /** The holdings of a semaphore, slots in chain order (bounded: a damaged chain cannot loop). */
  chain(obj: number): number[] {
    const ns = this.ns;
    const slots: number[] = [];
    for (let next = ns.r(objectWord(obj, O.holdings)); next !== 0; next = ns.r(holdingWord(next - 1, HL.next))) {
      if (!(next > 0 && next <= LIMITS.holdings) || slots.length >= LIMITS.holdings) throw ns.damaged('holdings chain');
      slots.push(next - 1);
    }
    return slots;
  }

  /** The holding of `process` for `obj`, or -1. */
  find(obj: number, process: number): number {
    const ns = this.ns;
    for (const slot of this.chain(obj)) if (ns.r(holdingWord(slot, HL.process)) === process) return slot;
    return -1;
  }

  /** Units `process` holds of `obj` (0 for a plain semaphore). */
  held(obj: number, process: number): number {
    if (!this.isCrashSafe(obj)) return 0;
    const slot = this.find(obj, process);
    return slot < 0 ? 0 : this.ns.r(holdingWord(slot, HL.units));
  }

  /** The holding of `process` for `obj`, allocated if it has none; -1 if the table is full. */
  #findOrAdd(obj: number, process: number): number {
    const found = this.find(obj, process);
    if (found >= 0) return found;
    const ns = this.ns;
    const slot = nextFreeSlot(ns, HOLDING_TABLE, (s) => ns.r(holdingWord(s, HL.object)) === 0);
    if (slot < 0) return -1;
    for (let field = 0; field < HOLDING_WORDS; field++) ns.w(holdingWord(slot, field), 0);
    ns.w(holdingWord(slot, HL.object), obj + 1);
    ns.w(holdingWord(slot, HL.generation), ns.r(objectWord(obj, O.generation)));
    ns.w(holdingWord(slot, HL.process), process);
    ns.w(holdingWord(slot, HL.next), ns.r(objectWord(obj, O.holdings)));
    ns.w(objectWord(obj, O.holdings), slot + 1);
    return slot;
  }

  /** Unlinks a holding from its semaphore's chain and frees it. */
  #free(obj: number, slot: number): void {
    const ns = this.ns;
    const next = ns.r(holdingWord(slot, HL.next));
    if (ns.r(objectWord(obj, O.holdings)) === slot + 1) ns.w(objectWord(obj, O.holdings), next);
    else {
      for (const other of this.chain(obj)) {
        if (ns.r(holdingWord(other, HL.next)) === slot + 1) {
          ns.w(holdingWord(other, HL.next), next);
          break;
        }
      }
    }
    for (let field = 0; field < HOLDING_WORDS; field++) ns.w(holdingWord(slot, field), 0);
  }

  #freeIfEmpty(obj: number, slot: number): void {
    const ns = this.ns;
    if (ns.r(holdingWord(slot, HL.units)) === 0 && ns.r(holdingWord(slot, HL.handles)) === 0) this.#free(obj, slot);
  }

  /**
   * A handle of `process` to a crash-safe semaphore was opened: its holding exists from
   * now on, so that handing it a unit later (in another process's transaction, which
   * cannot fail) always has a record to write. Table full: ERROR_NOT_ENOUGH_MEMORY.
   */
  handleOpened(obj: number, process: number, syscall: string): void {
    const slot = this.#findOrAdd(obj, process);
    if (slot < 0) throw new Win32Error(ERROR_NOT_ENOUGH_MEMORY, syscall);
    this.ns.w(holdingWord(slot, HL.handles), this.ns.r(holdingWord(slot, HL.handles)) + 1);
  }

  handleClosed(obj: number, process: number): void {
    const slot = this.find(obj, process);
    if (slot < 0) return;
    const ns = this.ns;
    ns.w(holdingWord(slot, HL.handles), Math.max(0, ns.r(holdingWord(slot, HL.handles)) - 1));
    this.#freeIfEmpty(obj, slot);
  }

  /**
   * `thread` took a unit: recorded on its process's holding, with the thread whose life
   * word a waiter may watch. With the table full (only after an upgrade, see
   * {@link makeCrashSafe}, since a handle's holding exists while it is open) the unit is
   * not recorded: it behaves as a plain semaphore's would.
   */
  took(obj: number, thread: number): void {
    const ns = this.ns;
    const slot = this.#findOrAdd(obj, ns.r(threadWord(thread, T.process)));
    if (slot < 0) return;
    ns.w(holdingWord(slot, HL.units), ns.r(holdingWord(slot, HL.units)) + 1);
    const watchable = (ns.r(threadWord(thread, T.life)) & LIFE_TID_MASK) !== 0;
    ns.w(holdingWord(slot, HL.thread), watchable ? thread + 1 : 0);
  }

  /**
   * A waiter's look at a semaphore's holders (as a mutex waiter looks at its owner):
   * returns the process slots of holders that have died, for the caller to reclaim now
   * (their threads first: a unit handed to a wait of theirs and never taken is given back
   * once, by that step, and the rest of their units then). A holder's thread that ended
   * in a process that lives on (a worker thread), or whose slot went to another process,
   * is no longer watched: its waiters would wake for it each time (death-watch.ts).
   */
  deadHolders(obj: number): number[] {
    const ns = this.ns;
    const dead: number[] = [];
    for (const slot of this.chain(obj)) {
      const process = ns.r(holdingWord(slot, HL.process));
      if (process === ns.process || ns.r(holdingWord(slot, HL.units)) === 0) continue;
      if (!this.isProcessAlive(process)) {
        dead.push(process);
        continue;
      }
      const thread = ns.r(holdingWord(slot, HL.thread)) - 1;
      if (thread < 0) continue;
      const sameProcess = thread < LIMITS.threads && ns.r(threadWord(thread, T.process)) === process;
      if (!sameProcess || (Atomics.load(ns.i32, threadWord(thread, T.life)) & LIFE_OWNER_DIED) !== 0) {
        ns.w(holdingWord(slot, HL.thread), 0);
      }
    }
    return dead;
  }

  /** A dead holder's units back to the semaphore (never past its maximum), counted as recovered. */
  #giveBackUnits(obj: number, slot: number, changed: Set<number>): void {
    const ns = this.ns;
    const units = ns.r(holdingWord(slot, HL.units));
    if (units <= 0) return;
    const count = ns.state(obj);
    const back = Math.min(units, ns.r(objectWord(obj, O.maximum)) - count);
    ns.setState(obj, count + back);
    ns.w(objectWord(obj, O.recovered), (ns.r(objectWord(obj, O.recovered)) + back) | 0);
    ns.w(holdingWord(slot, HL.units), 0);
    changed.add(obj);
  }

  /** `process` released (or gave back) `count` units: its record drops by as many as it holds. */
  released(obj: number, process: number, count: number): void {
    const slot = this.find(obj, process);
    if (slot < 0) return;
    const ns = this.ns;
    const units = ns.r(holdingWord(slot, HL.units));
    ns.w(holdingWord(slot, HL.units), Math.max(0, units - count));
    this.#freeIfEmpty(obj, slot);
  }

  /**
   * A dead process's holdings: their units go back to their semaphores (never past the
   * maximum, which only a release beyond what was taken could reach) and are counted as
   * recovered; the holdings are freed. Returns the semaphores whose count changed.
   */
  reclaimProcess(process: number, changed: Set<number>): void {
    const ns = this.ns;
    const high = Math.min(ns.r(H.holdingsHigh), LIMITS.holdings);
    for (let slot = 0; slot < high; slot++) {
      const obj = ns.r(holdingWord(slot, HL.object)) - 1;
      if (obj < 0 || ns.r(holdingWord(slot, HL.process)) !== process) continue;
      if (!(obj < LIMITS.objects) || ns.r(objectWord(obj, O.generation)) !== ns.r(holdingWord(slot, HL.generation))) {
        throw ns.damaged('holding of a freed semaphore');
      }
      this.#giveBackUnits(obj, slot, changed);
      this.#free(obj, slot);
    }
  }

  /** The semaphore is being freed: so are its holdings. */
  objectFreed(obj: number): void {
    for (const slot of this.chain(obj)) for (let field = 0; field < HOLDING_WORDS; field++) this.ns.w(holdingWord(slot, field), 0);
    this.ns.w(objectWord(obj, O.holdings), 0);
  }

  /**
   * Makes an existing semaphore crash-safe (a create asking for it found a plain one):
   * units taken from now on are recorded; units already held are not (nobody knows who
   * holds them). Every process with a handle to it gets its holding now.
   */
  makeCrashSafe(obj: number, syscall: string): void {
    const ns = this.ns;
    ns.state(obj); // closes its gate: no fast path changes it from here on
    ns.w(objectWord(obj, O.crashSafe), 1);
    const high = Math.min(ns.r(H.handlesHigh), LIMITS.handles);
    for (let slot = 0; slot < high; slot++) {
      if (ns.r(handleWord(slot, HD.object)) !== obj + 1) continue;
      this.handleOpened(obj, ns.r(handleWord(slot, HD.process)), syscall);
    }
  }
}
