/**
 * A consistent snapshot of the namespace, taken in one transaction after reclaiming
 * what dead processes held: for `waitables ls`, for tests that check invariants, and for
 * anyone debugging a deadlock.
 */
import type { NamespaceSnapshot, ObjectSnapshot, SemaphoreHolder } from '../backend.js';
import { NamespaceBusyError } from '../errors.js';
import type { ObjectSemantics } from './object-semantics.js';
import {
  H,
  HL,
  KIND,
  LIMITS,
  NS_GLOBAL,
  O,
  P,
  T,
  THREAD_LIVE,
  WAITING,
  holdingWord,
  objectWord,
  processWord,
  threadWord,
} from './layout.js';
import { LockDeadlineError, Namespace } from './namespace.js';

/** How long a snapshot waits for the namespace lock before it reports who holds it. */
const LOCK_WAIT_MS = 2_000;

const KIND_NAMES = {
  [KIND.event]: 'event',
  [KIND.mutex]: 'mutex',
  [KIND.semaphore]: 'semaphore',
  [KIND.timer]: 'waitable-timer',
  [KIND.process]: 'process',
} as const;

export function inspectNamespace(ns: Namespace, engine: ObjectSemantics): NamespaceSnapshot {
  const deadline = Namespace.monotonicMicros() + LOCK_WAIT_MS * 1000;
  try {
    for (;;) {
      const snapshot = ns.transact(() => {
        const changed = new Set<number>();
        const complete = engine.reclaim(changed, true, true);
        engine.dispatch(changed);
        return complete ? snapshotOf(ns, engine) : null; // freeing the dead goes in bounded steps
      }, deadline);
      if (snapshot) return snapshot;
    }
  } catch (error) {
    if (!(error instanceof LockDeadlineError)) throw error;
    const holder = error.holder;
    throw new NamespaceBusyError(holder?.pid ?? 0, holder?.tid ?? 0, holder?.state ?? null, LOCK_WAIT_MS);
  }
}

/** A process slot's pid, or 0 if the slot number read from shared memory is out of range. */
function pidOfSlot(ns: Namespace, p: number): number {
  if (!(p >= 0 && p < LIMITS.processes)) throw ns.damaged('a process slot number');
  return ns.r(processWord(p, P.pid));
}

/** The processes recorded as holding units of a crash-safe semaphore (inside a transaction). */
export function holdersOf(ns: Namespace, engine: ObjectSemantics, obj: number): SemaphoreHolder[] {
  return engine.holdings
    .chain(obj)
    .map((slot) => ({ pid: pidOfSlot(ns, ns.r(holdingWord(slot, HL.process))), units: ns.r(holdingWord(slot, HL.units)) }))
    .filter((holder) => holder.units > 0);
}

function snapshotOf(ns: Namespace, engine: ObjectSemantics): NamespaceSnapshot {
  {
    const processes: { pid: number; alive: boolean }[] = [];
    for (let p = 0; p < LIMITS.processes; p++) {
      if (ns.r(processWord(p, P.state)) === 1) processes.push({ pid: ns.r(processWord(p, P.pid)), alive: engine.isProcessSlotAlive(p) });
    }
    const waitersOf = new Map<number, number>();
    const threads: { pid: number; tid: number; waiting: boolean }[] = [];
    const high = ns.r(H.threadsHigh);
    for (let t = 0; t < high && t < LIMITS.threads; t++) {
      if (ns.r(threadWord(t, T.state)) !== THREAD_LIVE || ns.r(threadWord(t, T.process)) === -1) continue;
      const waiting = ns.r(threadWord(t, T.status)) === WAITING;
      threads.push({ pid: pidOfSlot(ns, ns.r(threadWord(t, T.process))), tid: ns.r(threadWord(t, T.tid)), waiting });
      if (waiting) for (const obj of new Set(engine.waitList(t))) waitersOf.set(obj, (waitersOf.get(obj) ?? 0) + 1);
    }
    const objects: ObjectSnapshot[] = [];
    const objectsHigh = ns.r(H.objectsHigh);
    for (let obj = 0; obj < objectsHigh && obj < LIMITS.objects; obj++) {
      const kind = ns.r(objectWord(obj, O.kind)) as keyof typeof KIND_NAMES | 0;
      if (kind === 0) continue;
      if (!(kind in KIND_NAMES)) throw ns.damaged(`the kind of object ${obj}: ${kind}`);
      const length = ns.r(objectWord(obj, O.nameLength));
      if (!(length >= 0 && length <= LIMITS.nameUnits)) throw ns.damaged(`the name length of object ${obj}: ${length}`);
      let key = '';
      for (let i = 0; i < length; i++) key += String.fromCharCode(ns.names[obj * LIMITS.nameUnits + i]!);
      const owner = kind === KIND.mutex ? ns.peekState(obj) : 0;
      if (kind === KIND.mutex && !(owner >= 0 && owner <= LIMITS.threads)) throw ns.damaged(`the owner of mutex ${obj}: ${owner}`);
      objects.push({
        kind: KIND_NAMES[kind],
        name: length === 0 ? null : `${ns.r(objectWord(obj, O.namespace)) === NS_GLOBAL ? 'Global' : 'Local'}\\${key}`,
        references: ns.r(objectWord(obj, O.refs)),
        signaled: kind === KIND.mutex ? owner === 0 : ns.peekState(obj) !== 0,
        count: kind === KIND.semaphore ? ns.peekState(obj) : null,
        maximum: kind === KIND.semaphore ? ns.r(objectWord(obj, O.maximum)) : null,
        owner:
          kind === KIND.mutex && owner !== 0
            ? {
                pid: ns.r(threadWord(owner - 1, T.pid)),
                tid: ns.r(threadWord(owner - 1, T.tid)),
                recursion: ns.r(objectWord(obj, O.recursion)),
              }
            : null,
        abandoned: ns.r(objectWord(obj, O.abandoned)) === 1,
        waiters: waitersOf.get(obj) ?? 0,
        crashSafe: engine.holdings.isCrashSafe(obj)
          ? {
              recovered: ns.r(objectWord(obj, O.recovered)),
              holders: holdersOf(ns, engine, obj),
            }
          : null,
      });
    }
    return {
      processes,
      threads,
      objects,
      waiting: ns.r(H.waiting),
      lockTakeovers: ns.i32[H.lockTakeovers]!,
      logReplays: ns.i32[H.logReplays]!,
    };
  }
}
