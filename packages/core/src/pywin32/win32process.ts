/**
 * `@waitables/core/win32process`: the part of pywin32's `win32process` a Node program
 * can use, on Windows and on Linux, with pywin32's names, arguments, returns and errors
 * ({@link error} is pywintypes.error). Process handles are waitable objects everywhere:
 * `win32event.WaitForSingleObject(hProcess, ...)`, a wait-any beside events, and
 * `@waitables/async`'s `waitAny`.
 *
 * On Linux the processes CreateProcess starts are spawned by this library (not by
 * Node's child_process), so their exit codes stay readable until their last handle is
 * closed, as on Windows. What cannot exist in Node (GUI, remote threads, threads started
 * from Python) throws {@link NotSupportedError}; the package README lists it.
 * @example
 * ```ts
 * import * as win32event from '@waitables/core/win32event';
 * import * as win32process from '@waitables/core/win32process';
 * const [hProcess, hThread] = win32process.CreateProcess(null, 'node -e "process.exit(3)"', null, null, 0, 0, null, null, new win32process.STARTUPINFO());
 * win32event.WaitForSingleObject(hProcess, win32event.INFINITE);
 * win32process.GetExitCodeProcess(hProcess); // 3
 * ```
 * @packageDocumentation
 */
import { NotSupportedError, InvalidArgumentTypeError } from '../errors.js';
import { getBackend } from '../load-backend.js';
import type { StartupInfo } from '../process-backend.js';
import { PyHANDLE } from './pywintypes.js';
import { type HandleArg, bool, call, dword, noSecurity, rawOf } from './pywin32-support.js';
import { validateInteger, validateObject } from '../validate.js';

export { error, PyHANDLE } from './pywintypes.js';
export { NotSupportedError } from '../errors.js';
export {
  STILL_ACTIVE,
  PROCESS_TERMINATE,
  PROCESS_QUERY_INFORMATION,
  PROCESS_QUERY_LIMITED_INFORMATION,
  SYNCHRONIZE,
} from '../constants.js';
export * from '../process-constants.js';
export { GetCurrentProcess, GetCurrentProcessId, GetCurrentThread, GetCurrentThreadId, TerminateProcess } from './win32api.js';

/**
 * pywin32's STARTUPINFO: the fields CreateProcess reads. `dwFlags` says which are used
 * (STARTF_USESHOWWINDOW: `wShowWindow`; STARTF_USESTDHANDLES: the std handles, Windows only).
 * @example
 * ```ts
 * const si = new win32process.STARTUPINFO();
 * si.dwFlags = win32process.STARTF_USESHOWWINDOW;
 * si.wShowWindow = win32process.SW_HIDE;
 * ```
 */
export class STARTUPINFO {
  /** STARTF_* flags: which fields below are used. */
  dwFlags = 0;
  /** SW_* value, with STARTF_USESHOWWINDOW (Windows only). */
  wShowWindow = 0;
  /** A console window's title (Windows only). */
  lpTitle: string | null = null;
  /** The desktop to start on (Windows only). */
  lpDesktop: string | null = null;
  /** Standard input, with STARTF_USESTDHANDLES (Windows only). */
  hStdInput: HandleArg = null;
  /** Standard output, with STARTF_USESTDHANDLES (Windows only). */
  hStdOutput: HandleArg = null;
  /** Standard error, with STARTF_USESTDHANDLES (Windows only). */
  hStdError: HandleArg = null;
}

function text(value: unknown, path: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw new InvalidArgumentTypeError(path, 'a string or null', value);
  return value;
}

function environment(value: unknown): Record<string, string> | null {
  if (value === null || value === undefined) return null;
  const env = validateObject(value, 'newEnvironment');
  for (const [k, v] of Object.entries(env))
    if (typeof v !== 'string') throw new InvalidArgumentTypeError(`newEnvironment.${k}`, 'a string', v);
  return env as Record<string, string>;
}

function startupInfo(value: unknown): StartupInfo {
  const si = validateObject(value, 'startupinfo') as Partial<STARTUPINFO>;
  const std = (key: 'hStdInput' | 'hStdOutput' | 'hStdError') => (si[key] == null ? 0 : rawOf(si[key], `startupinfo.${key}`));
  return {
    flags: validateInteger(si.dwFlags ?? 0, 'startupinfo.dwFlags', 0, 0xffffffff),
    showWindow: validateInteger(si.wShowWindow ?? 0, 'startupinfo.wShowWindow', 0, 0xffff),
    title: text(si.lpTitle, 'startupinfo.lpTitle'),
    desktop: text(si.lpDesktop, 'startupinfo.lpDesktop'),
    stdInput: std('hStdInput'),
    stdOutput: std('hStdOutput'),
    stdError: std('hStdError'),
  };
}

/**
 * win32process.CreateProcess: starts a program and returns `[hProcess, hThread,
 * dwProcessId, dwThreadId]`. `commandLine` is a Windows command line (on Linux it is
 * split into argv by CommandLineToArgvW's rules, and a bare program name is searched in
 * PATH); `newEnvironment` a `{ name: value }` object or null (inherit); attributes null.
 * On Linux `hThread` is a second handle to the process (there are no thread objects),
 * signaled when it exits.
 * @example
 * ```ts
 * const [hProcess, hThread, pid] = win32process.CreateProcess(
 *   null, `"${process.execPath}" child.js`, null, null, 0, win32process.CREATE_NEW_PROCESS_GROUP, null, null, new win32process.STARTUPINFO());
 * ```
 */
export function CreateProcess(
  appName: string | null,
  commandLine: string | null,
  processAttributes: null,
  threadAttributes: null,
  bInheritHandles: boolean | number,
  dwCreationFlags: number,
  newEnvironment: Readonly<Record<string, string>> | null,
  currentDirectory: string | null,
  startupinfo: STARTUPINFO | Partial<STARTUPINFO>,
): [hProcess: PyHANDLE, hThread: PyHANDLE, dwProcessId: number, dwThreadId: number] {
  noSecurity(processAttributes, 'processAttributes');
  noSecurity(threadAttributes, 'threadAttributes');
  const args = {
    applicationName: text(appName, 'appName'),
    commandLine: text(commandLine, 'commandLine'),
    inheritHandles: bool(bInheritHandles, 'bInheritHandles'),
    creationFlags: dword(dwCreationFlags, 'dwCreationFlags'),
    environment: environment(newEnvironment),
    currentDirectory: text(currentDirectory, 'currentDirectory'),
    startupInfo: startupInfo(startupinfo),
  };
  const r = call(() => getBackend().processes.createProcess(args));
  return [new PyHANDLE(r.process, 'process'), new PyHANDLE(r.thread, 'thread'), r.processId, r.threadId];
}

/**
 * win32process.GetExitCodeProcess: the exit code, or STILL_ACTIVE (259) while it runs.
 * On Linux, a process this library did not start has an exit code only while its
 * parent has not reaped it: otherwise NotSupportedError.
 * @example
 * ```ts
 * if (win32process.GetExitCodeProcess(h) !== win32process.STILL_ACTIVE) console.log('done');
 * ```
 */
export function GetExitCodeProcess(hProcess: HandleArg): number {
  const h = rawOf(hProcess, 'hProcess');
  return call(() => getBackend().getExitCodeProcess(h));
}

/**
 * win32process.GetProcessId: the pid of a process handle.
 * @example
 * ```ts
 * win32process.GetProcessId(hProcess) === pid; // true
 * ```
 */
export function GetProcessId(Process: HandleArg): number {
  const h = rawOf(Process, 'Process');
  return call(() => getBackend().processes.getProcessId(h));
}

/**
 * win32process.GetPriorityClass: IDLE_, BELOW_NORMAL_, NORMAL_, ABOVE_NORMAL_, HIGH_ or
 * REALTIME_PRIORITY_CLASS (on Linux, the class of the process's nice value).
 * @example
 * ```ts
 * win32process.GetPriorityClass(win32process.GetCurrentProcess());
 * ```
 */
export function GetPriorityClass(handle: HandleArg): number {
  const h = rawOf(handle, 'handle');
  return call(() => getBackend().processes.getPriorityClass(h));
}

/**
 * win32process.SetPriorityClass (on Linux, sets the nice value Node's os.setPriority uses
 * for that class; raising a priority needs CAP_SYS_NICE there: ERROR_ACCESS_DENIED).
 * @example
 * ```ts
 * win32process.SetPriorityClass(hProcess, win32process.BELOW_NORMAL_PRIORITY_CLASS);
 * ```
 */
export function SetPriorityClass(handle: HandleArg, dwPriorityClass: number): void {
  const h = rawOf(handle, 'handle');
  const cls = validateInteger(dwPriorityClass, 'dwPriorityClass', 0, 0xffffffff);
  call(() => getBackend().processes.setPriorityClass(h, cls));
}

/** GetProcessTimes' dictionary: creation and exit as dates (exit: 1601-01-01 while it runs), CPU times in 100 ns units. */
export interface ProcessTimesDict {
  /** When the process started. */
  CreationTime: Date;
  /** When it ended; 1601-01-01 (FILETIME 0) while it runs. */
  ExitTime: Date;
  /** CPU time in kernel mode, in 100 ns units. */
  KernelTime: number;
  /** CPU time in user mode, in 100 ns units. */
  UserTime: number;
}

const FILETIME_UNIX_EPOCH = 116_444_736_000_000_000n;
function dateOf(filetime: bigint): Date {
  return new Date(Number((filetime - FILETIME_UNIX_EPOCH) / 10_000n));
}

/**
 * win32process.GetProcessTimes.
 * @example
 * ```ts
 * const { CreationTime, UserTime } = win32process.GetProcessTimes(hProcess);
 * ```
 */
export function GetProcessTimes(hProcess: HandleArg): ProcessTimesDict {
  const h = rawOf(hProcess, 'hProcess');
  const t = call(() => getBackend().processes.getProcessTimes(h));
  return { CreationTime: dateOf(t.creation), ExitTime: dateOf(t.exit), KernelTime: Number(t.kernel), UserTime: Number(t.user) };
}

/**
 * win32process.GetProcessMemoryInfo: PROCESS_MEMORY_COUNTERS as a dictionary, in bytes.
 * On Linux: working set = resident set (VmRSS, VmHWM), pagefile usage = private
 * memory (anonymous resident + swapped), paged/non-paged pool 0.
 * @example
 * ```ts
 * win32process.GetProcessMemoryInfo(hProcess).WorkingSetSize;
 * ```
 */
export function GetProcessMemoryInfo(hProcess: HandleArg) {
  const h = rawOf(hProcess, 'hProcess');
  return call(() => getBackend().processes.getProcessMemoryInfo(h));
}

/**
 * win32process.EnumProcesses: the ids of every process.
 * @example
 * ```ts
 * win32process.EnumProcesses().includes(process.pid); // true
 * ```
 */
export function EnumProcesses(): number[] {
  return call(() => getBackend().processes.enumProcesses());
}

/**
 * win32process.GetProcessAffinityMask: `[processMask, systemMask]` (CPUs 0 to 52 as numbers).
 * @example
 * ```ts
 * const [mine, all] = win32process.GetProcessAffinityMask(win32process.GetCurrentProcess());
 * ```
 */
export function GetProcessAffinityMask(hProcess: HandleArg): [processMask: number, systemMask: number] {
  const h = rawOf(hProcess, 'hProcess');
  const [p, s] = call(() => getBackend().processes.getProcessAffinityMask(h));
  return [Number(p), Number(s)];
}

/**
 * win32process.SetProcessAffinityMask: a mask of CPUs the system has (else ERROR_INVALID_PARAMETER).
 * @example
 * ```ts
 * win32process.SetProcessAffinityMask(hProcess, 0b1);
 * ```
 */
export function SetProcessAffinityMask(hProcess: HandleArg, mask: number | bigint): void {
  const h = rawOf(hProcess, 'hProcess');
  let m: bigint;
  if (typeof mask === 'bigint') m = mask;
  else if (typeof mask === 'number' && Number.isSafeInteger(mask) && mask >= 0) m = BigInt(mask);
  else throw new InvalidArgumentTypeError('mask', 'a non-negative integer (number or bigint)', mask);
  call(() => getBackend().processes.setProcessAffinityMask(h, m));
}

/**
 * win32process.ExitProcess: ends this process with `exitCode` (through process.exit,
 * so that exit hooks run; on Linux the code is taken modulo 256).
 * @example
 * ```ts
 * win32process.ExitProcess(0);
 * ```
 */
export function ExitProcess(exitCode: number): never {
  process.exit(validateInteger(exitCode, 'exitCode', 0, 0xffffffff));
}

/**
 * win32process.GetThreadPriority (on Linux, for GetCurrentThread() only: the priority
 * this thread set, NORMAL before any).
 * @example
 * ```ts
 * win32process.GetThreadPriority(win32process.GetCurrentThread());
 * ```
 */
export function GetThreadPriority(handle: HandleArg): number {
  const h = rawOf(handle, 'handle');
  return call(() => getBackend().processes.getThreadPriority(h));
}

/**
 * win32process.SetThreadPriority: THREAD_PRIORITY_* (on Linux, for GetCurrentThread()
 * only, as a nice value relative to the thread's; raising it needs CAP_SYS_NICE).
 * Meant for the thread that calls it, a worker or a wait thread.
 * @example
 * ```ts
 * win32process.SetThreadPriority(win32process.GetCurrentThread(), win32process.THREAD_PRIORITY_LOWEST);
 * ```
 */
export function SetThreadPriority(handle: HandleArg, nPriority: number): void {
  const h = rawOf(handle, 'handle');
  const priority = validateInteger(nPriority, 'nPriority', -0x80000000, 0x7fffffff);
  call(() => getBackend().processes.setThreadPriority(h, priority));
}

// --- What a Node program cannot have ---------------------------------------------

function unsupported(name: string, reason: string): () => never {
  const f = (): never => {
    throw new NotSupportedError(`win32process.${name} is not supported: ${reason}`);
  };
  Object.defineProperty(f, 'name', { value: name });
  return f;
}

/** Threads running Python callables: Node threads are worker_threads. Throws {@link NotSupportedError}. */
export const beginthreadex = unsupported('beginthreadex', 'a thread here is a worker_threads Worker running a module, not a function');
/** Threads in another process. Throws {@link NotSupportedError}. */
export const CreateRemoteThread = unsupported('CreateRemoteThread', 'it injects code into another process');
/** Another user's token. Throws {@link NotSupportedError}. */
export const CreateProcessAsUser = unsupported('CreateProcessAsUser', 'this library has no security tokens');
/** Suspended threads (CREATE_SUSPENDED). Throws {@link NotSupportedError}. */
export const ResumeThread = unsupported(
  'ResumeThread',
  'there are no thread handles to suspended threads (CREATE_SUSPENDED is not supported on Linux)',
);
/** Throws {@link NotSupportedError}. */
export const SuspendThread = unsupported('SuspendThread', 'suspending a thread of a JavaScript program at an arbitrary point is unsafe');
/** Windows and their threads: GUI. Throws {@link NotSupportedError}. */
export const GetWindowThreadProcessId = unsupported('GetWindowThreadProcessId', 'there are no windows (GUI) here');
/** GUI input queues. Throws {@link NotSupportedError}. */
export const AttachThreadInput = unsupported('AttachThreadInput', 'there are no GUI input queues here');
/** GUI object counts. Throws {@link NotSupportedError}. */
export const GetGuiResources = unsupported('GetGuiResources', 'there are no GUI objects here');
/** Loaded modules of another process. Throws {@link NotSupportedError}. */
export const EnumProcessModules = unsupported('EnumProcessModules', 'modules are DLLs of Windows processes');
/** Throws {@link NotSupportedError}. */
export const GetModuleFileNameEx = unsupported('GetModuleFileNameEx', 'modules are DLLs of Windows processes');
