/**
 * The process calls of pywin32's win32process (and the process parts of win32api),
 * beside the synchronization calls of {@link Backend}. Windows calls kernel32; Linux
 * spawns and inspects processes itself (posix_spawn, pidfds, /proc), so that a process
 * it created keeps its exit code until its last handle is closed, as on Windows.
 *
 * Contract (both backends): the pseudo handles -1 (GetCurrentProcess) and -2
 * (GetCurrentThread) are accepted where Windows accepts them; handles are checked for
 * the access right Windows requires; a refusal is a {@link Win32Error} with Windows'
 * code; what the platform cannot do is a {@link NotSupportedError}.
 */
import type { RawHandle } from './backend.js';

/** The pseudo handle of the calling process (GetCurrentProcess). */
export const CURRENT_PROCESS = -1;
/** The pseudo handle of the calling thread (GetCurrentThread). */
export const CURRENT_THREAD = -2;

export interface StartupInfo {
  /** STARTF_* flags. */
  readonly flags: number;
  /** SW_* value, used with STARTF_USESHOWWINDOW (Windows only). */
  readonly showWindow: number;
  readonly title: string | null;
  readonly desktop: string | null;
  /** Standard handles, used with STARTF_USESTDHANDLES (Windows only). */
  readonly stdInput: number;
  readonly stdOutput: number;
  readonly stdError: number;
}

export interface CreateProcessArgs {
  readonly applicationName: string | null;
  readonly commandLine: string | null;
  readonly inheritHandles: boolean;
  readonly creationFlags: number;
  /** null: the caller's environment. */
  readonly environment: Readonly<Record<string, string>> | null;
  /** null: the caller's directory. */
  readonly currentDirectory: string | null;
  readonly startupInfo: StartupInfo;
}

export interface CreatedProcess {
  readonly process: RawHandle;
  /** The primary thread's handle (on Linux, a second handle to the process: see the README). */
  readonly thread: RawHandle;
  readonly processId: number;
  readonly threadId: number;
}

/** FILETIME values in 100 ns units: creation and exit since 1601-01-01 (exit 0 while it runs), kernel and user CPU time. */
export interface ProcessTimes {
  readonly creation: bigint;
  readonly exit: bigint;
  readonly kernel: bigint;
  readonly user: bigint;
}

/** PROCESS_MEMORY_COUNTERS, in bytes (PageFaultCount: a count). */
export interface ProcessMemoryCounters {
  readonly PageFaultCount: number;
  readonly PeakWorkingSetSize: number;
  readonly WorkingSetSize: number;
  readonly QuotaPeakPagedPoolUsage: number;
  readonly QuotaPagedPoolUsage: number;
  readonly QuotaPeakNonPagedPoolUsage: number;
  readonly QuotaNonPagedPoolUsage: number;
  readonly PagefileUsage: number;
  readonly PeakPagefileUsage: number;
}

export interface ProcessBackend {
  createProcess(args: CreateProcessArgs): CreatedProcess;
  terminateProcess(process: RawHandle, exitCode: number): void;
  getProcessId(process: RawHandle): number;
  getPriorityClass(process: RawHandle): number;
  setPriorityClass(process: RawHandle, priorityClass: number): void;
  getProcessTimes(process: RawHandle): ProcessTimes;
  getProcessMemoryInfo(process: RawHandle): ProcessMemoryCounters;
  enumProcesses(): number[];
  /** [process mask, system mask]. */
  getProcessAffinityMask(process: RawHandle): [bigint, bigint];
  setProcessAffinityMask(process: RawHandle, mask: bigint): void;
  getCurrentThreadId(): number;
  getThreadPriority(thread: RawHandle): number;
  setThreadPriority(thread: RawHandle, priority: number): void;
}
