/**
 * Registering a thread (and its process, once) in the namespace.
 *
 * Lifetimes of the slots, so that no table fills up with the dead:
 * - A thread claims a free thread slot without the lock, by compare-and-swap of its
 *   state from free to CLAIMED | tid (the claim names its thread, so a claimer that dies
 *   is recognized), writes its pid and start time, then its tid, and becomes LIVE in its
 *   first transaction. A registration that fails gives its claim back; a claim whose
 *   thread is gone is freed by the next thread that looks for a slot, or by a reclaim pass.
 * - A LIVE slot whose thread died is freed by a reclaim pass (object-semantics.ts): every
 *   registration runs one for dead processes, and for dead threads at most every 100 ms.
 * - A process slot is taken in the first registration of the process and freed when a
 *   reclaim pass finds the process dead, after its handles are closed (in bounded steps).
 * - If no slot is free, the thread borrows the last slot (kept for this), frees what the
 *   dead hold, gives the borrowed slot back and tries again; only then is the table full
 *   of live threads (or processes), which is a NamespaceError.
 */
import { NamespaceBusyError, NamespaceError } from '../errors.js';
import type { ObjectSemantics } from './object-semantics.js';
import {
  H,
  IDLE,
  JANITOR_SLOT,
  LIMITS,
  P,
  T,
  THREAD_CLAIMED,
  THREAD_FREE,
  THREAD_LIVE,
  TID_MASK,
  processWord,
  splitMicros,
  threadWord,
} from './layout.js';
import { threadStartTime } from './liveness.js';
import { linkLifeWord } from './robust-list.js';
import { LockDeadlineError, Namespace } from './namespace.js';

/** How long a thread waits for another one that is freeing the dead to finish, before it gives up. */
const JANITOR_WAIT_MS = 2_000;
/**
 * How long a registration waits for the namespace lock. Past it, the lock is held by a
 * live thread that does not let go (a process stopped by SIGSTOP or a debugger): the
 * call that needed the backend throws NamespaceBusyError naming it, and the next call
 * tries again.
 */
const REGISTRATION_LOCK_WAIT_MS = 10_000;

/**
 * Frees what the dead hold in bounded transactions (every dead thread too if
 * `threadsNow`), then runs `last` in the transaction that found nothing left to free.
 * Gives up with NamespaceBusyError if the lock stays held past REGISTRATION_LOCK_WAIT_MS.
 */
function reclaimThen(ns: Namespace, engine: ObjectSemantics, threadsNow: boolean, last: () => void): void {
  const deadline = Namespace.monotonicMicros() + REGISTRATION_LOCK_WAIT_MS * 1000;
  const step = () => {
    const changed = new Set<number>();
    const complete = engine.reclaim(changed, true, threadsNow);
    engine.dispatch(changed);
    if (complete) last();
    return complete;
  };
  while (!transactOrBusy(ns, step, deadline));
}

/** Runs a registration transaction, giving up with NamespaceBusyError if the lock stays held. */
function transactOrBusy<R>(ns: Namespace, body: () => R, deadlineUs: number): R {
  try {
    return ns.transact(body, deadlineUs);
  } catch (error) {
    if (!(error instanceof LockDeadlineError)) throw error;
    const holder = error.holder;
    throw new NamespaceBusyError(holder?.pid ?? 0, holder?.tid ?? 0, holder?.state ?? null, REGISTRATION_LOCK_WAIT_MS);
  }
}

/** Registers this thread (and its process, once) in the namespace. */
export function registerThread(ns: Namespace, engine: ObjectSemantics): void {
  const start = threadStartTime(ns.pid, ns.tid);
  const processStart = threadStartTime(ns.pid, ns.pid);
  if (start === null || processStart === null) throw new NamespaceError('cannot read this thread’s start time from /proc');
  let slot = claimSlot(ns, start, 0, JANITOR_SLOT);
  if (slot < 0) {
    freeTheDead(ns, engine, start);
    slot = claimSlot(ns, start, 0, JANITOR_SLOT);
    if (slot < 0) throw new NamespaceError(`the namespace has no free thread slot: ${JANITOR_SLOT} threads are alive in it`);
  }
  ns.thread = slot;
  try {
    // The last of the bounded reclaiming transactions also registers.
    reclaimThen(ns, engine, false, () => {
      ns.process = findOrAddProcess(ns, processStart);
      ns.w(threadWord(slot, T.process), ns.process);
      ns.w(threadWord(slot, T.state), THREAD_LIVE);
      if (ns.r(H.threadsHigh) <= slot) ns.w(H.threadsHigh, slot + 1);
    });
  } catch (error) {
    Atomics.compareExchange(ns.i32, threadWord(slot, T.state), claimOf(ns.tid), THREAD_FREE);
    ns.thread = -1;
    ns.process = -1;
    throw error;
  }
  linkLifeWord(ns);
}

function claimOf(tid: number): number {
  return THREAD_CLAIMED | (tid & TID_MASK);
}

/** Claims a free slot in [from, to) for this thread, freeing claims of dead threads on the way; -1 if none. */
function claimSlot(ns: Namespace, start: number, from: number, to: number): number {
  const h = ns.i32;
  const claim = claimOf(ns.tid);
  for (let pass = 0; pass < 2; pass++) {
    for (let i = from; i < to; i++) {
      const state = threadWord(i, T.state);
      if (pass === 1) {
        const seen = Atomics.load(h, state);
        if ((seen & ~TID_MASK) !== THREAD_CLAIMED || ns.isThreadSlotAlive(i)) continue;
        Atomics.compareExchange(h, state, seen, THREAD_FREE); // its claimer died registering
      }
      if (Atomics.compareExchange(h, state, THREAD_FREE, claim) !== THREAD_FREE) continue;
      const [startHi, startLo] = splitMicros(start);
      Atomics.store(h, threadWord(i, T.pid), ns.pid);
      Atomics.store(h, threadWord(i, T.startHi), startHi);
      Atomics.store(h, threadWord(i, T.startLo), startLo);
      Atomics.store(h, threadWord(i, T.status), IDLE);
      Atomics.store(h, threadWord(i, T.lockHeld), 0);
      Atomics.store(h, threadWord(i, T.gaveUp), 0); // a wait the previous thread gave up was dropped with it
      Atomics.store(h, threadWord(i, T.bell), 0); // the previous thread's bell is nobody's now
      Atomics.store(h, threadWord(i, T.ringsBell), 0);
      Atomics.store(h, threadWord(i, T.bellInode), 0);
      Atomics.store(h, threadWord(i, T.life), 0); // the previous thread's, marked dead by the kernel
      Atomics.store(h, threadWord(i, T.tid), ns.tid); // last: with it, the fields above are this claim's
      return i;
    }
  }
  return -1;
}

/** Every thread slot is taken: borrow the kept one, free what the dead hold, give it back. */
function freeTheDead(ns: Namespace, engine: ObjectSemantics, start: number): void {
  const until = Date.now() + JANITOR_WAIT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  // The kept slot is never registered; if damage made it a live slot of a dead thread, free it.
  const kept = threadWord(JANITOR_SLOT, T.state);
  if (Atomics.load(ns.i32, kept) === THREAD_LIVE && !ns.isThreadSlotAlive(JANITOR_SLOT))
    Atomics.compareExchange(ns.i32, kept, THREAD_LIVE, THREAD_FREE);
  while (claimSlot(ns, start, JANITOR_SLOT, JANITOR_SLOT + 1) < 0) {
    // Another thread is doing it; once it is done there may be a slot for us.
    if (Date.now() >= until) return;
    Atomics.wait(pause, 0, 0, 10);
  }
  ns.thread = JANITOR_SLOT;
  try {
    reclaimThen(ns, engine, true, () => undefined);
  } finally {
    ns.thread = -1;
    Atomics.store(ns.i32, threadWord(JANITOR_SLOT, T.tid), 0);
    Atomics.store(ns.i32, threadWord(JANITOR_SLOT, T.state), THREAD_FREE);
  }
}

function findOrAddProcess(ns: Namespace, start: number): number {
  const [hi, lo] = splitMicros(start);
  let free = -1;
  for (let p = 0; p < LIMITS.processes; p++) {
    if (ns.r(processWord(p, P.state)) === 0) {
      if (free < 0) free = p;
      continue;
    }
    if (ns.r(processWord(p, P.pid)) === ns.pid && ns.r(processWord(p, P.startHi)) === hi && ns.r(processWord(p, P.startLo)) === lo)
      return p;
  }
  if (free < 0) throw new NamespaceError(`the namespace has no free process slot: ${LIMITS.processes} processes are alive in it`);
  ns.w(processWord(free, P.state), 1);
  ns.w(processWord(free, P.pid), ns.pid);
  ns.w(processWord(free, P.startHi), hi);
  ns.w(processWord(free, P.startLo), lo);
  return free;
}
