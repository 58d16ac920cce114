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

/** The result of a Create* call. */
export interface CreatedObject {
  readonly handle: RawHandle;
  /** The name was taken by an object of the same kind, which was opened instead (ERROR_ALREADY_EXISTS). */
  readonly existed: boolean;
}

export interface CreatedTimer extends CreatedObject {
  /** The timer is a high-resolution one (CREATE_WAITABLE_TIMER_HIGH_RESOLUTION was accepted). */
  readonly highResolution: boolean;
}

export interface CreateEventArgs {
  readonly name: string | null;
  readonly manualReset: boolean;
  readonly initialState: boolean;
  readonly access: number;
}
export interface CreateMutexArgs {
  readonly name: string | null;
  readonly initialOwner: boolean;
  readonly access: number;
}
export interface CreateSemaphoreArgs {
  readonly name: string | null;
  readonly initialCount: number;
  readonly maximumCount: number;
  readonly access: number;
  /** Record each process's units and give back those of a process that dies (Linux; see Semaphore.create). */
  readonly crashSafe?: boolean;
}
export interface CreateTimerArgs {
  readonly name: string | null;
  readonly manualReset: boolean;
  /** Ask for a high-resolution timer; a backend without one falls back to a normal timer. */
  readonly highResolution: boolean;
  readonly access: number;
}

export interface Backend {
  readonly platform: 'win32' | 'linux';
  /** Most handles one native wait takes (64 on Windows). The public API keeps 64 everywhere. */
  readonly nativeWaitLimit: number;

  createEvent(args: CreateEventArgs): CreatedObject;
  openEvent(name: string, access: number, inherit: boolean): RawHandle;
  setEvent(handle: RawHandle): void;
  resetEvent(handle: RawHandle): void;
  pulseEvent(handle: RawHandle): void;

  createMutex(args: CreateMutexArgs): CreatedObject;
  openMutex(name: string, access: number, inherit: boolean): RawHandle;
  releaseMutex(handle: RawHandle): void;

  createSemaphore(args: CreateSemaphoreArgs): CreatedObject;
  openSemaphore(name: string, access: number, inherit: boolean): RawHandle;
  /** Adds `count` and returns the previous count; over the maximum nothing changes (ERROR_TOO_MANY_POSTS). */
  releaseSemaphore(handle: RawHandle, count: number): number;

  createWaitableTimer(args: CreateTimerArgs): CreatedTimer;
  openWaitableTimer(name: string, access: number, inherit: boolean): RawHandle;
  /** `dueTime` in 100 ns units: negative relative (monotonic), positive absolute (FILETIME). */
  setWaitableTimer(handle: RawHandle, dueTime: bigint, periodMs: number, resume: boolean): void;
  cancelWaitableTimer(handle: RawHandle): void;

  openProcess(pid: number, access: number, inherit: boolean): RawHandle;
  /** The exit code, or STILL_ACTIVE (259) while the process runs. */
  getExitCodeProcess(handle: RawHandle): number;
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
  readonly kind: 'event' | 'mutex' | 'semaphore' | 'waitable-timer' | 'process';
  /** `Local\\name` or `Global\\name`; null for an anonymous object. */
  readonly name: string | null;
  /** Open handles plus registered waits. */
  readonly references: number;
  /** Events, timers, processes: set; semaphores: count > 0; mutexes: free. */
  readonly signaled: boolean;
  readonly count: number | null;
  readonly maximum: number | null;
  readonly owner: { readonly pid: number; readonly tid: number; readonly recursion: number } | null;
  /** A mutex whose owner died: the next wait reports it. */
  readonly abandoned: boolean;
  /** Threads blocked on it. */
  readonly waiters: number;
  /** A crash-safe semaphore: units given back from dead holders so far, and who holds units now. Otherwise null. */
  readonly crashSafe: CrashSafeSnapshot | null;
}

/** The state of the Linux backend's shared namespace, after reclaiming what dead processes held. */
export interface NamespaceSnapshot {
  readonly processes: readonly { readonly pid: number; readonly alive: boolean }[];
  readonly threads: readonly { readonly pid: number; readonly tid: number; readonly waiting: boolean }[];
  readonly objects: readonly ObjectSnapshot[];
  /** Registered waits. */
  readonly waiting: number;
  /** Times a thread took the lock over from a holder that died, and replayed its committed changes. */
  readonly lockTakeovers: number;
  readonly logReplays: number;
}
