/**
 * The process calls of pywin32's win32process (and the process parts of win32api),
 * beside the synchronization calls of the Backend. Windows calls kernel32; Linux
 * spawns and inspects processes itself (posix_spawn, pidfds, /proc), so that a process
 * it created keeps its exit code until its last handle is closed, as on Windows.
 *
 * Contract (both backends): the pseudo handles -1 (GetCurrentProcess) and -2
 * (GetCurrentThread) are accepted where Windows accepts them; handles are checked for
 * the access right Windows requires; a refusal is a {@link Win32Error} with Windows'
 * code; what the platform cannot do is a {@link NotSupportedError}.
 */
import type { RawHandle } from './raw-handle.js';

/** The pseudo handle of the calling process (GetCurrentProcess). */
export const CURRENT_PROCESS = -1;
/** The pseudo handle of the calling thread (GetCurrentThread). */
export const CURRENT_THREAD = -2;

/** The STARTUPINFO fields CreateProcess passes on. */
export interface StartupInfo {
  /** STARTF_* flags: which of the other fields are used. */
  readonly flags: number;
  /** SW_* value, used with STARTF_USESHOWWINDOW (Windows only). */
  readonly showWindow: number;
  /** A console window's title (Windows only). */
  readonly title: string | null;
  /** The desktop to start on (Windows only). */
  readonly desktop: string | null;
  /** Standard input handle, used with STARTF_USESTDHANDLES (Windows only). */
  readonly stdInput: number;
  /** Standard output handle, used with STARTF_USESTDHANDLES (Windows only). */
  readonly stdOutput: number;
  /** Standard error handle, used with STARTF_USESTDHANDLES (Windows only). */
  readonly stdError: number;
}

/** CreateProcess's arguments, checked. */
export interface CreateProcessArgs {
  /** The program's path (not searched); null: the first word of the command line (searched). */
  readonly applicationName: string | null;
  /** A Windows command line; null: the application name alone. */
  readonly commandLine: string | null;
  /** Whether the child inherits inheritable handles (Windows only). */
  readonly inheritHandles: boolean;
  /** CREATE_* flags and a priority class. */
  readonly creationFlags: number;
  /** The child's whole environment; null: the caller's. */
  readonly environment: Readonly<Record<string, string>> | null;
  /** The child's current directory; null: the caller's. */
  readonly currentDirectory: string | null;
  /** STARTUPINFO. */
  readonly startupInfo: StartupInfo;
}

/** What CreateProcess returns (PROCESS_INFORMATION). */
export interface CreatedProcess {
  /** A handle to the process, with every access right. */
  readonly process: RawHandle;
  /** The primary thread's handle (on Linux, a second handle to the process: see the README). */
  readonly thread: RawHandle;
  /** The process id. */
  readonly processId: number;
  /** The primary thread's id (on Linux, the pid). */
  readonly threadId: number;
}

/** GetProcessTimes, as FILETIME values in 100 ns units. */
export interface ProcessTimes {
  /** When it started, since 1601-01-01. */
  readonly creation: bigint;
  /** When it ended, since 1601-01-01; 0 while it runs. */
  readonly exit: bigint;
  /** CPU time in kernel mode. */
  readonly kernel: bigint;
  /** CPU time in user mode. */
  readonly user: bigint;
}

/** PROCESS_MEMORY_COUNTERS, in bytes (PageFaultCount: a count). */
export interface ProcessMemoryCounters {
  /** Page faults so far (Linux: minor + major). */
  readonly PageFaultCount: number;
  /** The largest working set so far (Linux: VmHWM). */
  readonly PeakWorkingSetSize: number;
  /** The working set (Linux: the resident set, VmRSS). */
  readonly WorkingSetSize: number;
  /** Peak paged pool charge (Linux: 0). */
  readonly QuotaPeakPagedPoolUsage: number;
  /** Paged pool charge (Linux: 0). */
  readonly QuotaPagedPoolUsage: number;
  /** Peak non-paged pool charge (Linux: 0). */
  readonly QuotaPeakNonPagedPoolUsage: number;
  /** Non-paged pool charge (Linux: 0). */
  readonly QuotaNonPagedPoolUsage: number;
  /** Private memory committed (Linux: anonymous resident + swapped). */
  readonly PagefileUsage: number;
  /** The largest private commit so far (Linux: the current value; no peak is kept). */
  readonly PeakPagefileUsage: number;
}

/** The process and thread calls each backend implements; failures throw {@link Win32Error} or {@link NotSupportedError}. */
export interface ProcessBackend {
  /** CreateProcess: starts a program. */
  createProcess(args: CreateProcessArgs): CreatedProcess;
  /** TerminateProcess: ends it with `exitCode`; an exited process: ERROR_ACCESS_DENIED. */
  terminateProcess(process: RawHandle, exitCode: number): void;
  /** GetProcessId. */
  getProcessId(process: RawHandle): number;
  /** GetPriorityClass: one of the six *_PRIORITY_CLASS values. */
  getPriorityClass(process: RawHandle): number;
  /** SetPriorityClass. */
  setPriorityClass(process: RawHandle, priorityClass: number): void;
  /** GetProcessTimes. */
  getProcessTimes(process: RawHandle): ProcessTimes;
  /** GetProcessMemoryInfo. */
  getProcessMemoryInfo(process: RawHandle): ProcessMemoryCounters;
  /** EnumProcesses: every process id. */
  enumProcesses(): number[];
  /** GetProcessAffinityMask: [process mask, system mask]. */
  getProcessAffinityMask(process: RawHandle): [bigint, bigint];
  /** SetProcessAffinityMask: a non-empty subset of the system mask. */
  setProcessAffinityMask(process: RawHandle, mask: bigint): void;
  /** GetCurrentThreadId. */
  getCurrentThreadId(): number;
  /** GetThreadPriority: a THREAD_PRIORITY_* value. */
  getThreadPriority(thread: RawHandle): number;
  /** SetThreadPriority. */
  setThreadPriority(thread: RawHandle, priority: number): void;
}
