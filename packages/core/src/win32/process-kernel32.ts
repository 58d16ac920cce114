/**
 * The koffi declarations of kernel32's process and thread functions (win32process),
 * with MSDN's parameter names. Loaded after kernel32.ts has declared the Win32 type
 * names; structs are anonymous so that a second copy of the package declares its own.
 */
import koffi from 'koffi';

function fn<T>(lib: ReturnType<typeof koffi.load>, prototype: string): T {
  return lib.func(prototype) as unknown as T;
}

/** STARTUPINFOW's fields that CreateProcess passes; the rest stay zero. */
export interface StartupInfoW {
  cb: number;
  lpReserved: null;
  lpDesktop: string | null;
  lpTitle: string | null;
  dwX: number;
  dwY: number;
  dwXSize: number;
  dwYSize: number;
  dwXCountChars: number;
  dwYCountChars: number;
  dwFillAttribute: number;
  dwFlags: number;
  wShowWindow: number;
  cbReserved2: number;
  lpReserved2: null;
  hStdInput: number;
  hStdOutput: number;
  hStdError: number;
}

export interface ProcessInformation {
  hProcess: number;
  hThread: number;
  dwProcessId: number;
  dwThreadId: number;
}

export function loadProcessKernel32() {
  const kernel32 = koffi.load('kernel32.dll');
  const ntdll = koffi.load('ntdll.dll');
  const STARTUPINFOW = koffi.struct({
    cb: 'uint32_t',
    lpReserved: 'void *',
    lpDesktop: 'const char16_t *',
    lpTitle: 'const char16_t *',
    dwX: 'uint32_t',
    dwY: 'uint32_t',
    dwXSize: 'uint32_t',
    dwYSize: 'uint32_t',
    dwXCountChars: 'uint32_t',
    dwYCountChars: 'uint32_t',
    dwFillAttribute: 'uint32_t',
    dwFlags: 'uint32_t',
    wShowWindow: 'uint16_t',
    cbReserved2: 'uint16_t',
    lpReserved2: 'void *',
    hStdInput: 'intptr_t',
    hStdOutput: 'intptr_t',
    hStdError: 'intptr_t',
  });
  const PROCESS_INFORMATION = koffi.struct({ hProcess: 'intptr_t', hThread: 'intptr_t', dwProcessId: 'uint32_t', dwThreadId: 'uint32_t' });

  const CreateProcessW = kernel32.func('__stdcall', 'CreateProcessW', 'int32_t', [
    'const char16_t *', // lpApplicationName
    'void *', // lpCommandLine (writable: CreateProcessW may change it)
    'void *', // lpProcessAttributes
    'void *', // lpThreadAttributes
    'int32_t', // bInheritHandles
    'uint32_t', // dwCreationFlags
    'void *', // lpEnvironment
    'const char16_t *', // lpCurrentDirectory
    koffi.pointer(STARTUPINFOW), // lpStartupInfo
    koffi.out(koffi.pointer(PROCESS_INFORMATION)), // lpProcessInformation
  ]) as unknown as (
    app: string | null,
    cmd: Buffer | null,
    pa: null,
    ta: null,
    inherit: number,
    flags: number,
    env: Buffer | null,
    cwd: string | null,
    si: StartupInfoW,
    pi: ProcessInformation,
  ) => number;

  const NtQueryObject = fn<(h: number, infoClass: number, info: unknown, length: number, returned: null) => number>(
    ntdll,
    'int32_t __stdcall NtQueryObject(HANDLE Handle, int ObjectInformationClass, void *ObjectInformation, uint32_t ObjectInformationLength, uint32_t *ReturnLength)',
  );
  type Out64 = [number | bigint];
  return {
    CreateProcessW,
    TerminateProcess: fn<(h: number, code: number) => number>(
      kernel32,
      'BOOL __stdcall TerminateProcess(HANDLE hProcess, uint32_t uExitCode)',
    ),
    GetProcessId: fn<(h: number) => number>(kernel32, 'DWORD __stdcall GetProcessId(HANDLE Process)'),
    GetPriorityClass: fn<(h: number) => number>(kernel32, 'DWORD __stdcall GetPriorityClass(HANDLE hProcess)'),
    SetPriorityClass: fn<(h: number, cls: number) => number>(
      kernel32,
      'BOOL __stdcall SetPriorityClass(HANDLE hProcess, DWORD dwPriorityClass)',
    ),
    GetProcessTimes: fn<(h: number, c: Out64, e: Out64, k: Out64, u: Out64) => number>(
      kernel32,
      'BOOL __stdcall GetProcessTimes(HANDLE hProcess, _Out_ uint64_t *lpCreationTime, _Out_ uint64_t *lpExitTime, _Out_ uint64_t *lpKernelTime, _Out_ uint64_t *lpUserTime)',
    ),
    K32GetProcessMemoryInfo: fn<(h: number, counters: Buffer, cb: number) => number>(
      kernel32,
      'BOOL __stdcall K32GetProcessMemoryInfo(HANDLE Process, _Inout_ void *ppsmemCounters, DWORD cb)',
    ),
    K32EnumProcesses: fn<(pids: Uint32Array, cb: number, needed: [number]) => number>(
      kernel32,
      'BOOL __stdcall K32EnumProcesses(_Out_ uint32_t *lpidProcess, DWORD cb, _Out_ DWORD *lpcbNeeded)',
    ),
    GetProcessAffinityMask: fn<(h: number, process: Out64, system: Out64) => number>(
      kernel32,
      'BOOL __stdcall GetProcessAffinityMask(HANDLE hProcess, _Out_ uint64_t *lpProcessAffinityMask, _Out_ uint64_t *lpSystemAffinityMask)',
    ),
    SetProcessAffinityMask: fn<(h: number, mask: bigint) => number>(
      kernel32,
      'BOOL __stdcall SetProcessAffinityMask(HANDLE hProcess, uint64_t dwProcessAffinityMask)',
    ),
    GetCurrentThreadId: fn<() => number>(kernel32, 'DWORD __stdcall GetCurrentThreadId()'),
    GetThreadPriority: fn<(h: number) => number>(kernel32, 'int __stdcall GetThreadPriority(HANDLE hThread)'),
    SetThreadPriority: fn<(h: number, priority: number) => number>(
      kernel32,
      'BOOL __stdcall SetThreadPriority(HANDLE hThread, int nPriority)',
    ),
    WaitForSingleObjectEx: fn<(h: number, ms: number, alertable: number) => number>(
      kernel32,
      'DWORD __stdcall WaitForSingleObjectEx(HANDLE hHandle, DWORD dwMilliseconds, BOOL bAlertable)',
    ),
    /** NtQueryObject's ObjectTypeInformation (2): the type name of the object a handle refers to, or null. */
    objectTypeName(handle: number): string | null {
      // koffi-allocated memory: the answer points into itself, so it must not move or be copied.
      const info: unknown = koffi.alloc('uint8_t', 1024);
      try {
        if (NtQueryObject(handle, 2, info, 1024, null) !== 0) return null;
        const length = koffi.decode(info, 'uint16_t') as number; // TypeName.Length, in bytes
        const buffer: unknown = koffi.decode(info, 8, 'void *'); // TypeName.Buffer
        return koffi.decode.string16(buffer, length / 2);
      } finally {
        koffi.free(info);
      }
    },
  };
}

export type ProcessKernel32 = ReturnType<typeof loadProcessKernel32>;
