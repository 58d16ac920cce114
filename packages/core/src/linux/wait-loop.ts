/**
 * The blocking wait of the Linux backend: one transaction resolves the wait list, makes
 * the first attempt and, failing that, registers the wait (object-semantics.ts: the ntsync model);
 * then the thread sleeps on its own status word (and on the life words of owners it waits
 * for: death-watch.ts) until a waker hands it a result, looking every SLICE_MS at what no
 * futex reports (dead owners, timers due, waits given up), and times itself out at its
 * deadline in a transaction like any other change.
 */
import { INFINITE, WAIT_ABANDONED_0, WAIT_OBJECT_0, WAIT_TIMEOUT } from '../constants.js';
import { ERROR_INVALID_PARAMETER } from '../error-codes.js';
import { Win32Error } from '../errors.js';
import type { DeathWatch } from './death-watch.js';
import { type ObjectSemantics, SLICE_MS } from './object-semantics.js';
import { H, IDLE, O, T, THREAD_LIVE, WAITING, objectWord, threadWord } from './layout.js';
import { LockDeadlineError, Namespace } from './namespace.js';

/**
 * A wait with a timeout waits at most this long (or its timeout, if longer) for the
 * namespace lock, then times out: a holder that is stopped (SIGSTOP, a debugger) cannot
 * hold it past that. The floor keeps a short wait on a busy machine from timing out only
 * because the holder was briefly descheduled.
 */
const LOCK_WAIT_FLOOR_US = 200_000;

/**
 * How long a wait thread that finds a result in its slot (watch()) leaves it to the served
 * thread, whose bell it rang, before it says that nobody took it.
 */
const RESULT_GRACE_MS = 20;

/** Whether `code` is a result a wait on `count` objects can have. */
function isWaitResult(code: number, count: number, waitAll: boolean): boolean {
  if (code === WAIT_TIMEOUT || code === WAIT_OBJECT_0 || code === WAIT_ABANDONED_0) return true;
  if (waitAll) return false;
  return (code > WAIT_OBJECT_0 && code < WAIT_OBJECT_0 + count) || (code > WAIT_ABANDONED_0 && code < WAIT_ABANDONED_0 + count);
}

export class WaitLoop {
  constructor(
    readonly ns: Namespace,
    readonly engine: ObjectSemantics,
    readonly deathWatch: DeathWatch,
  ) {}

  /**
   * Waits until the list can be acquired (all of it, or its lowest acquirable entry),
   * the timeout passes, or `before` (run in the same transaction as the first attempt)
   * throws. Blocks on this thread's own futex word; wakes every SLICE_MS (and when a
   * timer in the list is due) to look at what no futex reports.
   *
   * A wait with a timeout gives up on the namespace lock at its deadline (but not before
   * LOCK_WAIT_FLOOR_US). If it had registered, its registration stays until this thread's
   * next transaction removes it and gives back whatever was handed to it meanwhile.
   */
  wait(
    resolveObjects: () => number[],
    waitAll: boolean,
    timeoutMs: number,
    before?: () => void,
    keepPlace?: (objects: readonly number[], ticket: number) => boolean,
    acquireFor?: number,
  ): number {
    const { ns, engine, deathWatch } = this;
    const me = ns.thread;
    const owner = acquireFor ?? me;
    const start = Namespace.monotonicMicros();
    const deadline = timeoutMs === INFINITE ? Infinity : start + timeoutMs * 1000;
    const lockDeadline = timeoutMs === INFINITE ? Infinity : Math.max(deadline, start + LOCK_WAIT_FLOOR_US);
    let objects: number[] = [];
    // One transaction resolves the handles, makes the first attempt and, failing that, registers.
    let first: number;
    try {
      first = ns.transact(() => {
        objects = resolveObjects();
        before?.();
        const changed = new Set<number>();
        engine.refresh(objects, changed, timeoutMs === 0);
        engine.dispatch(changed);
        if (owner !== me && !(ns.r(threadWord(owner, T.state)) === THREAD_LIVE && ns.r(threadWord(owner, T.process)) === ns.process))
          throw new Win32Error(ERROR_INVALID_PARAMETER, 'WaitForMultipleObjectsEx'); // not a live thread of this process
        const code = engine.tryWait(owner, objects, waitAll);
        if (code >= 0) return code;
        if (timeoutMs === 0) return WAIT_TIMEOUT;
        const ticket = ns.r(threadWord(me, T.sequence));
        engine.register(me, objects, waitAll, owner);
        if (keepPlace?.(objects, ticket)) ns.w(threadWord(me, T.sequence), ticket);
        return WAITING;
      }, lockDeadline);
    } catch (error) {
      if (error instanceof LockDeadlineError) return WAIT_TIMEOUT; // nothing was done
      throw error;
    }
    if (first !== WAITING) return first;
    const status = threadWord(me, T.status);
    for (;;) {
      if (Atomics.load(ns.i32, status) !== WAITING) break;
      const now = Namespace.monotonicMicros();
      const sliceMs = Math.min((deadline - now) / 1000, SLICE_MS, engine.nextDueMs(objects));
      if (sliceMs > 0) deathWatch.sleep(objects, WAITING, sliceMs);
      if (Atomics.load(ns.i32, status) !== WAITING) break;
      try {
        ns.transact(() => {
          this.#look(objects);
          if (ns.r(status) === WAITING && Namespace.monotonicMicros() >= deadline) engine.timeOut(me);
        }, lockDeadline);
      } catch (error) {
        if (!(error instanceof LockDeadlineError)) throw error;
        if (Atomics.load(ns.i32, status) !== WAITING) break; // handed a result meanwhile: take it
        // Said in the slot too: if this thread makes no transaction for a long time, another
        // waiter's periodic pass ends the wait and gives back what it is handed meanwhile.
        Atomics.store(ns.i32, threadWord(me, T.gaveUp), 1);
        ns.pendingCleanup = () => {
          const changed = new Set<number>();
          engine.dropOwnStaleWait(changed);
          engine.dispatch(changed);
        };
        return WAIT_TIMEOUT;
      }
    }
    const result = Atomics.load(ns.i32, status);
    Atomics.store(ns.i32, status, IDLE); // taken: a reclaim no longer gives it back
    if (!isWaitResult(result, objects.length, waitAll)) throw ns.damaged(`the status word of a wait: ${result}`);
    return result;
  }

  /**
   * The periodic look of this thread's registered wait on `objects` (in a transaction):
   * what no futex reports. Timers due and owners dead are handed out; then, if the wait
   * is still registered, what the dead hold and what waits given up were handed is reclaimed.
   */
  #look(objects: readonly number[]): void {
    const { ns, engine } = this;
    const status = threadWord(ns.thread, T.status);
    if (ns.r(status) !== WAITING) return;
    const changed = new Set<number>();
    engine.refresh(objects, changed, true);
    // A count of waits that says none while this one is registered is damage: a waker
    // skipped the waiters, or a fast path went past them. Repair it, and look at this
    // wait's objects as a waker would have.
    if (ns.r(H.waiting) <= 0 || objects.some((obj) => ns.r(objectWord(obj, O.waiters)) <= 0)) engine.recountWaiting(objects, changed);
    engine.dispatch(changed);
    if (ns.r(status) !== WAITING) return;
    // Still waiting: now (not before handing out what fell due) reclaim what the dead hold,
    // and what was handed to waits that live threads gave up.
    const freed = new Set<number>();
    engine.sweepGivenUpWaits(freed);
    engine.reclaim(freed, false);
    engine.dispatch(freed);
  }

  /**
   * For a wait thread of the async runtime whose waits the thread it serves registers in
   * this thread's slot (pool-waits.ts): sleeps while that wait is registered, as a blocked
   * waiter does (on its status word and on the life words of the owners it waits for),
   * for one slice at most, and makes the periodic look when the slice ends or an owner
   * dies. Returns `waiting` (call again), `idle` (no wait registered), or `result`: a
   * result nobody took, which the served thread must be told of (its bell did not ring:
   * this thread was woken for it, or it stayed there RESULT_GRACE_MS).
   */
  watch(): 'waiting' | 'result' | 'idle' {
    const { ns, engine, deathWatch } = this;
    const status = threadWord(ns.thread, T.status);
    const state = () => {
      const s = Atomics.load(ns.i32, status);
      return s === WAITING ? 'waiting' : s === IDLE ? 'idle' : 'result';
    };
    const seen = Atomics.load(ns.i32, status);
    if (seen >= 0) {
      // A result: its bell rang, most likely, and the served thread takes it. Said `result`
      // only if it is still there after a grace (a ring that could not be made).
      ns.sleepOnStatus(seen, RESULT_GRACE_MS);
      return state();
    }
    if (seen !== WAITING) return 'idle';
    // Read without the lock: picks which life words to watch and how long to sleep (the look checks).
    const objects = engine.waitList(ns.thread).filter((obj) => obj >= 0);
    const sliceMs = Math.min(SLICE_MS, engine.nextDueMs(objects));
    const start = Namespace.monotonicMicros();
    const look = sliceMs <= 0 || deathWatch.sleep(objects, WAITING, sliceMs);
    const early = !look && Namespace.monotonicMicros() - start < sliceMs * 1000;
    const now = state();
    if (now === 'result') {
      // Woken for it, not by a death: its waker wakes waiters instead of ringing their bell
      // (another program, an older version): say so at once. Otherwise its bell rang: the
      // grace above applies, at the next call.
      return early ? 'result' : 'waiting';
    }
    if (now !== 'waiting') return now;
    // Woken early by its served thread (a new wait to watch): no look yet.
    if (early) return 'waiting';
    ns.transact(() => this.#look(engine.waitList(ns.thread).filter((obj) => obj >= 0)));
    // A result the look handed out (a timer due, an owner dead) rang the bell like any other.
    return state() === 'idle' ? 'idle' : 'waiting';
  }
}
