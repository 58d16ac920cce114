/**
 * win32process on Windows: kernel32's process and thread functions, failures turned
 * into {@link Win32Error} with the code GetLastError gave right after the call.
 */
import { CREATE_UNICODE_ENVIRONMENT } from '../process-constants.js';
import { Win32Error } from '../errors.js';
import type { ProcessBackend, ProcessMemoryCounters } from '../process-backend.js';
import type { Kernel32 } from './kernel32.js';
import type { WindowsParity } from './windows-parity.js';
import type { ProcessInformation, ProcessKernel32, StartupInfoW } from './process-kernel32.js';

/** GetThreadPriority's failure value. */
const THREAD_PRIORITY_ERROR_RETURN = 0x7fffffff;
/** PROCESS_MEMORY_COUNTERS on 64-bit Windows: cb, PageFaultCount, then eight SIZE_T. */
const MEMORY_COUNTERS_BYTES = 72;

export function createWin32Processes(k32: Kernel32, p32: ProcessKernel32, parity: WindowsParity): ProcessBackend {
  function fail(syscall: string): never {
    throw new Win32Error(k32.GetLastError(), syscall);
  }
  function check(ok: number, syscall: string): void {
    if (!ok) fail(syscall);
  }

  /** A Unicode environment block: `name=value` strings, each NUL-terminated, then one more NUL. */
  function environmentBlock(env: Readonly<Record<string, string>>): Buffer {
    const entries = Object.entries(env).map(([k, v]) => `${k}=${v}\0`);
    return Buffer.from(entries.join('') + (entries.length === 0 ? '\0\0' : '\0'), 'utf16le');
  }

  return {
    createProcess(args) {
      const si: StartupInfoW = {
        cb: 104,
        lpReserved: null,
        lpDesktop: args.startupInfo.desktop,
        lpTitle: args.startupInfo.title,
        dwX: 0,
        dwY: 0,
        dwXSize: 0,
        dwYSize: 0,
        dwXCountChars: 0,
        dwYCountChars: 0,
        dwFillAttribute: 0,
        dwFlags: args.startupInfo.flags,
        wShowWindow: args.startupInfo.showWindow,
        cbReserved2: 0,
        lpReserved2: null,
        hStdInput: args.startupInfo.stdInput,
        hStdOutput: args.startupInfo.stdOutput,
        hStdError: args.startupInfo.stdError,
      };
      const pi = {} as ProcessInformation;
      const env = args.environment === null ? null : environmentBlock(args.environment);
      const flags = args.creationFlags | (env ? CREATE_UNICODE_ENVIRONMENT : 0);
      // CreateProcessW may write into the command line: give it a buffer of its own.
      const cmd = args.commandLine === null ? null : Buffer.from(`${args.commandLine}\0`, 'utf16le');
      const ok = p32.CreateProcessW(
        args.applicationName,
        cmd,
        null,
        null,
        args.inheritHandles ? 1 : 0,
        flags,
        env,
        args.currentDirectory,
        si,
        pi,
      );
      if (!ok) fail('CreateProcess');
      const cls = parity.creationPriorityClass(flags);
      if (cls) p32.SetPriorityClass(Number(pi.hProcess), cls);
      return { process: Number(pi.hProcess), thread: Number(pi.hThread), processId: pi.dwProcessId, threadId: pi.dwThreadId };
    },
    terminateProcess(handle, exitCode) {
      const refusal = parity.terminateExited(handle);
      if (refusal) throw new Win32Error(refusal, 'TerminateProcess');
      check(p32.TerminateProcess(handle, exitCode >>> 0), 'TerminateProcess');
    },
    getProcessId(handle) {
      const pid = p32.GetProcessId(handle);
      if (pid === 0) fail('GetProcessId');
      return pid;
    },
    getPriorityClass(handle) {
      const cls = p32.GetPriorityClass(handle);
      if (cls === 0) fail('GetPriorityClass');
      return cls;
    },
    setPriorityClass(handle, priorityClass) {
      check(p32.SetPriorityClass(handle, priorityClass), 'SetPriorityClass');
    },
    getProcessTimes(handle) {
      const c: [number | bigint] = [0];
      const e: [number | bigint] = [0];
      const k: [number | bigint] = [0];
      const u: [number | bigint] = [0];
      check(p32.GetProcessTimes(handle, c, e, k, u), 'GetProcessTimes');
      return { creation: BigInt(c[0]), exit: BigInt(e[0]), kernel: BigInt(k[0]), user: BigInt(u[0]) };
    },
    getProcessMemoryInfo(handle): ProcessMemoryCounters {
      const b = Buffer.alloc(MEMORY_COUNTERS_BYTES);
      b.writeUInt32LE(MEMORY_COUNTERS_BYTES, 0);
      check(p32.K32GetProcessMemoryInfo(handle, b, MEMORY_COUNTERS_BYTES), 'GetProcessMemoryInfo');
      const size = (i: number) => Number(b.readBigUInt64LE(8 + i * 8));
      return {
        PageFaultCount: b.readUInt32LE(4),
        PeakWorkingSetSize: size(0),
        WorkingSetSize: size(1),
        QuotaPeakPagedPoolUsage: size(2),
        QuotaPagedPoolUsage: size(3),
        QuotaPeakNonPagedPoolUsage: size(4),
        QuotaNonPagedPoolUsage: size(5),
        PagefileUsage: size(6),
        PeakPagefileUsage: size(7),
      };
    },
    enumProcesses() {
      // The size needed is not reported: grow the buffer until it is not filled.
      for (let n = 1024; ; n *= 2) {
        const pids = new Uint32Array(n);
        const needed: [number] = [0];
        check(p32.K32EnumProcesses(pids, pids.byteLength, needed), 'EnumProcesses');
        if (needed[0] < pids.byteLength) return Array.from(pids.subarray(0, needed[0] / 4));
      }
    },
    getProcessAffinityMask(handle) {
      const p: [number | bigint] = [0];
      const s: [number | bigint] = [0];
      check(p32.GetProcessAffinityMask(handle, p, s), 'GetProcessAffinityMask');
      return [BigInt(p[0]), BigInt(s[0])];
    },
    setProcessAffinityMask(handle, mask) {
      check(p32.SetProcessAffinityMask(handle, mask), 'SetProcessAffinityMask');
    },
    getCurrentThreadId: () => p32.GetCurrentThreadId(),
    getThreadPriority(handle) {
      const priority = p32.GetThreadPriority(handle);
      if (priority === THREAD_PRIORITY_ERROR_RETURN) fail('GetThreadPriority');
      return priority;
    },
    setThreadPriority(handle, priority) {
      check(p32.SetThreadPriority(handle, priority), 'SetThreadPriority');
    },
  };
}
