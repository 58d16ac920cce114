/**
 * win32process on Linux. Processes this library creates are spawned with posix_spawn
 * (not through Node's child_process, whose event loop would reap them and lose their
 * exit status): each child stays a zombie, its exit status readable without reaping
 * (waitid WNOWAIT), until no handle of this process refers to it any more; then it is
 * reaped, at the next CloseHandle or CreateProcess. That is Windows' lifetime for a
 * process object and its exit code.
 *
 * Lifetimes: `#children` holds one pidfd per child not yet reaped (freed when reaped;
 * bounded by the children alive or referenced); `#terminated` holds the exit code given
 * to TerminateProcess per process object (freed with the object's slot on reuse, by
 * generation). Process handles are objects of the shared namespace (object-semantics.ts);
 * priority, times and memory come from /proc and setpriority, as Node's os module reads them.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import type { RawHandle } from '../backend.js';
import { PROCESS_QUERY_INFORMATION, PROCESS_QUERY_LIMITED_INFORMATION, PROCESS_TERMINATE, STILL_ACTIVE } from '../constants.js';
import {
  ERROR_ACCESS_DENIED,
  ERROR_DIRECTORY,
  ERROR_FILE_NOT_FOUND,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_NOT_ENOUGH_MEMORY,
} from '../error-codes.js';
import { NotSupportedError, Win32Error } from '../errors.js';
import {
  ABOVE_NORMAL_PRIORITY_CLASS,
  BELOW_NORMAL_PRIORITY_CLASS,
  CREATE_BREAKAWAY_FROM_JOB,
  CREATE_DEFAULT_ERROR_MODE,
  CREATE_NEW_PROCESS_GROUP,
  CREATE_NO_WINDOW,
  CREATE_UNICODE_ENVIRONMENT,
  DETACHED_PROCESS,
  HIGH_PRIORITY_CLASS,
  IDLE_PRIORITY_CLASS,
  INHERIT_PARENT_AFFINITY,
  NORMAL_PRIORITY_CLASS,
  PROCESS_ALL_ACCESS,
  PROCESS_SET_INFORMATION,
  REALTIME_PRIORITY_CLASS,
  STARTF_USESTDHANDLES,
  THREAD_PRIORITY_ABOVE_NORMAL,
  THREAD_PRIORITY_BELOW_NORMAL,
  THREAD_PRIORITY_HIGHEST,
  THREAD_PRIORITY_IDLE,
  THREAD_PRIORITY_LOWEST,
  THREAD_PRIORITY_NORMAL,
  THREAD_PRIORITY_TIME_CRITICAL,
} from '../process-constants.js';
import { CURRENT_PROCESS, CURRENT_THREAD, type ProcessBackend, type ProcessMemoryCounters, type ProcessTimes } from '../process-backend.js';
import { splitCommandLine } from './command-line.js';
import type { ObjectSemantics } from './object-semantics.js';
import { H, KIND, LIMITS, O, objectWord } from './layout.js';
import { type Libc, P_PIDFD, WEXITED, WNOHANG, WNOWAIT } from './libc.js';
import { loadProcessLibc, SIGKILL } from './libc-process.js';
import type { Namespace } from './namespace.js';

const CLD_EXITED = 1;
const CLD_KILLED = 2;
const CLD_DUMPED = 3;
/** 100 ns units between 1601-01-01 and 1970-01-01. */
const FILETIME_UNIX_EPOCH = 116_444_736_000_000_000n;
/** Clock ticks per second of /proc's times (USER_HZ: 100 on every Linux ABI Node runs on). */
const USER_HZ = 100n;

/** Priority classes as nice values: Node's os.constants.priority, which libuv maps to the same classes on Windows. */
const CLASS_NICE: readonly [number, number][] = [
  [IDLE_PRIORITY_CLASS, 19],
  [BELOW_NORMAL_PRIORITY_CLASS, 10],
  [NORMAL_PRIORITY_CLASS, 0],
  [ABOVE_NORMAL_PRIORITY_CLASS, -7],
  [HIGH_PRIORITY_CLASS, -14],
  [REALTIME_PRIORITY_CLASS, -20],
];
/** Thread priorities as nice offsets from the process's (IDLE and TIME_CRITICAL: the ends of the range). */
const THREAD_NICE_OFFSET = new Map<number, number>([
  [THREAD_PRIORITY_LOWEST, 4],
  [THREAD_PRIORITY_BELOW_NORMAL, 2],
  [THREAD_PRIORITY_NORMAL, 0],
  [THREAD_PRIORITY_ABOVE_NORMAL, -2],
  [THREAD_PRIORITY_HIGHEST, -4],
]);
/** Creation flags with a meaning here (priority classes are applied after the spawn). */
const ACCEPTED_FLAGS =
  CREATE_NEW_PROCESS_GROUP |
  CREATE_UNICODE_ENVIRONMENT |
  DETACHED_PROCESS |
  CREATE_NO_WINDOW |
  CREATE_BREAKAWAY_FROM_JOB |
  CREATE_DEFAULT_ERROR_MODE |
  INHERIT_PARENT_AFFINITY |
  CLASS_NICE.reduce((all, [cls]) => all | cls, 0);

/** The nice value's priority class: the class whose nice value is nearest. */
function classOfNice(nice: number): number {
  let best = CLASS_NICE[0]!;
  for (const entry of CLASS_NICE) if (Math.abs(entry[1] - nice) < Math.abs(best[1] - nice)) best = entry;
  return best[0];
}

/** A failed os.get/setPriority (a SystemError with an errno name) as Windows would say it. */
function priorityError(error: unknown, syscall: string): Win32Error {
  const code = (error as { code?: string }).code;
  if (code === 'ESRCH') return new Win32Error(ERROR_INVALID_HANDLE, syscall);
  if (code === 'EACCES' || code === 'EPERM') return new Win32Error(ERROR_ACCESS_DENIED, syscall);
  return new Win32Error(ERROR_INVALID_PARAMETER, syscall);
}

/** Fields of /proc/<pid>/stat after the command name, numbered as in proc(5) (state is 3). */
function procStat(pid: number): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return [
      '',
      '',
      '',
      ...text
        .slice(text.lastIndexOf(')') + 2)
        .trim()
        .split(' '),
    ];
  } catch {
    return null;
  }
}

function procStatus(pid: number): Map<string, number> {
  const values = new Map<string, number>();
  try {
    for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
      const m = /^(\w+):\s+(\d+) kB/.exec(line);
      if (m) values.set(m[1]!, Number(m[2]) * 1024);
    }
  } catch {
    // A process that is gone has no counters.
  }
  return values;
}

let bootTime: bigint | undefined;
/** Boot time as a FILETIME (from /proc/stat's btime, in seconds). */
function bootFiletime(): bigint {
  if (bootTime === undefined) {
    const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    bootTime = BigInt(m ? m[1]! : 0) * 10_000_000n + FILETIME_UNIX_EPOCH;
  }
  return bootTime;
}

// Per thread (each worker has its own copy of this module): the nice value its priority is relative to, and the priority set.
let threadBaseNice: number | null = null;
let threadPriority = THREAD_PRIORITY_NORMAL;

export interface LinuxProcesses extends ProcessBackend {
  getExitCodeProcess(handle: RawHandle): number;
  /** Reaps children that have exited and that no handle refers to any more. */
  sweep(): void;
}

/**
 * @param adopt makes a process object for a pidfd of ours and returns a handle to it
 *   (the backend's OpenProcess path, given the pidfd it would have opened).
 */
export function createLinuxProcesses(
  ns: Namespace,
  engine: ObjectSemantics,
  libc: Libc,
  adopt: (pid: number, pidfd: number, access: number, syscall: string) => RawHandle,
  duplicate: (handle: RawHandle) => RawHandle,
): LinuxProcesses {
  const plibc = loadProcessLibc();
  const children = new Map<number, number>(); // pid -> a pidfd of our own, for reaping
  const terminated = new Map<number, { generation: number; code: number }>(); // object slot -> TerminateProcess's code

  /** The process a handle refers to, checked for one of `rights` (any of them). -1 is this process. */
  function target(handle: RawHandle, rights: number, syscall: string): { pid: number; pidfd: number; obj: number; generation: number } {
    if (handle === CURRENT_PROCESS) return { pid: process.pid, pidfd: -1, obj: -1, generation: 0 };
    return ns.transact(() => {
      const obj = engine.resolve(handle, 0, [KIND.process], syscall);
      if ((engine.handleAccess(handle, syscall) & rights) === 0) throw new Win32Error(ERROR_ACCESS_DENIED, syscall);
      return {
        pid: ns.r(objectWord(obj, O.pid)),
        pidfd: ns.r(objectWord(obj, O.pidfd)),
        obj,
        generation: ns.r(objectWord(obj, O.generation)),
      };
    });
  }

  const QUERY = PROCESS_QUERY_INFORMATION | PROCESS_QUERY_LIMITED_INFORMATION;
  const SET = PROCESS_SET_INFORMATION;

  /** The pid of a process that still exists as that process (running, or our zombie child). */
  function livePid(handle: RawHandle, rights: number, syscall: string): number {
    const t = target(handle, rights, syscall);
    if (t.pidfd >= 0 && engine.processExited(t.pidfd) && !children.has(t.pid)) throw new Win32Error(ERROR_ACCESS_DENIED, syscall);
    return t.pid;
  }

  /** The exit status of a child, without reaping it: null if not available. */
  function exitStatus(pidfd: number): { code: number; status: number } | null {
    const info = new Int32Array(32);
    if (libc.waitid(P_PIDFD, pidfd, info, WEXITED | WNOHANG | WNOWAIT) === 0 && info[0] !== 0) return { code: info[2]!, status: info[6]! };
    return null;
  }

  function referenced(pid: number): boolean {
    const high = ns.r(H.objectsHigh);
    for (let obj = 0; obj < high && obj < LIMITS.objects; obj++) {
      if (
        ns.r(objectWord(obj, O.kind)) === KIND.process &&
        ns.r(objectWord(obj, O.pid)) === pid &&
        ns.r(objectWord(obj, O.ownerProcess)) === ns.process
      )
        return true;
    }
    return false;
  }

  function resolveProgram(applicationName: string | null, argv: readonly string[], cwd: string): { path: string; search: boolean } {
    const program = applicationName ?? argv[0] ?? '';
    if (program === '') throw new Win32Error(ERROR_FILE_NOT_FOUND, 'CreateProcess');
    // lpApplicationName is a path (never searched); a bare command-line name is searched in PATH.
    if (applicationName !== null || program.includes('/'))
      return { path: program.startsWith('/') ? program : `${cwd}/${program}`, search: false };
    return { path: program, search: true };
  }

  function sweep(): void {
    if (children.size === 0) return;
    ns.transact(() => {
      for (const [pid, fd] of children) {
        if (!engine.processExited(fd) || referenced(pid)) continue;
        const info = new Int32Array(32);
        libc.waitid(P_PIDFD, fd, info, WEXITED | WNOHANG); // reaps it
        libc.close(fd);
        children.delete(pid);
      }
    });
  }

  return {
    sweep,

    getExitCodeProcess(handle) {
      if (handle === CURRENT_PROCESS) return STILL_ACTIVE;
      const t = target(handle, QUERY, 'GetExitCodeProcess');
      if (!engine.processExited(t.pidfd)) return STILL_ACTIVE;
      const killed = terminated.get(t.obj);
      const byTerminate = killed !== undefined && killed.generation === t.generation ? killed.code : null;
      const status = exitStatus(t.pidfd);
      if (status === null) {
        if (byTerminate !== null) return byTerminate;
        throw new NotSupportedError(
          'GetExitCodeProcess: Linux keeps an exit status only for the parent until it reaps the child; this one is not available',
        );
      }
      if (status.code === CLD_EXITED) return status.status;
      if (byTerminate !== null && status.status === SIGKILL) return byTerminate;
      return status.code === CLD_KILLED || status.code === CLD_DUMPED ? 128 + status.status : status.status;
    },

    createProcess(args) {
      const unsupported = args.creationFlags & ~ACCEPTED_FLAGS;
      if (unsupported)
        throw new NotSupportedError(
          `CreateProcess: creation flags 0x${unsupported.toString(16)} are not supported on Linux (suspended, debugged, console or protected processes)`,
        );
      if (args.startupInfo.flags & STARTF_USESTDHANDLES)
        throw new NotSupportedError('CreateProcess: STARTF_USESTDHANDLES is not supported (this library has no file or pipe handles)');
      if (args.applicationName === null && args.commandLine === null) throw new Win32Error(ERROR_INVALID_PARAMETER, 'CreateProcess');
      if (args.currentDirectory !== null) {
        let isDir: boolean;
        try {
          isDir = statSync(args.currentDirectory).isDirectory();
        } catch {
          isDir = false;
        }
        if (!isDir) throw new Win32Error(ERROR_DIRECTORY, 'CreateProcess');
      }
      const argv = args.commandLine !== null ? splitCommandLine(args.commandLine) : [args.applicationName!];
      // A relative program path is the caller's, as Windows completes it from the parent's directory.
      const { path, search } = resolveProgram(args.applicationName, argv, process.cwd());
      const env = args.environment ?? (process.env as Record<string, string>);
      const envp = Object.entries(env)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${v}`);
      sweep();
      const pid = plibc.spawn(path, search, argv, envp, {
        cwd: args.currentDirectory,
        newGroup: (args.creationFlags & CREATE_NEW_PROCESS_GROUP) !== 0,
        nullStdio: (args.creationFlags & DETACHED_PROCESS) !== 0,
      });
      if (pid < 0) {
        const errno = -pid;
        throw new Win32Error(
          errno === 2 || errno === 20 ? ERROR_FILE_NOT_FOUND : errno === 12 ? ERROR_NOT_ENOUGH_MEMORY : ERROR_ACCESS_DENIED,
          'CreateProcess',
        );
      }
      // Our child: no one else reaps it, so its pid stays its own while we hold it.
      const own = libc.pidfdOpen(pid);
      const fd = libc.pidfdOpen(pid);
      if (own >= 0) children.set(pid, own);
      const hProcess = adopt(pid, fd, PROCESS_ALL_ACCESS, 'CreateProcess');
      const cls = CLASS_NICE.find(([c]) => args.creationFlags & c);
      if (cls && cls[0] !== NORMAL_PRIORITY_CLASS) {
        try {
          os.setPriority(pid, cls[1]);
        } catch {
          // Raising a priority needs CAP_SYS_NICE: the child keeps the normal class, as Windows gives HIGH for an unprivileged REALTIME.
        }
      }
      return { process: hProcess, thread: duplicate(hProcess), processId: pid, threadId: pid };
    },

    terminateProcess(handle, exitCode) {
      if (handle === CURRENT_PROCESS) process.exit(exitCode);
      const t = target(handle, PROCESS_TERMINATE, 'TerminateProcess');
      // A process that has already exited cannot be terminated (Windows: ERROR_ACCESS_DENIED).
      if (engine.processExited(t.pidfd)) throw new Win32Error(ERROR_ACCESS_DENIED, 'TerminateProcess');
      terminated.set(t.obj, { generation: t.generation, code: exitCode });
      if (plibc.pidfdSendSignal(t.pidfd, SIGKILL) < 0) {
        terminated.delete(t.obj);
        throw new Win32Error(ERROR_ACCESS_DENIED, 'TerminateProcess');
      }
    },

    getProcessId(handle) {
      return target(handle, QUERY, 'GetProcessId').pid;
    },

    getPriorityClass(handle) {
      const pid = livePid(handle, QUERY, 'GetPriorityClass');
      try {
        return classOfNice(os.getPriority(pid));
      } catch (error) {
        throw priorityError(error, 'GetPriorityClass');
      }
    },
    setPriorityClass(handle, priorityClass) {
      const entry = CLASS_NICE.find(([c]) => c === priorityClass);
      if (!entry) {
        if (priorityClass === 0x00100000 || priorityClass === 0x00200000)
          throw new NotSupportedError('SetPriorityClass: background processing mode is not supported on Linux');
        throw new Win32Error(ERROR_INVALID_PARAMETER, 'SetPriorityClass');
      }
      const pid = livePid(handle, SET, 'SetPriorityClass');
      try {
        os.setPriority(pid, entry[1]);
      } catch (error) {
        throw priorityError(error, 'SetPriorityClass');
      }
    },

    getProcessTimes(handle): ProcessTimes {
      const pid = livePid(handle, QUERY, 'GetProcessTimes');
      const stat = procStat(pid);
      if (!stat) throw new Win32Error(ERROR_ACCESS_DENIED, 'GetProcessTimes');
      const tick = 10_000_000n / USER_HZ;
      const creation = bootFiletime() + BigInt(stat[22]!) * tick;
      // Linux records no exit time: an exited child reports the time its exit is first asked for here.
      const exited = stat[3] === 'Z' || stat[3] === 'X';
      const exit = exited ? BigInt(Date.now()) * 10_000n + FILETIME_UNIX_EPOCH : 0n;
      return { creation, exit, kernel: BigInt(stat[15]!) * tick, user: BigInt(stat[14]!) * tick };
    },

    getProcessMemoryInfo(handle): ProcessMemoryCounters {
      const pid = livePid(handle, QUERY, 'GetProcessMemoryInfo');
      const stat = procStat(pid);
      if (!stat) throw new Win32Error(ERROR_ACCESS_DENIED, 'GetProcessMemoryInfo');
      const status = procStatus(pid);
      const privateBytes = (status.get('RssAnon') ?? 0) + (status.get('VmSwap') ?? 0);
      return {
        PageFaultCount: Number(stat[10]) + Number(stat[12]),
        PeakWorkingSetSize: status.get('VmHWM') ?? 0,
        WorkingSetSize: status.get('VmRSS') ?? 0,
        QuotaPeakPagedPoolUsage: 0,
        QuotaPagedPoolUsage: 0,
        QuotaPeakNonPagedPoolUsage: 0,
        QuotaNonPagedPoolUsage: 0,
        PagefileUsage: privateBytes,
        // Linux keeps no peak of private memory: the current value.
        PeakPagefileUsage: privateBytes,
      };
    },

    enumProcesses() {
      return readdirSync('/proc')
        .filter((n) => /^\d+$/.test(n))
        .map(Number)
        .sort((a, b) => a - b);
    },

    getProcessAffinityMask(handle) {
      const pid = livePid(handle, QUERY, 'GetProcessAffinityMask');
      const mask = plibc.getAffinity(pid);
      if (!mask) throw new Win32Error(ERROR_ACCESS_DENIED, 'GetProcessAffinityMask');
      let processMask = 0n;
      for (let cpu = 0; cpu < 64; cpu++) if (mask[cpu >> 3]! & (1 << (cpu & 7))) processMask |= 1n << BigInt(cpu);
      return [processMask, systemMask()];
    },
    setProcessAffinityMask(handle, mask) {
      if (mask === 0n || (mask & ~systemMask()) !== 0n) throw new Win32Error(ERROR_INVALID_PARAMETER, 'SetProcessAffinityMask');
      const pid = livePid(handle, SET, 'SetProcessAffinityMask');
      const bytes = new Uint8Array(128);
      for (let cpu = 0; cpu < 64; cpu++) if (mask & (1n << BigInt(cpu))) bytes[cpu >> 3]! |= 1 << (cpu & 7);
      // Linux affinity is per thread; a Windows process mask covers every thread.
      let tids: number[];
      try {
        tids = readdirSync(`/proc/${pid}/task`).map(Number);
      } catch {
        tids = [pid];
      }
      for (const tid of tids) {
        const r = plibc.setAffinity(tid, bytes);
        if (r < 0 && r !== -3 /* ESRCH: the thread ended meanwhile */) throw new Win32Error(ERROR_ACCESS_DENIED, 'SetProcessAffinityMask');
      }
    },

    getCurrentThreadId: () => libc.gettid(),
    getThreadPriority(handle) {
      if (handle !== CURRENT_THREAD) throw threadHandleError('GetThreadPriority');
      return threadPriority;
    },
    setThreadPriority(handle, priority) {
      if (handle !== CURRENT_THREAD) throw threadHandleError('SetThreadPriority');
      const tid = libc.gettid();
      let base: number;
      try {
        base = threadBaseNice ??= os.getPriority(tid);
      } catch (error) {
        throw priorityError(error, 'SetThreadPriority');
      }
      let nice: number;
      if (priority === THREAD_PRIORITY_IDLE) nice = 19;
      else if (priority === THREAD_PRIORITY_TIME_CRITICAL) nice = -20;
      else if (THREAD_NICE_OFFSET.has(priority)) nice = Math.max(-20, Math.min(19, base + THREAD_NICE_OFFSET.get(priority)!));
      else throw new Win32Error(ERROR_INVALID_PARAMETER, 'SetThreadPriority');
      try {
        os.setPriority(tid, nice);
      } catch (error) {
        throw priorityError(error, 'SetThreadPriority');
      }
      threadPriority = priority;
    },
  };
}

/** Linux has no thread objects here: only the calling thread's pseudo handle names a thread. */
function threadHandleError(syscall: string): Error {
  return new NotSupportedError(`${syscall}: on Linux only GetCurrentThread()'s pseudo handle names a thread`);
}

let system: bigint | undefined;
/** Every CPU of the machine, as Windows' system affinity mask (up to 64). */
function systemMask(): bigint {
  return (system ??= (1n << BigInt(Math.min(64, os.cpus().length))) - 1n);
}
