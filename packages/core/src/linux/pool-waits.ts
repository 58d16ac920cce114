/**
 * Waits that the thread they serve registers itself, in the slot of one of its wait
 * threads (Backend.poolWaits): the async runtime's one-hop path on Linux.
 *
 * The serving thread (an event loop) registers, replaces and cancels the wait with one
 * transaction each, and acquires for itself (T.acquireFor). A waker that hands the wait a
 * result rings the serving thread's bell (bells.ts) instead of waking the slot's thread,
 * and the serving thread takes the result from the slot's status word. So neither the
 * registration nor the wake-up passes through another thread.
 *
 * The slot's own thread sleeps while a wait is registered there (WaitLoop.watch): on the
 * status word and the life words of the owners the wait is for, making the periodic look
 * that no futex replaces (timers due, dead owners and holders, ended processes, the
 * namespace's housekeeping). What its look hands the wait rings the bell like any other
 * waker's commit.
 *
 * A result has one taker: the serving thread (take, cancel, replace) or a reclaim of the
 * slot once its thread is dead, each by compare-and-swap of the status word to IDLE.
 */
import type { PoolWaits, RawHandle } from '../backend.js';
import { ERROR_INVALID_PARAMETER } from '../error-codes.js';
import { Win32Error } from '../errors.js';
import { IDLE, LIMITS, O, T, THREAD_LIVE, WAITING, objectWord, threadWord } from './layout.js';
import type { Libc } from './libc.js';
import type { Namespace } from './namespace.js';
import type { ObjectSemantics } from './object-semantics.js';
import type { WaitBells } from './bells.js';
import type { WaitLoop } from './wait-loop.js';
import type { FastPaths } from './fast-paths.js';

export interface PoolWaitDeps {
  readonly ns: Namespace;
  readonly libc: Libc;
  readonly engine: ObjectSemantics;
  readonly bells: WaitBells;
  readonly waitLoop: WaitLoop;
  readonly fast: FastPaths;
  /** The objects of a wait list, checked for SYNCHRONIZE access (in a transaction). */
  readonly resolve: (handles: readonly RawHandle[]) => number[];
  /** Whether a wait of a thread other than `except`, queued after `ticket`, names one of `objects`. */
  readonly queuedSince: (ticket: number, objects: readonly number[], except: number) => boolean;
}

export function createPoolWaits({ ns, libc, engine, bells, waitLoop, fast, resolve, queuedSince }: PoolWaitDeps): PoolWaits {
  /** A wait thread's slot of this process, given as a token by the thread it serves; throws if not. */
  const slotOf = (token: number): number => {
    if (
      !(Number.isInteger(token) && token >= 0 && token < LIMITS.threads) ||
      token === ns.thread ||
      Atomics.load(ns.i32, threadWord(token, T.state)) !== THREAD_LIVE ||
      Atomics.load(ns.i32, threadWord(token, T.process)) !== ns.process
    )
      throw new Win32Error(ERROR_INVALID_PARAMETER, 'WaitForMultipleObjectsEx');
    return token;
  };

  /** Takes a result from the slot's status word (to IDLE), or -1 if it holds none. */
  const takeResult = (slot: number): number => {
    const word = threadWord(slot, T.status);
    const seen = Atomics.load(ns.i32, word);
    if (seen < 0) return -1; // WAITING or IDLE
    if (Atomics.compareExchange(ns.i32, word, seen, IDLE) !== seen) return -1; // a reclaim took it
    return seen >= 0x100 ? -1 : seen; // WAIT_TIMEOUT: nothing to serve
  };

  /** Objects of the slot's registered wait, with the generation each was registered at. */
  const registeredKeys = (slot: number): Set<number> => {
    const keys = new Set<number>();
    for (const obj of engine.waitList(slot)) if (obj >= 0) keys.add(obj * 0x1_0000_0000 + (ns.r(objectWord(obj, O.generation)) >>> 0));
    return keys;
  };

  return {
    openBell: () => bells.open(),
    closeBell: () => bells.close(),

    replace(token, handles) {
      const slot = slotOf(token);
      const status = threadWord(slot, T.status);
      return ns.transact(() => {
        const handed = takeResult(slot);
        if (handed >= 0) return { handed };
        const objects = resolve(handles);
        let kept: { keys: Set<number>; ticket: number } | null = null;
        if (ns.r(status) === WAITING) {
          kept = { keys: registeredKeys(slot), ticket: ns.r(threadWord(slot, T.sequence)) };
          engine.timeOut(slot);
        }
        const changed = new Set<number>();
        engine.refresh(objects, changed, false);
        engine.dispatch(changed);
        const code = engine.tryWait(ns.thread, objects, false);
        if (code >= 0) {
          ns.w(status, IDLE);
          return { code };
        }
        engine.register(slot, objects, false, ns.thread, true);
        if (kept) {
          const added = objects.filter((obj) => !kept.keys.has(obj * 0x1_0000_0000 + (ns.r(objectWord(obj, O.generation)) >>> 0)));
          if (added.length === 0 || !queuedSince(kept.ticket, added, slot)) ns.w(threadWord(slot, T.sequence), kept.ticket);
        }
        return { code: -1 };
      });
    },

    cancel(token) {
      const slot = slotOf(token);
      const status = threadWord(slot, T.status);
      return ns.transact(() => {
        const handed = takeResult(slot);
        if (handed >= 0) return handed;
        if (ns.r(status) === WAITING) {
          engine.timeOut(slot);
          ns.w(status, IDLE);
        }
        return -1;
      });
    },

    take: (token) => takeResult(slotOf(token)),

    tryFast: (handle) => fast.wait(handle, 0),

    wake(token) {
      if (Number.isInteger(token) && token >= 0 && token < LIMITS.threads) libc.futexWake(ns.address(threadWord(token, T.status)), 1);
    },

    watch: () => waitLoop.watch(),
  };
}
