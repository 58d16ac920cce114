/**
 * Every koffi declaration of kernel32 and user32 that the Windows backend uses, with
 * MSDN's parameter names. HANDLE is declared as a pointer-sized integer so that handles
 * are plain numbers that can be posted to worker threads.
 */
import koffi from 'koffi';

export const HANDLE = koffi.alias('HANDLE', 'intptr_t');
export const BOOL = koffi.alias('BOOL', 'int32_t');
export const DWORD = koffi.alias('DWORD', 'uint32_t');
export const LONG = koffi.alias('LONG', 'int32_t');

const kernel32 = koffi.load('kernel32.dll');
const user32 = koffi.load('user32.dll');

// koffi keeps the thread's last error from the call itself, so GetLastError read
// right after a failing call is that call's error.
export const GetLastError = kernel32.func('DWORD __stdcall GetLastError()');
export const CloseHandle = kernel32.func('BOOL __stdcall CloseHandle(HANDLE hObject)');
export const GetCurrentProcess = kernel32.func('HANDLE __stdcall GetCurrentProcess()');
export const GetCurrentProcessId = kernel32.func('DWORD __stdcall GetCurrentProcessId()');
export const DuplicateHandle = kernel32.func(
  'BOOL __stdcall DuplicateHandle(HANDLE hSourceProcessHandle, HANDLE hSourceHandle, HANDLE hTargetProcessHandle, _Out_ HANDLE *lpTargetHandle, DWORD dwDesiredAccess, BOOL bInheritHandle, DWORD dwOptions)',
);

export const CreateEventExW = kernel32.func(
  'HANDLE __stdcall CreateEventExW(void *lpEventAttributes, const char16_t *lpName, DWORD dwFlags, DWORD dwDesiredAccess)',
);
export const OpenEventW = kernel32.func('HANDLE __stdcall OpenEventW(DWORD dwDesiredAccess, BOOL bInheritHandle, const char16_t *lpName)');
export const SetEvent = kernel32.func('BOOL __stdcall SetEvent(HANDLE hEvent)');
export const ResetEvent = kernel32.func('BOOL __stdcall ResetEvent(HANDLE hEvent)');
export const PulseEvent = kernel32.func('BOOL __stdcall PulseEvent(HANDLE hEvent)');

export const CreateMutexExW = kernel32.func(
  'HANDLE __stdcall CreateMutexExW(void *lpMutexAttributes, const char16_t *lpName, DWORD dwFlags, DWORD dwDesiredAccess)',
);
export const OpenMutexW = kernel32.func('HANDLE __stdcall OpenMutexW(DWORD dwDesiredAccess, BOOL bInheritHandle, const char16_t *lpName)');
export const ReleaseMutex = kernel32.func('BOOL __stdcall ReleaseMutex(HANDLE hMutex)');

export const CreateSemaphoreExW = kernel32.func(
  'HANDLE __stdcall CreateSemaphoreExW(void *lpSemaphoreAttributes, LONG lInitialCount, LONG lMaximumCount, const char16_t *lpName, DWORD dwFlags, DWORD dwDesiredAccess)',
);
export const OpenSemaphoreW = kernel32.func('HANDLE __stdcall OpenSemaphoreW(DWORD dwDesiredAccess, BOOL bInheritHandle, const char16_t *lpName)');
export const ReleaseSemaphore = kernel32.func(
  'BOOL __stdcall ReleaseSemaphore(HANDLE hSemaphore, LONG lReleaseCount, _Out_ LONG *lpPreviousCount)',
);

export const CreateWaitableTimerExW = kernel32.func(
  'HANDLE __stdcall CreateWaitableTimerExW(void *lpTimerAttributes, const char16_t *lpTimerName, DWORD dwFlags, DWORD dwDesiredAccess)',
);
export const OpenWaitableTimerW = kernel32.func(
  'HANDLE __stdcall OpenWaitableTimerW(DWORD dwDesiredAccess, BOOL bInheritHandle, const char16_t *lpTimerName)',
);
export const SetWaitableTimer = kernel32.func(
  'BOOL __stdcall SetWaitableTimer(HANDLE hTimer, const int64_t *lpDueTime, LONG lPeriod, void *pfnCompletionRoutine, void *lpArgToCompletionRoutine, BOOL fResume)',
);
export const CancelWaitableTimer = kernel32.func('BOOL __stdcall CancelWaitableTimer(HANDLE hTimer)');

export const OpenProcess = kernel32.func('HANDLE __stdcall OpenProcess(DWORD dwDesiredAccess, BOOL bInheritHandle, DWORD dwProcessId)');
export const GetExitCodeProcess = kernel32.func('BOOL __stdcall GetExitCodeProcess(HANDLE hProcess, _Out_ DWORD *lpExitCode)');

export const WaitForMultipleObjectsEx = kernel32.func(
  'DWORD __stdcall WaitForMultipleObjectsEx(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll, DWORD dwMilliseconds, BOOL bAlertable)',
);
export const SignalObjectAndWait = kernel32.func(
  'DWORD __stdcall SignalObjectAndWait(HANDLE hObjectToSignal, HANDLE hObjectToWaitOn, DWORD dwMilliseconds, BOOL bAlertable)',
);
export const MsgWaitForMultipleObjectsEx = user32.func(
  'DWORD __stdcall MsgWaitForMultipleObjectsEx(DWORD nCount, const HANDLE *pHandles, DWORD dwMilliseconds, DWORD dwWakeMask, DWORD dwFlags)',
);
export const WaitForInputIdle = user32.func('DWORD __stdcall WaitForInputIdle(HANDLE hProcess, DWORD dwMilliseconds)');
