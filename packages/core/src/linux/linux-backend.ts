/**
 * The Linux backend: the Backend interface over a shared-memory namespace (see
 * namespace.ts for transactions, object-semantics.ts for the semantics and wait-loop.ts for the
 * blocking wait). Arguments the OS would judge are judged here with the codes Windows
 * gives.
 */
import type { Backend, CreatedObject, RawHandle } from '../backend.js';
import type { ObjectKind } from '../object-kind.js';
import { CURRENT_PROCESS, CURRENT_THREAD } from '../process-backend.js';
import {
  EVENT_MODIFY_STATE,
  INFINITE,
  MAXIMUM_WAIT_OBJECTS,
  MWMO_WAITALL,
  SEMAPHORE_MODIFY_STATE,
  SYNCHRONIZE,
  TIMER_MODIFY_STATE,
  WAIT_OBJECT_0,
  WAIT_TIMEOUT,
} from '../constants.js';
import {
  ERROR_ACCESS_DENIED,
  ERROR_FILE_NOT_FOUND,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_NOT_GUI_PROCESS,
  ERROR_NOT_ENOUGH_MEMORY,
  ERROR_NOT_OWNER,
  ERROR_TOO_MANY_POSTS,
} from '../error-codes.js';
import { Win32Error } from '../errors.js';
import { mapGenericAccess, openAccess } from '../access-rights.js';
import { ObjectSemantics } from './object-semantics.js';
import { DeathWatch } from './death-watch.js';
import { FastPaths, UNDECIDED } from './fast-paths.js';
import { registerThread } from './registration.js';
import {
  H,
  KIND,
  LIMITS,
  type Kind,
  O,
  T,
  TIMER_MONOTONIC,
  TIMER_REALTIME,
  TIMER_INACTIVE,
  WAITING,
  objectWord,
  splitMicros,
  threadWord,
} from './layout.js';
import { ESRCH, loadLibc } from './libc.js';
import { Namespace } from './namespace.js';
import { createLinuxProcesses } from './processes.js';
import { holdersOf, inspectNamespace } from './namespace-snapshot.js';
import { lookupName, parseName, setName } from './names.js';
import { WaitLoop } from './wait-loop.js';
import { WaitBells } from './bells.js';
import { createPoolWaits } from './pool-waits.js';

/** 100 ns units between 1601-01-01 and 1970-01-01. */
const FILETIME_UNIX_EPOCH = 116_444_736_000_000_000n;

const KIND_NAMES: Record<Exclude<Kind, 0>, ObjectKind> = {
  [KIND.event]: 'event',
  [KIND.mutex]: 'mutex',
  [KIND.semaphore]: 'semaphore',
  [KIND.timer]: 'waitable-timer',
  [KIND.process]: 'process',
};

/** A wait on nothing that can be signaled: blocks for the timeout (INFINITE: forever), then WAIT_TIMEOUT. */
function sleepThenTimeOut(timeoutMs: number): number {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, timeoutMs === INFINITE ? Infinity : timeoutMs);
  return WAIT_TIMEOUT;
}

export function createLinuxBackend(): Backend {
  const libc = loadLibc();
  const ns = new Namespace(libc);
  const engine = new ObjectSemantics(ns, libc);
  const fast = new FastPaths(ns);
  const deathWatch = new DeathWatch(ns, (p, ms) => engine.awaitExit(p, ms));
  const waitLoop = new WaitLoop(ns, engine, deathWatch);
  const bells = new WaitBells(ns, libc);
  ns.bells = bells;
  /** The blocking wait (wait-loop.ts). */
  const wait: WaitLoop['wait'] = (...args) => waitLoop.wait(...args);
  registerThread(ns, engine);

  /**
   * Runs `body` in a transaction after freeing what dead processes hold (when
   * `processesNow`) and what the periodic pass finds. Freeing is done in bounded
   * transactions, so `body` runs in the first one that has nothing left to free. If the
   * tables are full, everything the dead hold is freed and `body` tried once more.
   */
  function afterReclaim<R>(processesNow: boolean, body: () => R): R {
    let forced = false;
    for (;;) {
      try {
        const done = ns.transact(() => {
          const changed = new Set<number>();
          const complete = engine.reclaim(changed, processesNow || forced, forced);
          engine.dispatch(changed);
          return complete ? { value: body() } : null;
        });
        if (done) return done.value;
      } catch (error) {
        if (forced || !(error instanceof Win32Error && error.errno === ERROR_NOT_ENOUGH_MEMORY)) throw error;
        forced = true;
      }
    }
  }

  /** Windows' answer to a name taken by another kind of object, saying which kind has it. */
  function kindClash(found: number, wanted: Kind, name: string, syscall: string): Win32Error {
    const kindName = (k: number) => (KIND_NAMES[k as Exclude<Kind, 0>] ?? `kind ${k}`).replace('-', ' ');
    const article = (word: string) => (/^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`);
    const has = kindName(ns.r(objectWord(found, O.kind)));
    return new Win32Error(
      ERROR_INVALID_HANDLE,
      syscall,
      `The name ${JSON.stringify(name)} belongs to ${article(has)}, not ${article(kindName(wanted))}.`,
    );
  }

  /** Creates a named or anonymous object, or opens the existing one of that name. */
  function create(
    kind: Kind,
    name: string | null,
    access: number,
    syscall: string,
    init: (obj: number) => void,
    onExisting?: (obj: number) => void,
  ): CreatedObject {
    const parsed = name ? parseName(name, syscall) : null;
    const granted = mapGenericAccess(KIND_NAMES[kind as Exclude<Kind, 0>], access);
    return afterReclaim(parsed !== null, () => {
      if (parsed) {
        const found = lookupName(ns, parsed);
        if (found >= 0) {
          if (ns.r(objectWord(found, O.kind)) !== kind) throw kindClash(found, kind, name!, syscall);
          onExisting?.(found);
          return { handle: engine.allocHandle(found, granted, syscall), existed: true };
        }
      }
      const obj = engine.allocObject(kind);
      init(obj);
      if (parsed) setName(ns, obj, parsed);
      return { handle: engine.allocHandle(obj, granted, syscall), existed: false };
    });
  }

  function open(kind: Kind, name: string, access: number, syscall: string): RawHandle {
    const parsed = parseName(name, syscall);
    return afterReclaim(true, () => {
      const found = lookupName(ns, parsed);
      if (found < 0) throw new Win32Error(ERROR_FILE_NOT_FOUND, syscall);
      if (ns.r(objectWord(found, O.kind)) !== kind) throw kindClash(found, kind, name, syscall);
      // Judged after the lookup, as Windows does: a missing name is ERROR_FILE_NOT_FOUND whatever the mask.
      return engine.allocHandle(found, openAccess(KIND_NAMES[kind as Exclude<Kind, 0>], access, syscall), syscall);
    });
  }

  /** Changes an object's state and hands it to the waits it can satisfy. */
  function change<R>(handle: RawHandle, access: number, kinds: readonly Kind[], syscall: string, body: (obj: number) => R): R {
    return ns.transact(() => {
      const obj = engine.resolve(handle, access, kinds, syscall);
      const result = body(obj);
      engine.dispatch(new Set([obj]));
      return result;
    });
  }

  function setEventSignal(obj: number, value: number): void {
    ns.setState(obj, value);
  }

  function releaseMutexLocked(obj: number): void {
    if (ns.state(obj) !== ns.thread + 1) throw new Win32Error(ERROR_NOT_OWNER, 'ReleaseMutex');
    const recursion = ns.r(objectWord(obj, O.recursion)) - 1;
    ns.w(objectWord(obj, O.recursion), recursion);
    if (recursion === 0) ns.setState(obj, 0);
  }

  function releaseSemaphoreLocked(obj: number, count: number): number {
    const previous = ns.state(obj);
    if (previous + count > ns.r(objectWord(obj, O.maximum))) throw new Win32Error(ERROR_TOO_MANY_POSTS, 'ReleaseSemaphore');
    ns.setState(obj, previous + count);
    if (engine.holdings.isCrashSafe(obj)) engine.holdings.released(obj, ns.process, count);
    return previous;
  }

  /** The objects a wait names, checked for SYNCHRONIZE access: run inside the wait's first transaction. */
  function resolveWaitList(
    handles: readonly RawHandle[],
    waitAll: boolean,
    syscall: string,
    limit: number = MAXIMUM_WAIT_OBJECTS,
  ): () => number[] {
    if (handles.length < 1 || handles.length > limit) throw new Win32Error(ERROR_INVALID_PARAMETER, syscall);
    return () => {
      const objects: number[] = [];
      for (let i = 0; i < handles.length; i++) objects.push(engine.resolve(handles[i]!, SYNCHRONIZE, null, syscall));
      if (waitAll && new Set(objects).size !== objects.length) throw new Win32Error(ERROR_INVALID_PARAMETER, syscall);
      return objects;
    };
  }

  /** Whether a registered wait of another thread (not `except`), queued after `ticket`, names one of `objects`. */
  function queuedSince(ticket: number, objects: readonly number[], except = ns.thread): boolean {
    const high = ns.r(H.threadsHigh);
    for (let t = 0; t < high && t < LIMITS.threads; t++) {
      if (t === except || ns.r(threadWord(t, T.status)) !== WAITING || ns.r(threadWord(t, T.state)) !== 1) continue;
      if (((ns.r(threadWord(t, T.sequence)) - ticket) | 0) <= 0) continue; // queued before: stays ahead
      const list = engine.waitList(t);
      if (objects.some((obj) => list.includes(obj))) return true;
    }
    return false;
  }

  /** This thread's last pool wait: its objects (slot and generation), and whether its first handle ended it. */
  let poolWait: { objects: Set<number>; interrupted: boolean } | null = null;
  const objectKey = (obj: number) => obj * 0x1_0000_0000 + (ns.r(objectWord(obj, O.generation)) >>> 0);

  /** A process object holding `fd` (a pidfd of ours, closed here on failure) and a handle to it. */
  function adoptPidfd(pid: number, fd: number, access: number, syscall: string): RawHandle {
    try {
      const granted = openAccess('process', access, syscall, true);
      return create(KIND.process, null, granted, syscall, (obj) => {
        ns.w(objectWord(obj, O.pid), pid);
        ns.w(objectWord(obj, O.pidfd), fd);
        ns.w(objectWord(obj, O.ownerProcess), ns.process);
      }).handle;
    } catch (error) {
      libc.close(fd);
      throw error;
    }
  }

  function duplicate(handle: RawHandle): RawHandle {
    return ns.transact(() => {
      const obj = engine.resolve(handle, 0, null, 'DuplicateHandle');
      return engine.allocHandle(obj, engine.handleAccess(handle, 'DuplicateHandle'), 'DuplicateHandle');
    });
  }

  const processes = createLinuxProcesses(ns, engine, libc, adoptPidfd, duplicate);

  return {
    platform: 'linux',
    processes,
    nativeWaitLimit: LIMITS.waitList,

    createEvent({ name, manualReset, initialState, access }) {
      return create(KIND.event, name, access, 'CreateEventEx', (obj) => {
        ns.w(objectWord(obj, O.manualReset), manualReset ? 1 : 0);
        ns.setState(obj, initialState ? 1 : 0);
      });
    },
    openEvent: (name, access) => open(KIND.event, name, access, 'OpenEvent'),
    setEvent(handle) {
      if (fast.setSignal(handle, 1)) return;
      change(handle, EVENT_MODIFY_STATE, [KIND.event], 'SetEvent', (obj) => setEventSignal(obj, 1));
    },
    resetEvent(handle) {
      if (fast.setSignal(handle, 0)) return;
      ns.transact(() => setEventSignal(engine.resolve(handle, EVENT_MODIFY_STATE, [KIND.event], 'ResetEvent'), 0));
    },
    pulseEvent(handle) {
      if (fast.setSignal(handle, 0)) return; // nobody waits: a pulse is a reset
      // Set, hand to the waiters present now, unset: all in one transaction, so no one sees it set.
      ns.transact(() => {
        const obj = engine.resolve(handle, EVENT_MODIFY_STATE, [KIND.event], 'PulseEvent');
        setEventSignal(obj, 1);
        engine.dispatch(new Set([obj]));
        setEventSignal(obj, 0);
      });
    },

    createMutex({ name, initialOwner, access }) {
      // Initial ownership is taken only by the creation of a new mutex, not by opening one.
      return create(KIND.mutex, name, access, 'CreateMutexEx', (obj) => {
        if (!initialOwner) return;
        ns.setState(obj, ns.thread + 1);
        ns.w(objectWord(obj, O.recursion), 1);
      });
    },
    openMutex: (name, access) => open(KIND.mutex, name, access, 'OpenMutex'),
    releaseMutex(handle) {
      if (fast.releaseMutex(handle)) return;
      change(handle, 0, [KIND.mutex], 'ReleaseMutex', releaseMutexLocked);
    },

    createSemaphore({ name, initialCount, maximumCount, access, crashSafe = false }) {
      if (maximumCount <= 0 || initialCount < 0 || initialCount > maximumCount)
        throw new Win32Error(ERROR_INVALID_PARAMETER, 'CreateSemaphoreEx');
      return create(
        KIND.semaphore,
        name,
        access,
        'CreateSemaphoreEx',
        (obj) => {
          ns.setState(obj, initialCount);
          ns.w(objectWord(obj, O.maximum), maximumCount);
          if (crashSafe) ns.w(objectWord(obj, O.crashSafe), 1);
        },
        // Asked for crash-safe permits, found a plain semaphore: it becomes crash-safe (holdings.ts).
        (obj) => {
          if (crashSafe && !engine.holdings.isCrashSafe(obj)) engine.holdings.makeCrashSafe(obj, 'CreateSemaphoreEx');
        },
      );
    },
    openSemaphore: (name, access) => open(KIND.semaphore, name, access, 'OpenSemaphore'),
    releaseSemaphore(handle, count) {
      if (count <= 0) throw new Win32Error(ERROR_INVALID_PARAMETER, 'ReleaseSemaphore');
      const previous = fast.releaseSemaphore(handle, count);
      if (previous !== UNDECIDED) return previous;
      return change(handle, SEMAPHORE_MODIFY_STATE, [KIND.semaphore], 'ReleaseSemaphore', (obj) => releaseSemaphoreLocked(obj, count));
    },

    createWaitableTimer({ name, manualReset, access }) {
      // Futex timeouts are hrtimers: every timer here is high-resolution.
      const r = create(KIND.timer, name, access, 'CreateWaitableTimerEx', (obj) =>
        ns.w(objectWord(obj, O.manualReset), manualReset ? 1 : 0),
      );
      return { ...r, highResolution: true };
    },
    openWaitableTimer: (name, access) => open(KIND.timer, name, access, 'OpenWaitableTimer'),
    setWaitableTimer(handle, dueTime, periodMs) {
      if (periodMs < 0) throw new Win32Error(ERROR_INVALID_PARAMETER, 'SetWaitableTimer');
      const relative = dueTime < 0n;
      const due = relative ? Namespace.monotonicMicros() + Number(-dueTime) / 10 : Number(dueTime - FILETIME_UNIX_EPOCH) / 10;
      // Past 2^53 µs (285 years) the clock cannot hold it: such a timer never falls due.
      const [hi, lo] = splitMicros(Math.min(Number.MAX_SAFE_INTEGER, Math.max(0, Math.round(due))));
      change(handle, TIMER_MODIFY_STATE, [KIND.timer], 'SetWaitableTimer', (obj) => {
        ns.setState(obj, 0);
        ns.w(objectWord(obj, O.clock), relative ? TIMER_MONOTONIC : TIMER_REALTIME);
        ns.w(objectWord(obj, O.dueHi), hi);
        ns.w(objectWord(obj, O.dueLo), lo);
        ns.w(objectWord(obj, O.period), periodMs);
        engine.refresh([obj], new Set(), false); // a due time already past signals it now
      });
    },
    cancelWaitableTimer(handle) {
      ns.transact(() => {
        const obj = engine.resolve(handle, TIMER_MODIFY_STATE, [KIND.timer], 'CancelWaitableTimer');
        ns.w(objectWord(obj, O.clock), TIMER_INACTIVE);
      });
    },

    openProcess(pid, access) {
      if (pid === 0)
        throw new Win32Error(ERROR_INVALID_PARAMETER, 'OpenProcess', 'Process id 0 is the idle process, which cannot be opened.');
      const fd = libc.pidfdOpen(pid);
      if (fd === -ESRCH || fd === -22) throw new Win32Error(ERROR_INVALID_PARAMETER, 'OpenProcess', `No process has id ${pid}.`);
      if (fd < 0) throw new Win32Error(ERROR_ACCESS_DENIED, 'OpenProcess');
      return adoptPidfd(pid, fd, access, 'OpenProcess');
    },
    getExitCodeProcess: (handle) => processes.getExitCodeProcess(handle),
    getCurrentProcessId: () => process.pid,

    waitForSingleObject(handle, timeoutMs) {
      // The current process and thread are never signaled while the caller runs: the wait times out.
      if (handle === CURRENT_PROCESS || handle === CURRENT_THREAD) return sleepThenTimeOut(timeoutMs);
      const code = fast.wait(handle, timeoutMs);
      if (code !== UNDECIDED) return code;
      return wait(resolveWaitList([handle], false, 'WaitForSingleObjectEx'), false, timeoutMs);
    },
    waitForMultipleObjects(handles, waitAll, timeoutMs) {
      const code = handles.length === 1 ? fast.wait(handles[0]!, timeoutMs) : UNDECIDED;
      if (code !== UNDECIDED) return code;
      return wait(resolveWaitList(handles, waitAll, 'WaitForMultipleObjectsEx'), waitAll, timeoutMs);
    },
    msgWaitForMultipleObjects(handles, timeoutMs, _wakeMask, flags) {
      // No process here has a Win32 message queue: wait on the handles alone.
      // Nothing can wake it but the timeout, as on Windows for a thread without messages.
      if (handles.length === 0) return sleepThenTimeOut(timeoutMs);
      const waitAll = (flags & MWMO_WAITALL) !== 0;
      return wait(resolveWaitList(handles, waitAll, 'MsgWaitForMultipleObjectsEx'), waitAll, timeoutMs);
    },
    signalObjectAndWait(toSignal, toWaitOn, timeoutMs) {
      return wait(resolveWaitList([toWaitOn], false, 'SignalObjectAndWait'), false, timeoutMs, () => {
        const obj = engine.resolve(toSignal, 0, [KIND.event, KIND.mutex, KIND.semaphore], 'SignalObjectAndWait');
        const kind = ns.r(objectWord(obj, O.kind));
        const access = engine.handleAccess(toSignal, 'SignalObjectAndWait');
        if (kind === KIND.event) {
          if ((access & EVENT_MODIFY_STATE) === 0) throw new Win32Error(ERROR_ACCESS_DENIED, 'SignalObjectAndWait');
          setEventSignal(obj, 1);
        } else if (kind === KIND.semaphore) {
          if ((access & SEMAPHORE_MODIFY_STATE) === 0) throw new Win32Error(ERROR_ACCESS_DENIED, 'SignalObjectAndWait');
          releaseSemaphoreLocked(obj, 1);
        } else {
          releaseMutexLocked(obj);
        }
        engine.dispatch(new Set([obj]));
      });
    },
    waitForInputIdle(handle) {
      ns.transact(() => engine.resolve(handle, 0, [KIND.process], 'WaitForInputIdle'));
      // As Windows answers for a console process: there is no GUI here to wait for.
      throw new Win32Error(ERROR_NOT_GUI_PROCESS, 'WaitForInputIdle');
    },

    ownerToken: () => ns.thread,
    poolWaits: createPoolWaits({
      ns,
      libc,
      engine,
      bells,
      waitLoop,
      fast,
      resolve: (handles) => resolveWaitList(handles, false, 'WaitForMultipleObjectsEx', LIMITS.waitList)(),
      queuedSince,
    }),
    waitAnyForPool(handles, timeoutMs, acquireFor) {
      if (acquireFor !== undefined && !(Number.isInteger(acquireFor) && acquireFor >= 0 && acquireFor < LIMITS.threads))
        throw new Win32Error(ERROR_INVALID_PARAMETER, 'WaitForMultipleObjectsEx');
      // A pool wait that its first handle (the wait thread's control event) interrupted keeps its
      // place in the FIFO order when renewed: a command to the wait thread must not send its
      // awaiters behind waiters that came meanwhile. Objects it adds may share that place only if
      // nobody queued on them since (they would be passed).
      const previous = poolWait;
      let registered = false;
      const keepPlace = (objects: readonly number[], ticket: number) => {
        registered = true;
        if (previous === null || !previous.interrupted) return false;
        const added = objects.filter((obj) => !previous.objects.has(objectKey(obj)));
        return added.length === 0 || !queuedSince(ticket, added);
      };
      let keys: number[] = [];
      const resolveList = resolveWaitList(handles, false, 'WaitForMultipleObjectsEx', LIMITS.waitList);
      poolWait = null;
      const resolveAndKeep = () => {
        const objects = resolveList();
        keys = objects.map(objectKey); // in the transaction: the generations are the ones waited on
        return objects;
      };
      const code = wait(resolveAndKeep, false, timeoutMs, undefined, keepPlace, acquireFor);
      // The place kept is that of the last wait that queued: a wait that returned at once
      // carries its objects and its standing forward (after a wait that was served, none).
      if (registered) poolWait = { objects: new Set(keys), interrupted: code === WAIT_OBJECT_0 };
      else poolWait = previous && { objects: previous.objects, interrupted: previous.interrupted && code === WAIT_OBJECT_0 };
      return code;
    },
    sameObject(first, second) {
      if (first === second) return true;
      return ns.transact(
        () => engine.resolve(first, 0, null, 'CompareObjectHandles') === engine.resolve(second, 0, null, 'CompareObjectHandles'),
      );
    },
    querySemaphore(handle) {
      return ns.transact(() => {
        const obj = engine.resolve(handle, 0x0001 /* SEMAPHORE_QUERY_STATE */, [KIND.semaphore], 'NtQuerySemaphore');
        return {
          count: ns.peekState(obj),
          maximum: ns.r(objectWord(obj, O.maximum)),
          crashSafe: engine.holdings.isCrashSafe(obj),
          recovered: ns.r(objectWord(obj, O.recovered)),
          held: engine.holdings.held(obj, ns.process),
          holders: holdersOf(ns, engine, obj),
        };
      });
    },
    isManualResetEvent(handle) {
      return ns.transact(() => ns.r(objectWord(engine.resolve(handle, 0, [KIND.event], 'NtQueryEvent'), O.manualReset)) === 1);
    },
    waitedByOtherProcess(handle) {
      // Nobody waits on anything: no transaction (a wait queued a moment later comes after the caller's release).
      if (Atomics.load(ns.i32, H.waiting) === 0) return false;
      return ns.transact(() => engine.waitedByOtherProcess(engine.resolve(handle, 0, null, 'NtQueryObject')));
    },
    inspect: () => inspectNamespace(ns, engine),

    objectKind(handle) {
      if (handle === CURRENT_PROCESS) return 'process';
      if (handle === CURRENT_THREAD) return 'thread';
      const kind = ns.transact(() => ns.r(objectWord(engine.resolve(handle, 0, null, 'NtQueryObject'), O.kind)));
      return KIND_NAMES[kind as Exclude<Kind, 0>];
    },
    duplicateHandle: duplicate,
    closeHandle(handle) {
      // The pseudo handles need no closing (Windows: CloseHandle of them succeeds and does nothing).
      if (handle === CURRENT_PROCESS || handle === CURRENT_THREAD) return;
      ns.transact(() => engine.freeHandle(handle, 'CloseHandle'));
      processes.sweep(); // a child whose last handle this was is reaped now
    },
  };
}
