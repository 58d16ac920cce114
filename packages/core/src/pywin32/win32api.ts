/**
 * `@waitables/core/win32api`: the part of pywin32's `win32api` that goes with
 * synchronization objects and processes: handles, the last error, the current process
 * and thread, OpenProcess and TerminateProcess. Same names, arguments, returns and
 * errors as pywin32 ({@link error} is pywintypes.error).
 * @example
 * ```ts
 * import * as win32api from '@waitables/core/win32api';
 * const h = win32api.OpenProcess(win32api.SYNCHRONIZE, false, pid);
 * win32api.CloseHandle(h);
 * ```
 * @packageDocumentation
 */
import { WaitHandle } from '../handle.js';
import { getBackend } from '../load-backend.js';
import { CURRENT_PROCESS, CURRENT_THREAD } from '../process-backend.js';
import { PyHANDLE } from './pywintypes.js';
import { type HandleArg, bool, call, dword, getLastError, rawOf, setLastError } from './pywin32-support.js';
import { validateInteger } from '../validate.js';

export { error, PyHANDLE } from './pywintypes.js';
export type { HandleArg } from './pywin32-support.js';
export {
  SYNCHRONIZE,
  PROCESS_QUERY_INFORMATION,
  PROCESS_QUERY_LIMITED_INFORMATION,
  PROCESS_TERMINATE,
  STILL_ACTIVE,
} from '../constants.js';
export {
  PROCESS_ALL_ACCESS,
  PROCESS_SET_INFORMATION,
  GENERIC_READ,
  GENERIC_WRITE,
  GENERIC_EXECUTE,
  GENERIC_ALL,
  MAXIMUM_ALLOWED,
} from '../process-constants.js';

/**
 * win32api.CloseHandle. A handle closed already, or None: ERROR_INVALID_HANDLE.
 * @example
 * ```ts
 * win32api.CloseHandle(h);
 * ```
 */
export function CloseHandle(handle: HandleArg): void {
  if (handle instanceof WaitHandle && !handle.closed) return call(() => handle.close());
  const h = rawOf(handle, 'handle');
  call(() => getBackend().closeHandle(h));
}

/**
 * win32api.GetLastError: the error the last call of these modules left in this thread
 * (ERROR_ALREADY_EXISTS after a Create* that opened an existing object).
 * @example
 * ```ts
 * if (win32api.GetLastError() === 183) console.log('it existed');
 * ```
 */
export function GetLastError(): number {
  return getLastError();
}

/**
 * win32api.SetLastError: sets the value GetLastError returns in this thread.
 * @example
 * ```ts
 * win32api.SetLastError(0);
 * ```
 */
export function SetLastError(errValue: number): void {
  setLastError(validateInteger(errValue, 'errValue', 0, 0xffffffff));
}

/**
 * win32api.OpenProcess: a handle to process `pid`. None such: ERROR_INVALID_PARAMETER.
 * @example
 * ```ts
 * const h = win32api.OpenProcess(win32api.SYNCHRONIZE | win32api.PROCESS_QUERY_LIMITED_INFORMATION, false, pid);
 * ```
 */
export function OpenProcess(reqdAccess: number, bInherit: boolean | number, pid: number): PyHANDLE {
  const access = dword(reqdAccess, 'reqdAccess');
  const inherit = bool(bInherit, 'bInherit');
  const id = validateInteger(pid, 'pid', 0, 0xffffffff);
  return new PyHANDLE(
    call(() => getBackend().openProcess(id, access, inherit)),
    'process',
  );
}

/**
 * win32api.GetCurrentProcess: the pseudo handle -1, which means "this process" to every
 * process function and needs no closing. A WaitForSingleObject on it times out (this
 * process is not signaled while it runs); WaitForMultipleObjects refuses it (error 6).
 * @example
 * ```ts
 * win32process.GetPriorityClass(win32api.GetCurrentProcess());
 * ```
 */
export function GetCurrentProcess(): number {
  return CURRENT_PROCESS;
}

/**
 * win32api.GetCurrentThread: the pseudo handle -2 of the calling thread.
 * @example
 * ```ts
 * win32process.SetThreadPriority(win32api.GetCurrentThread(), win32process.THREAD_PRIORITY_BELOW_NORMAL);
 * ```
 */
export function GetCurrentThread(): number {
  return CURRENT_THREAD;
}

/**
 * win32api.GetCurrentProcessId.
 * @example
 * ```ts
 * win32api.GetCurrentProcessId() === process.pid; // true
 * ```
 */
export function GetCurrentProcessId(): number {
  return getBackend().getCurrentProcessId();
}

/**
 * win32api.GetCurrentThreadId: the OS thread id (on Linux, the tid).
 * @example
 * ```ts
 * const tid = win32api.GetCurrentThreadId();
 * ```
 */
export function GetCurrentThreadId(): number {
  return getBackend().processes.getCurrentThreadId();
}

/**
 * win32api.TerminateProcess: ends the process; its exit code becomes `exitCode` (on
 * Linux too, for GetExitCodeProcess through this handle). A process that has exited
 * already: ERROR_ACCESS_DENIED. The current process's pseudo handle exits this process.
 * @example
 * ```ts
 * win32api.TerminateProcess(hProcess, 3);
 * ```
 */
export function TerminateProcess(handle: HandleArg, exitCode: number): void {
  const h = rawOf(handle, 'handle');
  const code = validateInteger(exitCode, 'exitCode', 0, 0xffffffff);
  call(() => getBackend().processes.terminateProcess(h, code));
}
