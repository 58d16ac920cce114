/**
 * `@waitables/core/win32event`: pywin32's `win32event` module, function for function,
 * so that a script ports line by line. Same names, argument order, return values and
 * constants; failures throw {@link error} (pywintypes.error: `winerror`, `funcname`,
 * `strerror`). A thin translation over the backend: no semantics of its own.
 *
 * Differences from Python, all forced by the language: `None` is `null`; handles are
 * {@link PyHANDLE} objects (numbers are accepted wherever a handle is); a timeout of -1
 * means INFINITE, as a Python int -1 does when pywin32 converts it to a DWORD.
 * Security attributes must be `null`; completion routines (APCs) must be `null`.
 *
 * As in pywin32, None (`null`) and a closed handle are the handle 0: calls on them
 * raise {@link error} with winerror 6 (ERROR_INVALID_HANDLE). The low two bits of a
 * handle value are ignored, as Windows ignores them.
 *
 * Also here, for scripts written before they moved: CloseHandle, GetLastError,
 * SetLastError, OpenProcess, GetCurrentProcess, GetCurrentProcessId, GetCurrentThread
 * (their home is `@waitables/core/win32api`) and GetExitCodeProcess
 * (`@waitables/core/win32process`).
 * @example
 * ```ts
 * import * as win32event from '@waitables/core/win32event';
 * const h = win32event.CreateEvent(null, 0, 0, 'Local\\job-done');
 * if (win32event.WaitForSingleObject(h, 5000) === win32event.WAIT_OBJECT_0) console.log('done');
 * ```
 * @packageDocumentation
 */
import type { RawHandle } from '../backend.js';
import {
  CREATE_WAITABLE_TIMER_HIGH_RESOLUTION,
  CREATE_WAITABLE_TIMER_MANUAL_RESET,
  EVENT_ALL_ACCESS,
  MUTEX_ALL_ACCESS,
  MWMO_WAITALL,
  SEMAPHORE_ALL_ACCESS,
  TIMER_ALL_ACCESS,
} from '../constants.js';
import { ERROR_ALREADY_EXISTS, ERROR_SUCCESS } from '../error-codes.js';
import { InvalidArgumentTypeError } from '../errors.js';
import type { ObjectKind } from '../object-kind.js';
import { getBackend } from '../load-backend.js';
import { PyHANDLE } from './pywintypes.js';
import { type HandleArg, bool, call, dword, millis, noSecurity, rawListOf, rawOf, setLastError } from './pywin32-support.js';
import { validateInteger, validateName } from '../validate.js';

export {
  INFINITE,
  MAXIMUM_WAIT_OBJECTS,
  WAIT_ABANDONED,
  WAIT_ABANDONED_0,
  WAIT_FAILED,
  WAIT_IO_COMPLETION,
  WAIT_OBJECT_0,
  WAIT_TIMEOUT,
  SYNCHRONIZE,
  DELETE,
  READ_CONTROL,
  WRITE_DAC,
  WRITE_OWNER,
  STANDARD_RIGHTS_REQUIRED,
  EVENT_ALL_ACCESS,
  EVENT_MODIFY_STATE,
  MUTEX_ALL_ACCESS,
  MUTEX_MODIFY_STATE,
  SEMAPHORE_ALL_ACCESS,
  SEMAPHORE_MODIFY_STATE,
  TIMER_ALL_ACCESS,
  TIMER_MODIFY_STATE,
  TIMER_QUERY_STATE,
  CREATE_WAITABLE_TIMER_MANUAL_RESET,
  CREATE_WAITABLE_TIMER_HIGH_RESOLUTION,
  PROCESS_QUERY_INFORMATION,
  PROCESS_QUERY_LIMITED_INFORMATION,
  PROCESS_TERMINATE,
  QS_ALLEVENTS,
  QS_ALLINPUT,
  QS_ALLPOSTMESSAGE,
  QS_HOTKEY,
  QS_INPUT,
  QS_KEY,
  QS_MOUSE,
  QS_MOUSEBUTTON,
  QS_MOUSEMOVE,
  QS_PAINT,
  QS_POSTMESSAGE,
  QS_RAWINPUT,
  QS_SENDMESSAGE,
  QS_TIMER,
  MWMO_ALERTABLE,
  MWMO_INPUTAVAILABLE,
  MWMO_WAITALL,
  STILL_ACTIVE,
} from '../constants.js';

/** pywintypes.error (`winerror`, `funcname`, `strerror`, `args`) and PyHANDLE. */
export { error, PyHANDLE, HANDLE } from './pywintypes.js';
export type { HandleArg } from './pywin32-support.js';
export {
  CloseHandle,
  GetLastError,
  SetLastError,
  OpenProcess,
  GetCurrentProcess,
  GetCurrentProcessId,
  GetCurrentThread,
} from './win32api.js';
export { GetExitCodeProcess } from './win32process.js';
export { GENERIC_READ, GENERIC_WRITE, GENERIC_EXECUTE, GENERIC_ALL, MAXIMUM_ALLOWED } from '../process-constants.js';

function created(handle: RawHandle, existed: boolean, kind: ObjectKind): PyHANDLE {
  setLastError(existed ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS);
  return new PyHANDLE(handle, kind);
}

function requiredName(value: unknown, path: string): string {
  return validateName(value, path, { required: true })!;
}

/** The Open* functions: the same checks, then the backend's open of that kind. */
function openNamed(
  method: 'openEvent' | 'openMutex' | 'openSemaphore' | 'openWaitableTimer',
  kind: ObjectKind,
  desiredAccess: unknown,
  bInheritHandle: unknown,
  name: unknown,
  namePath: string,
): PyHANDLE {
  const access = dword(desiredAccess, 'desiredAccess');
  const inherit = bool(bInheritHandle, 'bInheritHandle');
  const n = requiredName(name, namePath);
  return new PyHANDLE(
    call(() => getBackend()[method](n, access, inherit)),
    kind,
  );
}

// --- Events -----------------------------------------------------------------------

/**
 * CreateEvent: a new event, or the existing event of that name (then GetLastError()
 * returns ERROR_ALREADY_EXISTS and the flags are ignored). `EventAttributes` must be
 * `null`; a `Name` taken by another kind of object: {@link error} winerror 6
 * (ERROR_INVALID_HANDLE).
 * @example
 * ```ts
 * const h = win32event.CreateEvent(null, 1, 0, 'Local\\ready'); // manual-reset, unset
 * ```
 */
export function CreateEvent(
  EventAttributes: null,
  bManualReset: boolean | number,
  bInitialState: boolean | number,
  Name: string | null,
): PyHANDLE {
  noSecurity(EventAttributes, 'EventAttributes');
  const args = {
    name: validateName(Name, 'Name'),
    manualReset: bool(bManualReset, 'bManualReset'),
    initialState: bool(bInitialState, 'bInitialState'),
    access: EVENT_ALL_ACCESS,
  };
  const r = call(() => getBackend().createEvent(args));
  return created(r.handle, r.existed, 'event');
}

/**
 * OpenEvent: a handle to the existing event of that name, with `desiredAccess`
 * (`bInheritHandle`: child processes inherit it, on Windows). No event of that name:
 * {@link error} winerror 2 (ERROR_FILE_NOT_FOUND); an object of another kind: winerror 6
 * (ERROR_INVALID_HANDLE); rights that kind does not have: winerror 5 (ERROR_ACCESS_DENIED).
 * An empty name is an InvalidArgumentTypeError.
 * @example
 * ```ts
 * const h = win32event.OpenEvent(win32event.EVENT_MODIFY_STATE | win32event.SYNCHRONIZE, 0, 'Local\\ready');
 * ```
 */
export function OpenEvent(desiredAccess: number, bInheritHandle: boolean | number, name: string): PyHANDLE {
  return openNamed('openEvent', 'event', desiredAccess, bInheritHandle, name, 'name');
}

/**
 * SetEvent: signals the event, releasing the waits it satisfies (one for an auto-reset
 * event, all for a manual-reset one). A closed or wrong handle: {@link error} winerror 6.
 * @example
 * ```ts
 * win32event.SetEvent(h);
 * ```
 */
export function SetEvent(hEvent: HandleArg): void {
  const h = rawOf(hEvent, 'hEvent');
  call(() => getBackend().setEvent(h));
}

/**
 * ResetEvent: unsignals the event. A closed or wrong handle: {@link error} winerror 6.
 * @example
 * ```ts
 * win32event.ResetEvent(h);
 * ```
 */
export function ResetEvent(hEvent: HandleArg): void {
  const h = rawOf(hEvent, 'hEvent');
  call(() => getBackend().resetEvent(h));
}

/**
 * PulseEvent: releases the waits blocked at this instant (all for a manual-reset event,
 * one for an auto-reset event) and leaves the event unsignaled. Unreliable by design, as
 * in Windows: a thread not blocked at that instant misses the pulse.
 * @example
 * ```ts
 * win32event.PulseEvent(h);
 * ```
 */
export function PulseEvent(hEvent: HandleArg): void {
  const h = rawOf(hEvent, 'hEvent');
  call(() => getBackend().pulseEvent(h));
}

// --- Mutexes ----------------------------------------------------------------------

/**
 * CreateMutex: a new mutex (owned by the calling thread if `InitialOwner`), or the
 * existing mutex of that name (then GetLastError() returns ERROR_ALREADY_EXISTS and it is
 * not owned). `MutexAttributes` must be `null`; a `Name` taken by another kind of
 * object: {@link error} winerror 6.
 * @example
 * ```ts
 * const m = win32event.CreateMutex(null, 0, 'Local\\device');
 * ```
 */
export function CreateMutex(MutexAttributes: null, InitialOwner: boolean | number, Name: string | null): PyHANDLE {
  noSecurity(MutexAttributes, 'MutexAttributes');
  const args = { name: validateName(Name, 'Name'), initialOwner: bool(InitialOwner, 'InitialOwner'), access: MUTEX_ALL_ACCESS };
  const r = call(() => getBackend().createMutex(args));
  return created(r.handle, r.existed, 'mutex');
}

/**
 * OpenMutex: a handle to the existing mutex of that name, with `desiredAccess`
 * (`bInheritHandle`: child processes inherit it, on Windows). No mutex of that name:
 * {@link error} winerror 2 (ERROR_FILE_NOT_FOUND); an object of another kind: winerror 6
 * (ERROR_INVALID_HANDLE); rights that kind does not have: winerror 5 (ERROR_ACCESS_DENIED).
 * An empty name is an InvalidArgumentTypeError.
 * @example
 * ```ts
 * const m = win32event.OpenMutex(win32event.SYNCHRONIZE | win32event.MUTEX_MODIFY_STATE, 0, 'Local\\device');
 * ```
 */
export function OpenMutex(desiredAccess: number, bInheritHandle: boolean | number, name: string): PyHANDLE {
  return openNamed('openMutex', 'mutex', desiredAccess, bInheritHandle, name, 'name');
}

/**
 * ReleaseMutex: gives up one level of the calling thread's ownership. Not owned by this
 * thread: {@link error} winerror 288 (ERROR_NOT_OWNER).
 * @example
 * ```ts
 * if (win32event.WaitForSingleObject(m, 1000) !== win32event.WAIT_TIMEOUT) win32event.ReleaseMutex(m);
 * ```
 */
export function ReleaseMutex(hMutex: HandleArg): void {
  const h = rawOf(hMutex, 'hMutex');
  call(() => getBackend().releaseMutex(h));
}

// --- Semaphores -------------------------------------------------------------------

/** Counts are passed to the OS as they are: out of range gives error 87 as in Windows. */
export function CreateSemaphore(
  SemaphoreAttributes: null,
  InitialCount: number,
  MaximumCount: number,
  SemaphoreName: string | null,
): PyHANDLE {
  noSecurity(SemaphoreAttributes, 'SemaphoreAttributes');
  const args = {
    name: validateName(SemaphoreName, 'SemaphoreName'),
    initialCount: validateInteger(InitialCount, 'InitialCount', -0x80000000, 0x7fffffff),
    maximumCount: validateInteger(MaximumCount, 'MaximumCount', -0x80000000, 0x7fffffff),
    access: SEMAPHORE_ALL_ACCESS,
  };
  const r = call(() => getBackend().createSemaphore(args));
  return created(r.handle, r.existed, 'semaphore');
}

/**
 * OpenSemaphore: a handle to the existing semaphore of that name, with `desiredAccess`
 * (`bInheritHandle`: child processes inherit it, on Windows). No semaphore of that name:
 * {@link error} winerror 2 (ERROR_FILE_NOT_FOUND); an object of another kind: winerror 6
 * (ERROR_INVALID_HANDLE); rights that kind does not have: winerror 5 (ERROR_ACCESS_DENIED).
 * An empty name is an InvalidArgumentTypeError.
 * @example
 * ```ts
 * const s = win32event.OpenSemaphore(win32event.SEMAPHORE_ALL_ACCESS, 0, 'Local\\slots');
 * ```
 */
export function OpenSemaphore(desiredAccess: number, bInheritHandle: boolean | number, name: string): PyHANDLE {
  return openNamed('openSemaphore', 'semaphore', desiredAccess, bInheritHandle, name, 'name');
}

/** Returns the previous count. */
export function ReleaseSemaphore(hSemaphore: HandleArg, lReleaseCount: number): number {
  const h = rawOf(hSemaphore, 'hSemaphore');
  const count = validateInteger(lReleaseCount, 'lReleaseCount', -0x80000000, 0x7fffffff);
  return call(() => getBackend().releaseSemaphore(h, count));
}

// --- Waitable timers --------------------------------------------------------------

/**
 * CreateWaitableTimer: a new timer, inactive until SetWaitableTimer (`ManualReset`: a
 * notification timer), or the existing timer of that name (then GetLastError() returns
 * ERROR_ALREADY_EXISTS). Not high-resolution: use CreateWaitableTimerEx for that.
 * `TimerAttributes` must be `null`.
 * @example
 * ```ts
 * const t = win32event.CreateWaitableTimer(null, 0, null);
 * win32event.SetWaitableTimer(t, -10_000_000n, 0, null, null, 0); // in 1 s
 * ```
 */
export function CreateWaitableTimer(TimerAttributes: null, ManualReset: boolean | number, TimerName: string | null): PyHANDLE {
  noSecurity(TimerAttributes, 'TimerAttributes');
  const args = {
    name: validateName(TimerName, 'TimerName'),
    manualReset: bool(ManualReset, 'ManualReset'),
    highResolution: false,
    access: TIMER_ALL_ACCESS,
  };
  const r = call(() => getBackend().createWaitableTimer(args));
  return created(r.handle, r.existed, 'waitable-timer');
}

/** dwFlags: CREATE_WAITABLE_TIMER_MANUAL_RESET, CREATE_WAITABLE_TIMER_HIGH_RESOLUTION (falls back where unsupported). */
export function CreateWaitableTimerEx(
  lpTimerAttributes: null,
  lpTimerName: string | null,
  dwFlags: number,
  dwDesiredAccess: number,
): PyHANDLE {
  noSecurity(lpTimerAttributes, 'lpTimerAttributes');
  const flags = dword(dwFlags, 'dwFlags');
  const args = {
    name: validateName(lpTimerName, 'lpTimerName'),
    manualReset: (flags & CREATE_WAITABLE_TIMER_MANUAL_RESET) !== 0,
    highResolution: (flags & CREATE_WAITABLE_TIMER_HIGH_RESOLUTION) !== 0,
    access: dword(dwDesiredAccess, 'dwDesiredAccess'),
  };
  const r = call(() => getBackend().createWaitableTimer(args));
  return created(r.handle, r.existed, 'waitable-timer');
}

/**
 * OpenWaitableTimer: a handle to the existing waitable timer of that name, with `desiredAccess`
 * (`bInheritHandle`: child processes inherit it, on Windows). No waitable timer of that name:
 * {@link error} winerror 2 (ERROR_FILE_NOT_FOUND); an object of another kind: winerror 6
 * (ERROR_INVALID_HANDLE); rights that kind does not have: winerror 5 (ERROR_ACCESS_DENIED).
 * An empty name is an InvalidArgumentTypeError.
 * @example
 * ```ts
 * const t = win32event.OpenWaitableTimer(win32event.TIMER_ALL_ACCESS, 0, 'Local\\tick');
 * ```
 */
export function OpenWaitableTimer(desiredAccess: number, bInheritHandle: boolean | number, timerName: string): PyHANDLE {
  return openNamed('openWaitableTimer', 'waitable-timer', desiredAccess, bInheritHandle, timerName, 'timerName');
}

/**
 * dueTime in 100 ns units (negative: relative), as a number or bigint; period in ms.
 * `func` and `param` (a completion routine) must be null.
 */
export function SetWaitableTimer(
  handle: HandleArg,
  dueTime: number | bigint,
  period: number,
  func: null,
  param: null,
  resume_state: boolean | number,
): void {
  const h = rawOf(handle, 'handle');
  let due: bigint;
  if (typeof dueTime === 'bigint') due = dueTime;
  else if (typeof dueTime === 'number' && Number.isSafeInteger(dueTime)) due = BigInt(dueTime);
  else throw new InvalidArgumentTypeError('dueTime', 'an integer (number or bigint)', dueTime);
  const p = validateInteger(period, 'period', -0x80000000, 0x7fffffff);
  if (func !== null && func !== undefined) throw new InvalidArgumentTypeError('func', 'null (completion routines are not supported)', func);
  if (param !== null && param !== undefined) throw new InvalidArgumentTypeError('param', 'null', param);
  const resume = bool(resume_state, 'resume_state');
  call(() => getBackend().setWaitableTimer(h, due, p, resume));
}

/**
 * CancelWaitableTimer: stops future expiries; whether the timer is signaled now does
 * not change. A closed or wrong handle: {@link error} winerror 6.
 * @example
 * ```ts
 * win32event.CancelWaitableTimer(t);
 * ```
 */
export function CancelWaitableTimer(handle: HandleArg): void {
  const h = rawOf(handle, 'handle');
  call(() => getBackend().cancelWaitableTimer(h));
}

// --- Waits ------------------------------------------------------------------------

/** Returns WAIT_OBJECT_0, WAIT_ABANDONED_0 or WAIT_TIMEOUT; a failed wait throws. */
export function WaitForSingleObject(hHandle: HandleArg, milliseconds: number): number {
  return WaitForSingleObjectEx(hHandle, milliseconds, false);
}

/**
 * WaitForSingleObjectEx: blocks the calling thread until the object is signaled or
 * `milliseconds` pass (-1 or INFINITE: no limit). Returns WAIT_OBJECT_0,
 * WAIT_ABANDONED (a mutex whose owner ended: the caller owns it now) or WAIT_TIMEOUT;
 * WAIT_IO_COMPLETION only if `bAlertable` and an APC ran on the thread (this module
 * queues none). A closed or wrong handle: {@link error} winerror 6.
 *
 * Cancellation: none; the wait blocks this thread until it ends. Bound it with
 * `milliseconds`, or from another thread signal an object it waits on (use
 * WaitForMultipleObjectsEx with a stop event), or use `@waitables/async`.
 * @example
 * ```ts
 * const r = win32event.WaitForSingleObjectEx(h, 5000, 0);
 * ```
 */
export function WaitForSingleObjectEx(hHandle: HandleArg, milliseconds: number, bAlertable: boolean | number): number {
  const h = rawOf(hHandle, 'hHandle');
  const ms = millis(milliseconds, 'milliseconds');
  const alertable = bool(bAlertable, 'bAlertable');
  return call(() => getBackend().waitForSingleObject(h, ms, alertable));
}

/**
 * Signals one object (sets an event, releases a semaphore by one or a mutex) and waits
 * on another, as one step: WAIT_OBJECT_0, WAIT_ABANDONED or WAIT_TIMEOUT.
 *
 * Cancellation: a blocking wait; bound it with `dwMilliseconds`.
 * @example
 * ```ts
 * win32event.SignalObjectAndWait(ready, go, 5000, false);
 * ```
 */
export function SignalObjectAndWait(
  hObjectToSignal: HandleArg,
  hObjectToWaitOn: HandleArg,
  dwMilliseconds: number,
  bAlertable: boolean | number,
): number {
  const toSignal = rawOf(hObjectToSignal, 'hObjectToSignal');
  const toWaitOn = rawOf(hObjectToWaitOn, 'hObjectToWaitOn');
  const ms = millis(dwMilliseconds, 'dwMilliseconds');
  const alertable = bool(bAlertable, 'bAlertable');
  return call(() => getBackend().signalObjectAndWait(toSignal, toWaitOn, ms, alertable));
}

/** Returns WAIT_OBJECT_0 + i, WAIT_ABANDONED_0 + i or WAIT_TIMEOUT; a failed wait throws. */
export function WaitForMultipleObjects(handleList: readonly HandleArg[], bWaitAll: boolean | number, milliseconds: number): number {
  return WaitForMultipleObjectsEx(handleList, bWaitAll, milliseconds, false);
}

/**
 * WaitForMultipleObjectsEx: blocks the calling thread until one object (`bWaitAll`
 * false) or all of them together (`bWaitAll` true) can be acquired, or `milliseconds`
 * pass. Returns WAIT_OBJECT_0 + i (i: the lowest index that could be acquired),
 * WAIT_ABANDONED_0 + i (that object is a mutex whose owner ended), or WAIT_TIMEOUT; a
 * wait-all returns WAIT_OBJECT_0, or WAIT_ABANDONED_0 if any of them was abandoned, and
 * takes nothing until it can take everything. 1 to 64 (MAXIMUM_WAIT_OBJECTS) handles, distinct for a wait-all, else
 * {@link error} winerror 87 (ERROR_INVALID_PARAMETER); a closed or wrong handle: winerror 6.
 *
 * Cancellation: none; bound it with `milliseconds`, or put a stop event in the list and
 * set it from another thread.
 * @example
 * ```ts
 * const r = win32event.WaitForMultipleObjectsEx([stop, job], 0, win32event.INFINITE, 0);
 * if (r === win32event.WAIT_OBJECT_0) return; // stop was set
 * ```
 */
export function WaitForMultipleObjectsEx(
  handleList: readonly HandleArg[],
  bWaitAll: boolean | number,
  milliseconds: number,
  bAlertable: boolean | number,
): number {
  const handles = rawListOf(handleList, 'handleList');
  const waitAll = bool(bWaitAll, 'bWaitAll');
  const ms = millis(milliseconds, 'milliseconds');
  const alertable = bool(bAlertable, 'bAlertable');
  return call(() => getBackend().waitForMultipleObjects(handles, waitAll, ms, alertable));
}

/** Also returns WAIT_OBJECT_0 + len(handleList) when input of `wakeMask` is queued (never, without a message queue). */
export function MsgWaitForMultipleObjects(
  handleList: readonly HandleArg[],
  bWaitAll: boolean | number,
  milliseconds: number,
  wakeMask: number,
): number {
  const flags = bool(bWaitAll, 'bWaitAll') ? MWMO_WAITALL : 0;
  return MsgWaitForMultipleObjectsEx(handleList, milliseconds, wakeMask, flags);
}

/**
 * MsgWaitForMultipleObjectsEx: WaitForMultipleObjectsEx that also returns
 * WAIT_OBJECT_0 + len(handleList) when input of `wakeMask` (QS_*) is in the thread's
 * message queue; `waitFlags`: MWMO_WAITALL, MWMO_ALERTABLE, MWMO_INPUTAVAILABLE. A
 * Node thread has no message queue, so in practice only the handles end it (and never
 * on Linux).
 *
 * Cancellation: none; bound it with `milliseconds`.
 * @example
 * ```ts
 * const r = win32event.MsgWaitForMultipleObjectsEx([h], 1000, win32event.QS_ALLINPUT, 0);
 * ```
 */
export function MsgWaitForMultipleObjectsEx(
  handleList: readonly HandleArg[],
  milliseconds: number,
  wakeMask: number,
  waitFlags: number,
): number {
  const handles = rawListOf(handleList, 'handleList');
  const ms = millis(milliseconds, 'milliseconds');
  const mask = dword(wakeMask, 'wakeMask');
  const flags = dword(waitFlags, 'waitFlags');
  return call(() => getBackend().msgWaitForMultipleObjects(handles, ms, mask, flags));
}

/** For GUI processes; a process without a message queue fails or returns at once, as Windows decides. */
export function WaitForInputIdle(hProcess: HandleArg, milliseconds: number): number {
  const h = rawOf(hProcess, 'hProcess');
  const ms = millis(milliseconds, 'milliseconds');
  return call(() => getBackend().waitForInputIdle(h, ms));
}
