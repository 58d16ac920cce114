/**
 * The seam between the objects and the operating system. The Windows backend calls
 * kernel32; the Linux backend implements the same objects in shared memory. Everything
 * above it (the classes, the win32event compat module, the async runtime) is written
 * once against this interface.
 *
 * Contract shared by both backends:
 * - Arguments arrive already type-checked by the layer above; values the OS itself
 *   judges (counts, names, handles) are judged here, and a refusal throws
 *   {@link Win32Error} with the code Windows gives.
 * - A {@link RawHandle} is a number valid in every thread of the process that made it,
 *   so a wait thread (a worker) can wait on handles the main thread created.
 * - Every method may be called from any thread, and blocking waits block only the
 *   calling thread. A wait is interrupted from another thread by signaling an object in
 *   its handle list (the async runtime keeps one control event per wait thread).
 * - Mutex ownership belongs to the calling thread.
 */

import type { ObjectKind } from './object-kind.js';
import type { ProcessBackend } from './process-backend.js';
import type { RawHandle } from './raw-handle.js';

export type { RawHandle } from './raw-handle.js';

/**
 * The result of a Create* call.
 * @inline
 */
export interface CreatedObject {
  /** The new handle, owned by the caller (close it with {@link Backend.closeHandle}). */
  readonly handle: RawHandle;
  /** The name was taken by an object of the same kind, which was opened instead (ERROR_ALREADY_EXISTS). */
  readonly existed: boolean;
}

/**
 * The result of {@link Backend.createWaitableTimer}.
 * @inline
 */
export interface CreatedTimer extends CreatedObject {
  /** The timer is a high-resolution one (CREATE_WAITABLE_TIMER_HIGH_RESOLUTION was accepted). */
  readonly highResolution: boolean;
}

/**
 * The arguments of CreateEventEx, checked by the layer above.
 * @inline
 */
export interface CreateEventArgs {
  /** `Local\name`, `Global\name` or a bare name; null: anonymous. */
  readonly name: string | null;
  /** Stays signaled until reset (false: auto-reset). */
  readonly manualReset: boolean;
  /** Starts signaled. */
  readonly initialState: boolean;
  /** The access mask of the returned handle (EVENT_ALL_ACCESS from the classes). */
  readonly access: number;
}
/**
 * The arguments of CreateMutexEx, checked by the layer above.
 * @inline
 */
export interface CreateMutexArgs {
  /** `Local\name`, `Global\name` or a bare name; null: anonymous. */
  readonly name: string | null;
  /** The calling thread owns the new mutex (ignored when the name is taken: the existing one is only opened). */
  readonly initialOwner: boolean;
  /** The access mask of the returned handle (MUTEX_ALL_ACCESS from the classes). */
  readonly access: number;
}
/**
 * The arguments of CreateSemaphoreEx, checked by the layer above.
 * @inline
 */
export interface CreateSemaphoreArgs {
  /** `Local\name`, `Global\name` or a bare name; null: anonymous. */
  readonly name: string | null;
  /** Units free at creation, 0 to `maximumCount`. */
  readonly initialCount: number;
  /** The most units it holds, at least 1 (outside these bounds: ERROR_INVALID_PARAMETER). */
  readonly maximumCount: number;
  /** The access mask of the returned handle (SEMAPHORE_ALL_ACCESS from the classes). */
  readonly access: number;
  /** Record each process's units and give back those of a process that dies (Linux; see Semaphore.create). */
  readonly crashSafe?: boolean;
}
/**
 * The arguments of CreateWaitableTimerEx, checked by the layer above.
 * @inline
 */
export interface CreateTimerArgs {
  /** `Local\name`, `Global\name` or a bare name; null: anonymous. */
  readonly name: string | null;
  /** Stays signaled until set again (false: a synchronization timer, reset by the wait it releases). */
  readonly manualReset: boolean;
  /** Ask for a high-resolution timer; a backend without one falls back to a normal timer. */
  readonly highResolution: boolean;
  /** The access mask of the returned handle (TIMER_ALL_ACCESS from the classes). */
  readonly access: number;
}

/**
 * The seam between the objects and the operating system: kernel32 on Windows, the
 * shared-memory namespace on Linux; {@link getBackend} returns this process's. Its
 * methods are the Win32 functions of the same names, with Windows' error codes: a
 * refusal throws {@link Win32Error} (for example ERROR_INVALID_HANDLE for a handle
 * that is closed or of the wrong kind). Arguments are taken as already checked: the
 * classes (`Event`, `Mutex`...) are the checked API; call this directly only to do
 * what they do not.
 *
 * Blocking methods block the calling thread (never the whole process), and any method
 * may be called from any thread of the process.
 * @example
 * ```ts
 * const backend = getBackend();
 * const { handle } = backend.createEvent({ name: null, manualReset: true, initialState: false, access: EVENT_ALL_ACCESS });
 * backend.setEvent(handle);
 * backend.closeHandle(handle);
 * ```
 */
export interface Backend {
  /** Which backend this is: `'win32'` (kernel32) or `'linux'` (the shared-memory namespace). */
  readonly platform: 'win32' | 'linux';
  /** Most handles one native wait takes (64 on Windows). The public API keeps 64 everywhere. */
  readonly nativeWaitLimit: number;

  /**
   * CreateEventEx: a new event, or the existing event of that name (`existed`). A name
   * taken by an object of another kind: ERROR_INVALID_HANDLE.
   */
  createEvent(args: CreateEventArgs): CreatedObject;
  /**
   * OpenEvent: a handle to the existing event of that name. None: ERROR_FILE_NOT_FOUND;
   * another kind of object: ERROR_INVALID_HANDLE; `access` with rights that kind of
   * object does not have, or none: ERROR_ACCESS_DENIED. `inherit`: child processes inherit the handle (Windows).
   */
  openEvent(name: string, access: number, inherit: boolean): RawHandle;
  /** SetEvent: signals the event and releases the waits it can satisfy. */
  setEvent(handle: RawHandle): void;
  /** ResetEvent: unsignals the event. */
  resetEvent(handle: RawHandle): void;
  /** PulseEvent: releases the waits blocked now (all, or one for an auto-reset event) and leaves the event unsignaled. */
  pulseEvent(handle: RawHandle): void;

  /**
   * CreateMutexEx: a new mutex (owned by the calling thread if `initialOwner`), or the
   * existing mutex of that name (`existed`). A name taken by another kind of object:
   * ERROR_INVALID_HANDLE.
   */
  createMutex(args: CreateMutexArgs): CreatedObject;
  /** OpenMutex: as {@link Backend.openEvent}, for a mutex. */
  openMutex(name: string, access: number, inherit: boolean): RawHandle;
  /** ReleaseMutex: gives up one level of the calling thread's ownership. Not owned by this thread: ERROR_NOT_OWNER. */
  releaseMutex(handle: RawHandle): void;

  /**
   * CreateSemaphoreEx: a new semaphore, or the existing semaphore of that name
   * (`existed`; its counts are kept). Counts out of bounds: ERROR_INVALID_PARAMETER; a
   * name taken by another kind of object: ERROR_INVALID_HANDLE.
   */
  createSemaphore(args: CreateSemaphoreArgs): CreatedObject;
  /** OpenSemaphore: as {@link Backend.openEvent}, for a semaphore. */
  openSemaphore(name: string, access: number, inherit: boolean): RawHandle;
  /** Adds `count` and returns the previous count; over the maximum nothing changes (ERROR_TOO_MANY_POSTS). */
  releaseSemaphore(handle: RawHandle, count: number): number;

  /**
   * CreateWaitableTimerEx: a new timer (not set), or the existing timer of that name
   * (`existed`). A name taken by another kind of object: ERROR_INVALID_HANDLE.
   */
  createWaitableTimer(args: CreateTimerArgs): CreatedTimer;
  /** OpenWaitableTimer: as {@link Backend.openEvent}, for a waitable timer. */
  openWaitableTimer(name: string, access: number, inherit: boolean): RawHandle;
  /** `dueTime` in 100 ns units: negative relative (monotonic), positive absolute (FILETIME). */
  setWaitableTimer(handle: RawHandle, dueTime: bigint, periodMs: number, resume: boolean): void;
  /** CancelWaitableTimer: stops a set timer without changing whether it is signaled. */
  cancelWaitableTimer(handle: RawHandle): void;

  /**
   * OpenProcess: a handle to the process `pid`, signaled when it ends. No such process
   * (or pid 0): ERROR_INVALID_PARAMETER; not allowed: ERROR_ACCESS_DENIED.
   */
  openProcess(pid: number, access: number, inherit: boolean): RawHandle;
  /** The exit code, or STILL_ACTIVE (259) while the process runs. */
  getExitCodeProcess(handle: RawHandle): number;
  /** GetCurrentProcessId: this process's id. */
  getCurrentProcessId(): number;

  /**
   * WaitForSingleObjectEx: as a wait-any on one handle, except that it accepts the pseudo
   * handles of the current process and thread (never signaled while the caller runs).
   */
  waitForSingleObject(handle: RawHandle, timeoutMs: number, alertable: boolean): number;
  /** WaitForMultipleObjectsEx: returns the WAIT_* code; WAIT_FAILED throws. */
  waitForMultipleObjects(handles: readonly RawHandle[], waitAll: boolean, timeoutMs: number, alertable: boolean): number;
  /** MsgWaitForMultipleObjectsEx: like a wait, plus WAIT_OBJECT_0 + count when input of `wakeMask` is queued. */
  msgWaitForMultipleObjects(handles: readonly RawHandle[], timeoutMs: number, wakeMask: number, flags: number): number;
  /** SignalObjectAndWait: signals one object and waits on another as one step. */
  signalObjectAndWait(toSignal: RawHandle, toWaitOn: RawHandle, timeoutMs: number, alertable: boolean): number;
  /** WaitForInputIdle: only meaningful for GUI processes. */
  waitForInputIdle(process: RawHandle, timeoutMs: number): number;

  // --- For the async runtime's wait threads -------------------------------------------

  /**
   * Wait-any on up to `nativeWaitLimit` handles (64 on Windows, more on Linux), never
   * alertable: what a wait thread blocks in. Same results as waitForMultipleObjects.
   * Linux: a wait that its first handle (the thread's control event) ended keeps its
   * place in the FIFO order when renewed, unless it adds an object another thread
   * queued on since.
   */
  waitAnyForPool(handles: readonly RawHandle[], timeoutMs: number, acquireFor?: number): number;
  /**
   * Linux: a token for the calling thread that another thread of this process passes to
   * waitAnyForPool as `acquireFor`, so that a mutex that wait acquires is owned by the
   * calling thread (which then releases it itself, with no round trip to the wait
   * thread). Null where a thread cannot acquire for another (Windows).
   */
  ownerToken(): number | null;
  /**
   * Linux: waits the calling thread registers itself, in the slot of one of its wait
   * threads, and whose results reach its event loop in one hop (its wait bell). Absent on
   * Windows.
   */
  readonly poolWaits?: PoolWaits;
  /**
   * Windows: what a wait thread needs to take units of a crash-safe semaphore (its
   * ledger's handles), to pass to {@link Backend.adoptCrashSafeLedger} there; null for
   * any other handle. Absent on Linux, where the namespace records every taker.
   */
  crashSafeLedger?(handle: RawHandle): unknown;
  /** Windows: tells this thread's backend that `handle` is crash-safe with that ledger (null: it is not). */
  adoptCrashSafeLedger?(handle: RawHandle, ledger: unknown): void;
  /** Whether two handles refer to one object (CompareObjectHandles). */
  sameObject(first: RawHandle, second: RawHandle): boolean;
  /** A semaphore's count and maximum (NtQuerySemaphore; needs SEMAPHORE_QUERY_STATE). */
  querySemaphore(handle: RawHandle): SemaphoreState;
  /** Whether an event is manual-reset; null if the handle may not query it. */
  isManualResetEvent(handle: RawHandle): boolean | null;
  /**
   * Whether a thread of another process has a wait registered on the object now (so a
   * release given straight to a waiter of this process would pass it in the queue).
   * `null` where the OS does not show its waiters (Windows). Linux answers `false` without
   * looking at the handle when nothing at all waits in the namespace.
   */
  waitedByOtherProcess(handle: RawHandle): boolean | null;

  /** A snapshot of every object in the namespace (Linux: the shared namespace; Windows has no such view). */
  inspect?(): NamespaceSnapshot;

  /** What kind of object a handle refers to; not a handle of this process: ERROR_INVALID_HANDLE. */
  objectKind(handle: RawHandle): ObjectKind;
  /** Processes and threads (win32process). */
  readonly processes: ProcessBackend;

  /** A second handle to the same object, owned by the caller. */
  duplicateHandle(handle: RawHandle): RawHandle;
  /** CloseHandle: closes the handle; the object goes when its last handle does. Not open: ERROR_INVALID_HANDLE. */
  closeHandle(handle: RawHandle): void;
}

/** What NtQuerySemaphore tells, and what a crash-safe semaphore adds. */
export interface SemaphoreState {
  /** Units free now. */
  readonly count: number;
  /** The most units it can hold. */
  readonly maximum: number;
  /** Each process's units are recorded and a dead process's go back. */
  readonly crashSafe: boolean;
  /** Units given back from processes that died holding them, since the semaphore was created. */
  readonly recovered: number;
  /** Units the calling process holds by its record (0 for a plain semaphore). */
  readonly held: number;
  /** Every process that holds units by its record (empty for a plain semaphore); a dead one until a waiter or query sees its death. */
  readonly holders: readonly SemaphoreHolder[];
}

/** A process that holds units of a crash-safe semaphore. */
export interface SemaphoreHolder {
  /** Its process id. */
  readonly pid: number;
  /** The units it took and has not released. */
  readonly units: number;
}

/** The record of a crash-safe semaphore in a {@link NamespaceSnapshot}. */
export interface CrashSafeSnapshot {
  /** Units given back from processes that died holding them, since the semaphore was created. */
  readonly recovered: number;
  /** The processes that hold units now (a dead one until it is reclaimed). */
  readonly holders: readonly SemaphoreHolder[];
}

/** One object of a {@link NamespaceSnapshot}. */
export interface ObjectSnapshot {
  /** What kind of object it is. */
  readonly kind: 'event' | 'mutex' | 'semaphore' | 'waitable-timer' | 'process';
  /** `Local\\name` or `Global\\name`; null for an anonymous object. */
  readonly name: string | null;
  /** Open handles plus registered waits. */
  readonly references: number;
  /** Events, timers, processes: set; semaphores: count > 0; mutexes: free. */
  readonly signaled: boolean;
  /** A semaphore's free units; null for other kinds. */
  readonly count: number | null;
  /** A semaphore's maximum count; null for other kinds. */
  readonly maximum: number | null;
  /** The thread that owns a mutex; null if free, or not a mutex. */
  readonly owner: {
    /** The owner's process id. */
    readonly pid: number;
    /** The owner's thread id (Linux tid). */
    readonly tid: number;
    /** How many times it holds the mutex (releases needed to free it). */
    readonly recursion: number;
  } | null;
  /** A mutex whose owner died: the next wait reports it. */
  readonly abandoned: boolean;
  /** Threads blocked on it. */
  readonly waiters: number;
  /** A crash-safe semaphore: units given back from dead holders so far, and who holds units now. Otherwise null. */
  readonly crashSafe: CrashSafeSnapshot | null;
}

/** The state of the Linux backend's shared namespace, after reclaiming what dead processes held. */
export interface NamespaceSnapshot {
  /** The processes registered in the namespace (those that have used it and not yet been reclaimed). */
  readonly processes: readonly {
    /** Its process id. */
    readonly pid: number;
    /** Whether it still runs (a dead one is reclaimed by the next process that notices). */
    readonly alive: boolean;
  }[];
  /** The threads registered in the namespace. */
  readonly threads: readonly {
    /** The process id of its process. */
    readonly pid: number;
    /** Its thread id (Linux tid). */
    readonly tid: number;
    /** Whether it is blocked in a wait now. */
    readonly waiting: boolean;
  }[];
  /** Every object in the namespace, named or anonymous. */
  readonly objects: readonly ObjectSnapshot[];
  /** Registered waits. */
  readonly waiting: number;
  /** Times a thread took the lock over from a holder that died, and replayed its committed changes. */
  readonly lockTakeovers: number;
  /** Times a thread finished the committed changes (the redo log) of a lock holder that died mid-write. */
  readonly logReplays: number;
}

/**
 * Waits registered by the thread they serve, in the namespace slot of a wait thread
 * (Linux: core's linux/pool-waits.ts). The serving thread registers, replaces, cancels
 * and takes them without blocking; its wait thread only sleeps while one is registered
 * (watch()), so that what no futex reports is still looked at (timers due, owners and
 * holders dead, processes ended). Results ring the serving thread's bell, a FIFO its
 * event loop reads. `token` is the wait thread's {@link Backend.ownerToken}.
 * Result codes are WAIT_OBJECT_0 + i or WAIT_ABANDONED_0 + i, i indexing the handles
 * of the wait they end; -1: none.
 */
export interface PoolWaits {
  /** Opens the calling thread's bell (once: later calls return the same) and returns its descriptor, for the event loop to read. */
  openBell(): number;
  /** Wakers stop ringing the calling thread's bell. The caller closes the descriptor after. */
  closeBell(): void;
  /**
   * Replaces the wait in `token`'s slot by a wait-any on `handles`, for the calling thread
   * (mutexes acquired are the calling thread's), in one transaction. If the wait it
   * replaces was handed a result meanwhile, nothing is registered and `{ handed }` returns
   * that result (of the previous handles): serve it and call again. Otherwise `{ code }`:
   * what was acquired at once (then nothing is registered), or -1 once registered. A wait
   * replaced while still registered keeps its place in the FIFO order for the objects it
   * already had, and for the others if nobody queued on them since. Throws as a wait
   * would for a bad handle (and leaves the previous wait in place).
   */
  replace(
    token: number,
    handles: readonly RawHandle[],
  ):
    | {
        /** The result the replaced wait was handed (an index into its handles): nothing was registered. */
        readonly handed: number;
      }
    | {
        /** What was acquired at once (an index into `handles`), or -1: the wait is registered. */
        readonly code: number;
      };
  /**
   * Tries to take one handle without the namespace lock (the fast path of a wait of 0 ms):
   * WAIT_OBJECT_0 if taken (for the calling thread), WAIT_TIMEOUT if it is certainly not
   * available now, -1 if only a transaction can tell (replace() then makes that attempt).
   */
  tryFast(handle: RawHandle): number;
  /** Ends the wait in `token`'s slot; returns a result it was handed first (then the caller has it), or -1. */
  cancel(token: number): number;
  /** Takes the result the wait in `token`'s slot was handed, or -1 (still waiting, or none). */
  take(token: number): number;
  /** Wakes the wait thread `token` from watch() (it looks at its slot again). */
  wake(token: number): void;
  /**
   * In the wait thread: sleeps while the wait in its own slot is registered, one slice at
   * most, making the periodic look. Returns `waiting`, `result` (handed, and not taken:
   * its bell did not ring, so tell the serving thread), or `idle` (no wait).
   */
  watch(): 'waiting' | 'result' | 'idle';
}
