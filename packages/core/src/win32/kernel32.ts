/**
 * Every koffi declaration of kernel32 and user32 that the Windows backend uses, with
 * MSDN's parameter names. HANDLE is declared as a pointer-sized integer so that handles
 * are plain numbers that can be posted to worker threads.
 */
import koffi from 'koffi';

/**
 * The Win32 type names the prototypes use. koffi's type names are global to the koffi
 * instance, so a second copy of this package in the process (a bundler's, or a package
 * manager's link that is not resolved to one path) finds them declared already.
 */
function declareTypes(): void {
  for (const [name, type] of [
    ['HANDLE', 'intptr_t'],
    ['BOOL', 'int32_t'],
    ['DWORD', 'uint32_t'],
    ['LONG', 'int32_t'],
  ] as const) {
    try {
      koffi.alias(name, type);
    } catch {
      // Declared by another copy, with the same meaning.
    }
  }
}

type HandleFn = (handle: number) => number;
type OpenFn = (access: number, inherit: number, name: string) => number;

/** A function the OS may lack: `null` where it has none. */
function optional<T>(declare: () => T): T | null {
  try {
    return declare();
  } catch {
    return null;
  }
}

/** Declares a function from its C prototype, typed for TypeScript (koffi returns `any`). */
function fn<T>(lib: ReturnType<typeof koffi.load>, prototype: string): T {
  return lib.func(prototype) as unknown as T;
}

/**
 * Loads kernel32 and user32 and declares the functions: called once, on Windows only,
 * so that importing this module never fails elsewhere.
 */
export function loadKernel32() {
  declareTypes();
  const kernel32 = koffi.load('kernel32.dll');
  const user32 = koffi.load('user32.dll');
  const kernelbase = koffi.load('kernelbase.dll');
  const ntdll = koffi.load('ntdll.dll');

  // koffi keeps the thread's last error from the call itself, so GetLastError read
  // right after a failing call is that call's error.
  const GetLastError = fn<() => number>(kernel32, 'DWORD __stdcall GetLastError()');
  const CloseHandle = fn<(hObject: number) => number>(kernel32, 'BOOL __stdcall CloseHandle(HANDLE hObject)');
  const GetCurrentProcess = fn<() => number>(kernel32, 'HANDLE __stdcall GetCurrentProcess()');
  const GetCurrentProcessId = fn<() => number>(kernel32, 'DWORD __stdcall GetCurrentProcessId()');
  const DuplicateHandle = fn<
    (src: number, h: number, dst: number, out: [number], access: number, inherit: number, options: number) => number
  >(
    kernel32,
    'BOOL __stdcall DuplicateHandle(HANDLE hSourceProcessHandle, HANDLE hSourceHandle, HANDLE hTargetProcessHandle, _Out_ HANDLE *lpTargetHandle, DWORD dwDesiredAccess, BOOL bInheritHandle, DWORD dwOptions)',
  );

  const CreateEventExW = fn<(sa: null, name: string | null, flags: number, access: number) => number>(
    kernel32,
    'HANDLE __stdcall CreateEventExW(void *lpEventAttributes, const char16_t *lpName, DWORD dwFlags, DWORD dwDesiredAccess)',
  );
  const OpenEventW = fn<OpenFn>(
    kernel32,
    'HANDLE __stdcall OpenEventW(DWORD dwDesiredAccess, BOOL bInheritHandle, const char16_t *lpName)',
  );
  const SetEvent = fn<HandleFn>(kernel32, 'BOOL __stdcall SetEvent(HANDLE hEvent)');
  const ResetEvent = fn<HandleFn>(kernel32, 'BOOL __stdcall ResetEvent(HANDLE hEvent)');
  const PulseEvent = fn<HandleFn>(kernel32, 'BOOL __stdcall PulseEvent(HANDLE hEvent)');

  const CreateMutexExW = fn<(sa: null, name: string | null, flags: number, access: number) => number>(
    kernel32,
    'HANDLE __stdcall CreateMutexExW(void *lpMutexAttributes, const char16_t *lpName, DWORD dwFlags, DWORD dwDesiredAccess)',
  );
  const OpenMutexW = fn<OpenFn>(
    kernel32,
    'HANDLE __stdcall OpenMutexW(DWORD dwDesiredAccess, BOOL bInheritHandle, const char16_t *lpName)',
  );
  const ReleaseMutex = fn<HandleFn>(kernel32, 'BOOL __stdcall ReleaseMutex(HANDLE hMutex)');

  const CreateSemaphoreExW = fn<(sa: null, initial: number, maximum: number, name: string | null, flags: number, access: number) => number>(
    kernel32,
    'HANDLE __stdcall CreateSemaphoreExW(void *lpSemaphoreAttributes, LONG lInitialCount, LONG lMaximumCount, const char16_t *lpName, DWORD dwFlags, DWORD dwDesiredAccess)',
  );
  const OpenSemaphoreW = fn<OpenFn>(
    kernel32,
    'HANDLE __stdcall OpenSemaphoreW(DWORD dwDesiredAccess, BOOL bInheritHandle, const char16_t *lpName)',
  );
  const ReleaseSemaphore = fn<(h: number, count: number, previous: [number]) => number>(
    kernel32,
    'BOOL __stdcall ReleaseSemaphore(HANDLE hSemaphore, LONG lReleaseCount, _Out_ LONG *lpPreviousCount)',
  );

  const CreateWaitableTimerExW = fn<(sa: null, name: string | null, flags: number, access: number) => number>(
    kernel32,
    'HANDLE __stdcall CreateWaitableTimerExW(void *lpTimerAttributes, const char16_t *lpTimerName, DWORD dwFlags, DWORD dwDesiredAccess)',
  );
  const OpenWaitableTimerW = fn<OpenFn>(
    kernel32,
    'HANDLE __stdcall OpenWaitableTimerW(DWORD dwDesiredAccess, BOOL bInheritHandle, const char16_t *lpTimerName)',
  );
  const SetWaitableTimer = fn<(h: number, dueTime: [bigint], period: number, routine: null, arg: null, resume: number) => number>(
    kernel32,
    'BOOL __stdcall SetWaitableTimer(HANDLE hTimer, const int64_t *lpDueTime, LONG lPeriod, void *pfnCompletionRoutine, void *lpArgToCompletionRoutine, BOOL fResume)',
  );
  const CancelWaitableTimer = fn<HandleFn>(kernel32, 'BOOL __stdcall CancelWaitableTimer(HANDLE hTimer)');

  const OpenProcess = fn<(access: number, inherit: number, pid: number) => number>(
    kernel32,
    'HANDLE __stdcall OpenProcess(DWORD dwDesiredAccess, BOOL bInheritHandle, DWORD dwProcessId)',
  );
  const GetExitCodeProcess = fn<(h: number, code: [number]) => number>(
    kernel32,
    'BOOL __stdcall GetExitCodeProcess(HANDLE hProcess, _Out_ DWORD *lpExitCode)',
  );

  // Crash-safe semaphores' ledgers (crash-safe-ledger.ts): a named shared memory section.
  const CreateFileMappingW = fn<
    (file: number, sa: null, protect: number, sizeHigh: number, sizeLow: number, name: string | null) => number
  >(
    kernel32,
    'HANDLE __stdcall CreateFileMappingW(HANDLE hFile, void *lpFileMappingAttributes, DWORD flProtect, DWORD dwMaximumSizeHigh, DWORD dwMaximumSizeLow, const char16_t *lpName)',
  );
  const OpenFileMappingW = fn<OpenFn>(
    kernel32,
    'HANDLE __stdcall OpenFileMappingW(DWORD dwDesiredAccess, BOOL bInheritHandle, const char16_t *lpName)',
  );
  const MapViewOfFile = fn<(mapping: number, access: number, offsetHigh: number, offsetLow: number, bytes: number) => unknown>(
    kernel32,
    'void * __stdcall MapViewOfFile(HANDLE hFileMappingObject, DWORD dwDesiredAccess, DWORD dwFileOffsetHigh, DWORD dwFileOffsetLow, size_t dwNumberOfBytesToMap)',
  );
  const UnmapViewOfFile = fn<(address: unknown) => number>(kernel32, 'BOOL __stdcall UnmapViewOfFile(void *lpBaseAddress)');

  const WaitForMultipleObjectsEx = fn<
    (count: number, handles: readonly number[], waitAll: number, ms: number, alertable: number) => number
  >(
    kernel32,
    'DWORD __stdcall WaitForMultipleObjectsEx(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll, DWORD dwMilliseconds, BOOL bAlertable)',
  );
  const SignalObjectAndWait = fn<(toSignal: number, toWaitOn: number, ms: number, alertable: number) => number>(
    kernel32,
    'DWORD __stdcall SignalObjectAndWait(HANDLE hObjectToSignal, HANDLE hObjectToWaitOn, DWORD dwMilliseconds, BOOL bAlertable)',
  );
  const MsgWaitForMultipleObjectsEx = fn<
    (count: number, handles: readonly number[], ms: number, wakeMask: number, flags: number) => number
  >(
    user32,
    'DWORD __stdcall MsgWaitForMultipleObjectsEx(DWORD nCount, const HANDLE *pHandles, DWORD dwMilliseconds, DWORD dwWakeMask, DWORD dwFlags)',
  );
  // Windows 10 1607 and later (and Wine); used only to make Wine refuse what Windows refuses.
  const CompareObjectHandles = optional(() =>
    fn<(first: number, second: number) => number>(
      kernelbase,
      'BOOL __stdcall CompareObjectHandles(HANDLE hFirstObjectHandle, HANDLE hSecondObjectHandle)',
    ),
  );
  // The access a handle grants (ObjectBasicInformation = 0: Attributes, GrantedAccess, ...).
  const NtQueryObject = fn<(handle: number, infoClass: number, info: Uint32Array, length: number, returned: null) => number>(
    ntdll,
    'int32_t __stdcall NtQueryObject(HANDLE Handle, int ObjectInformationClass, _Out_ void *ObjectInformation, uint32_t ObjectInformationLength, uint32_t *ReturnLength)',
  );
  // SemaphoreBasicInformation = 0: CurrentCount, MaximumCount.
  const NtQuerySemaphore = fn<(handle: number, infoClass: number, info: Int32Array, length: number, returned: null) => number>(
    ntdll,
    'int32_t __stdcall NtQuerySemaphore(HANDLE SemaphoreHandle, int SemaphoreInformationClass, _Out_ void *SemaphoreInformation, uint32_t SemaphoreInformationLength, uint32_t *ReturnLength)',
  );
  // EventBasicInformation = 0: EventType (0 notification = manual-reset, 1 synchronization), EventState.
  const NtQueryEvent = fn<(handle: number, infoClass: number, info: Int32Array, length: number, returned: null) => number>(
    ntdll,
    'int32_t __stdcall NtQueryEvent(HANDLE EventHandle, int EventInformationClass, _Out_ void *EventInformation, uint32_t EventInformationLength, uint32_t *ReturnLength)',
  );
  // Exported by Wine's ntdll only: tells that kernel32 is Wine's.
  const wine_get_version = optional(() => fn<() => string>(ntdll, 'const char *wine_get_version()'));
  const WaitForInputIdle = fn<(h: number, ms: number) => number>(
    user32,
    'DWORD __stdcall WaitForInputIdle(HANDLE hProcess, DWORD dwMilliseconds)',
  );

  return {
    NtQuerySemaphore,
    NtQueryEvent,
    NtQueryObject,
    CompareObjectHandles,
    wine_get_version,
    GetLastError,
    CloseHandle,
    GetCurrentProcess,
    GetCurrentProcessId,
    DuplicateHandle,
    CreateEventExW,
    OpenEventW,
    SetEvent,
    ResetEvent,
    PulseEvent,
    CreateMutexExW,
    OpenMutexW,
    ReleaseMutex,
    CreateSemaphoreExW,
    OpenSemaphoreW,
    ReleaseSemaphore,
    CreateWaitableTimerExW,
    OpenWaitableTimerW,
    SetWaitableTimer,
    CancelWaitableTimer,
    OpenProcess,
    GetExitCodeProcess,
    CreateFileMappingW,
    OpenFileMappingW,
    MapViewOfFile,
    UnmapViewOfFile,
    WaitForMultipleObjectsEx,
    SignalObjectAndWait,
    MsgWaitForMultipleObjectsEx,
    WaitForInputIdle,
  };
}

export type Kernel32 = ReturnType<typeof loadKernel32>;
