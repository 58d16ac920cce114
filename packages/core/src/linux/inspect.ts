/**
 * A consistent snapshot of the namespace, taken in one transaction after reclaiming
 * what dead processes held: for `waitables ls`, for tests that check invariants, and for
 * anyone debugging a deadlock.
 */
import type { NamespaceSnapshot, ObjectSnapshot } from '../backend.js';
import type { Engine } from './engine.js';
import { H, KIND, LIMITS, NS_GLOBAL, O, P, T, WAITING, objectWord, processWord, threadWord } from './layout.js';
import type { Namespace } from './namespace.js';

const KIND_NAMES = {
  [KIND.event]: 'event',
  [KIND.mutex]: 'mutex',
  [KIND.semaphore]: 'semaphore',
  [KIND.timer]: 'waitable-timer',
  [KIND.process]: 'process',
} as const;

export function inspectNamespace(ns: Namespace, engine: Engine): NamespaceSnapshot {
  return ns.transact(() => {
    const changed = new Set<number>();
    engine.reclaim(changed, true);
    engine.dispatch(changed);
    const processes: { pid: number; alive: boolean }[] = [];
    for (let p = 0; p < LIMITS.processes; p++) {
      if (ns.r(processWord(p, P.state)) === 1) processes.push({ pid: ns.r(processWord(p, P.pid)), alive: engine.isProcessSlotAlive(p) });
    }
    const waitersOf = new Map<number, number>();
    const threads: { pid: number; tid: number; waiting: boolean }[] = [];
    const high = ns.r(H.threadsHigh);
    for (let t = 0; t < high && t < LIMITS.threads; t++) {
      if (ns.r(threadWord(t, T.state)) !== 1) continue;
      const waiting = ns.r(threadWord(t, T.status)) === WAITING;
      threads.push({ pid: ns.r(processWord(ns.r(threadWord(t, T.process)), P.pid)), tid: ns.r(threadWord(t, T.tid)), waiting });
      if (waiting) for (const obj of new Set(engine.waitList(t))) waitersOf.set(obj, (waitersOf.get(obj) ?? 0) + 1);
    }
    const objects: ObjectSnapshot[] = [];
    const objectsHigh = ns.r(H.objectsHigh);
    for (let obj = 0; obj < objectsHigh && obj < LIMITS.objects; obj++) {
      const kind = ns.r(objectWord(obj, O.kind)) as keyof typeof KIND_NAMES | 0;
      if (kind === 0) continue;
      const length = ns.r(objectWord(obj, O.nameLength));
      const key = String.fromCharCode(...ns.names.subarray(obj * LIMITS.nameUnits, obj * LIMITS.nameUnits + length));
      const owner = ns.r(objectWord(obj, O.owner));
      objects.push({
        kind: KIND_NAMES[kind],
        name: length === 0 ? null : `${ns.r(objectWord(obj, O.namespace)) === NS_GLOBAL ? 'Global' : 'Local'}\\${key}`,
        references: ns.r(objectWord(obj, O.refs)),
        signaled: kind === KIND.mutex ? owner === 0 : ns.r(objectWord(obj, O.signal)) !== 0,
        count: kind === KIND.semaphore ? ns.r(objectWord(obj, O.signal)) : null,
        maximum: kind === KIND.semaphore ? ns.r(objectWord(obj, O.maximum)) : null,
        owner:
          kind === KIND.mutex && owner !== 0
            ? {
                pid: ns.r(processWord(ns.r(threadWord(owner - 1, T.process)), P.pid)),
                tid: ns.r(threadWord(owner - 1, T.tid)),
                recursion: ns.r(objectWord(obj, O.recursion)),
              }
            : null,
        abandoned: ns.r(objectWord(obj, O.abandoned)) === 1,
        waiters: waitersOf.get(obj) ?? 0,
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
  });
}
