/**
 * The Windows backend: kernel32 through koffi, with Windows' own semantics. It adds
 * nothing to them; it turns failures into {@link Win32Error} with the code GetLastError
 * gave right after the failing call.
 */
import type { Backend, CreatedObject, CreatedTimer, RawHandle } from '../backend.js';
import {
  CREATE_EVENT_INITIAL_SET,
  CREATE_EVENT_MANUAL_RESET,
  CREATE_MUTEX_INITIAL_OWNER,
  CREATE_WAITABLE_TIMER_HIGH_RESOLUTION,
  CREATE_WAITABLE_TIMER_MANUAL_RESET,
  DUPLICATE_SAME_ACCESS,
  MAXIMUM_WAIT_OBJECTS,
  MWMO_WAITALL,
  SYNCHRONIZE,
  WAIT_FAILED,
} from '../constants.js';
import {
  ERROR_ACCESS_DENIED,
  ERROR_ALREADY_EXISTS,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_NOT_SUPPORTED,
} from '../error-codes.js';
import { NotSupportedError, Win32Error } from '../errors.js';
import type { ObjectKind } from '../object-kind.js';
import { CURRENT_PROCESS, CURRENT_THREAD } from '../process-backend.js';
import { Ledger, type LedgerHandles, processIdentity } from './crash-safe-ledger.js';
import { CrashSafeWaits } from './crash-safe-waits.js';
import { type Kernel32, loadKernel32 } from './kernel32.js';
import { loadProcessKernel32 } from './process-kernel32.js';
import { createWin32Processes } from './win32-processes.js';
import { windowsParity } from './windows-parity.js';

/** NtQueryObject's type names of the objects this library knows. */
const TYPE_KINDS: Record<string, ObjectKind> = {
  Event: 'event',
  Mutant: 'mutex',
  Semaphore: 'semaphore',
  Timer: 'waitable-timer',
  Process: 'process',
  Thread: 'thread',
};

/** Where the thread's crash-safe handles are kept (globalThis: shared by every copy of this package). */
const CRASH_SAFE_REGISTRY = Symbol.for('@waitables/core: crash-safe semaphores (layout 1)');

/** The Windows backend, over kernel32 loaded now. */
export function createWin32Backend(): Backend {
  const k32: Kernel32 = loadKernel32();
  const p32 = loadProcessKernel32();
  const parity = windowsParity(k32);

  /** Throws `error` (non-zero) as coming from `syscall`, before any call. */
  function refuse(error: number, syscall: string): void {
    if (error) throw new Win32Error(error, syscall);
  }

  /** Throws the thread's last error as coming from `syscall`. Call right after the failure. */
  function fail(syscall: string, situation?: (errno: number) => string | undefined): never {
    const errno = k32.GetLastError();
    throw new Win32Error(errno, syscall, situation?.(errno));
  }

  /** Says what a named create or open that failed with ERROR_INVALID_HANDLE ran into (Windows does not say which kind has it). */
  const nameTaken = (name: string | null) => (errno: number) =>
    errno === ERROR_INVALID_HANDLE && name ? `The name ${JSON.stringify(name)} belongs to another kind of object.` : undefined;

  function check(ok: number, syscall: string): void {
    if (!ok) fail(syscall);
  }

  /** An empty name makes an anonymous object, as in Windows. */
  function nameOrNull(name: string | null): string | null {
    return name === null || name === '' ? null : name;
  }

  function created(handle: number, syscall: string, name: string | null): CreatedObject {
    if (!handle) fail(syscall, nameTaken(name));
    // Windows sets ERROR_ALREADY_EXISTS on success when the name was taken, 0 otherwise.
    return { handle, existed: k32.GetLastError() === ERROR_ALREADY_EXISTS };
  }

  function opened(handle: number, syscall: string, situation?: (errno: number) => string | undefined): RawHandle {
    if (!handle) fail(syscall, situation);
    return handle;
  }

  /**
   * An Open* call. Where Wine grants a mask Windows refuses (no right, an undefined
   * right), Windows' refusal is reported, after the name lookup as Windows makes it.
   */
  function openNamed(
    kind: ObjectKind,
    open: (access: number, inherit: number, name: string) => number, // OpenProcess: the pid instead of a name
    name: string,
    access: number,
    inherit: boolean,
    syscall: string,
    situation: (errno: number) => string | undefined = nameTaken(name),
  ): RawHandle {
    const refusal = parity.openAccess(kind, access);
    if (refusal === 0) return opened(open(access, inherit ? 1 : 0, name), syscall, situation);
    const probe = opened(open(SYNCHRONIZE, 0, name), syscall, situation); // ERROR_FILE_NOT_FOUND or a kind mismatch first
    k32.CloseHandle(probe);
    throw new Win32Error(refusal, syscall);
  }

  // Crash-safe semaphores (crash-safe-ledger.ts): this thread's registry of their handles,
  // one for every copy of this package loaded in the thread (a link a package manager made
  // that Node does not resolve to one path loads a second copy: it must see the same handles).
  const registries = globalThis as { [CRASH_SAFE_REGISTRY]?: CrashSafeWaits };
  const crashSafe = (registries[CRASH_SAFE_REGISTRY] ??= new CrashSafeWaits(
    k32,
    p32,
    processIdentity(k32, p32, k32.GetCurrentProcess(), k32.GetCurrentProcessId()) ?? {
      pid: k32.GetCurrentProcessId() | 0,
      createdLow: 0,
      createdHigh: 0,
    },
  ));

  /** Attaches the ledger of a semaphore just made or opened (made if `create`); closes the handle if that fails. */
  function withLedger(handle: RawHandle, name: string | null, create: boolean): void {
    let ledger: Ledger | null;
    try {
      ledger = Ledger.attach(k32, p32, crashSafe.self, name, handle, create);
    } catch (error) {
      k32.CloseHandle(handle);
      throw error;
    }
    if (ledger) crashSafe.attach(handle, ledger);
  }

  function waited(code: number, syscall: string): number {
    if (code === WAIT_FAILED) fail(syscall);
    return code;
  }

  return {
    platform: 'win32',
    nativeWaitLimit: MAXIMUM_WAIT_OBJECTS,

    createEvent({ name, manualReset, initialState, access }) {
      const flags = (manualReset ? CREATE_EVENT_MANUAL_RESET : 0) | (initialState ? CREATE_EVENT_INITIAL_SET : 0);
      return created(k32.CreateEventExW(null, nameOrNull(name), flags, access), 'CreateEventEx', nameOrNull(name));
    },
    openEvent(name, access, inherit) {
      return openNamed('event', k32.OpenEventW, name, access, inherit, 'OpenEvent');
    },
    setEvent(handle) {
      check(k32.SetEvent(handle), 'SetEvent');
    },
    resetEvent(handle) {
      check(k32.ResetEvent(handle), 'ResetEvent');
    },
    pulseEvent(handle) {
      check(k32.PulseEvent(handle), 'PulseEvent');
    },

    createMutex({ name, initialOwner, access }) {
      return created(
        k32.CreateMutexExW(null, nameOrNull(name), initialOwner ? CREATE_MUTEX_INITIAL_OWNER : 0, access),
        'CreateMutexEx',
        nameOrNull(name),
      );
    },
    openMutex(name, access, inherit) {
      return openNamed('mutex', k32.OpenMutexW, name, access, inherit, 'OpenMutex');
    },
    releaseMutex(handle) {
      check(k32.ReleaseMutex(handle), 'ReleaseMutex');
    },

    createSemaphore({ name, initialCount, maximumCount, access, crashSafe: wanted = false }) {
      const result = created(
        k32.CreateSemaphoreExW(null, initialCount, maximumCount, nameOrNull(name), 0, access),
        'CreateSemaphoreEx',
        nameOrNull(name),
      );
      // A semaphore someone made crash-safe stays so for every opener (a new one has no ledger yet).
      if (wanted || result.existed) withLedger(result.handle, nameOrNull(name), wanted);
      return result;
    },
    openSemaphore(name, access, inherit) {
      const handle = openNamed('semaphore', k32.OpenSemaphoreW, name, access, inherit, 'OpenSemaphore');
      withLedger(handle, name, false);
      return handle;
    },
    releaseSemaphore(handle, count) {
      refuse(parity.releaseCount(count), 'ReleaseSemaphore');
      const ledger = crashSafe.ledgerOf(handle);
      if (ledger) return ledger.release(handle, count);
      const previous: [number] = [0];
      check(k32.ReleaseSemaphore(handle, count, previous), 'ReleaseSemaphore');
      return previous[0];
    },

    createWaitableTimer({ name, manualReset, highResolution, access }): CreatedTimer {
      const base = manualReset ? CREATE_WAITABLE_TIMER_MANUAL_RESET : 0;
      if (highResolution) {
        const handle = k32.CreateWaitableTimerExW(null, nameOrNull(name), base | CREATE_WAITABLE_TIMER_HIGH_RESOLUTION, access);
        if (handle) return { ...created(handle, 'CreateWaitableTimerEx', nameOrNull(name)), highResolution: true };
        // Older Windows (before 10 1803), Wine, and named timers refuse the flag with
        // ERROR_INVALID_PARAMETER: fall back to a normal timer; any other error is real.
        const error = k32.GetLastError();
        if (error !== ERROR_INVALID_PARAMETER) throw new Win32Error(error, 'CreateWaitableTimerEx');
      }
      return {
        ...created(k32.CreateWaitableTimerExW(null, nameOrNull(name), base, access), 'CreateWaitableTimerEx', nameOrNull(name)),
        highResolution: false,
      };
    },
    openWaitableTimer(name, access, inherit) {
      return openNamed('waitable-timer', k32.OpenWaitableTimerW, name, access, inherit, 'OpenWaitableTimer');
    },
    setWaitableTimer(handle, dueTime, periodMs, resume) {
      refuse(parity.timerPeriod(periodMs), 'SetWaitableTimer');
      check(k32.SetWaitableTimer(handle, [dueTime], periodMs, null, null, resume ? 1 : 0), 'SetWaitableTimer');
    },
    cancelWaitableTimer(handle) {
      check(k32.CancelWaitableTimer(handle), 'CancelWaitableTimer');
    },

    openProcess(pid, access, inherit) {
      return openNamed(
        'process',
        (a, i) => k32.OpenProcess(a, i, pid),
        '',
        access,
        inherit,
        'OpenProcess',
        (errno) =>
          errno === ERROR_INVALID_PARAMETER
            ? pid === 0
              ? 'Process id 0 is the idle process, which cannot be opened.'
              : `No process has id ${pid}.`
            : undefined,
      );
    },
    getExitCodeProcess(handle) {
      const code: [number] = [0];
      check(k32.GetExitCodeProcess(handle, code), 'GetExitCodeProcess');
      return code[0];
    },
    getCurrentProcessId() {
      return k32.GetCurrentProcessId();
    },

    waitForSingleObject(handle, timeoutMs, alertable) {
      if (crashSafe.ledgerOf(handle)) return crashSafe.wait([handle], false, timeoutMs, alertable, 'WaitForSingleObjectEx');
      return waited(p32.WaitForSingleObjectEx(handle, timeoutMs, alertable ? 1 : 0), 'WaitForSingleObjectEx');
    },
    waitForMultipleObjects(handles, waitAll, timeoutMs, alertable) {
      refuse(parity.pseudoHandles(handles), 'WaitForMultipleObjectsEx');
      if (waitAll) refuse(parity.waitAllObjects(handles), 'WaitForMultipleObjectsEx');
      if (crashSafe.involves(handles)) return crashSafe.wait(handles, waitAll, timeoutMs, alertable, 'WaitForMultipleObjectsEx');
      return waited(
        k32.WaitForMultipleObjectsEx(handles.length, handles, waitAll ? 1 : 0, timeoutMs, alertable ? 1 : 0),
        'WaitForMultipleObjectsEx',
      );
    },
    msgWaitForMultipleObjects(handles, timeoutMs, wakeMask, flags) {
      // Its wait cannot take a ledger mutex with the unit (crash-safe-waits.ts).
      if (crashSafe.involves(handles)) throw new Win32Error(ERROR_NOT_SUPPORTED, 'MsgWaitForMultipleObjectsEx (a crash-safe semaphore)');
      if (flags & MWMO_WAITALL) refuse(parity.waitAllObjects(handles), 'MsgWaitForMultipleObjectsEx');
      return waited(k32.MsgWaitForMultipleObjectsEx(handles.length, handles, timeoutMs, wakeMask, flags), 'MsgWaitForMultipleObjectsEx');
    },
    signalObjectAndWait(toSignal, toWaitOn, timeoutMs, alertable) {
      if (crashSafe.ledgerOf(toWaitOn)) throw new Win32Error(ERROR_NOT_SUPPORTED, 'SignalObjectAndWait (a crash-safe semaphore)');
      return waited(k32.SignalObjectAndWait(toSignal, toWaitOn, timeoutMs, alertable ? 1 : 0), 'SignalObjectAndWait');
    },
    waitForInputIdle(process, timeoutMs) {
      const code = k32.WaitForInputIdle(process, timeoutMs);
      if (code === WAIT_FAILED) throw new Win32Error(parity.inputIdleError(k32.GetLastError()), 'WaitForInputIdle');
      return code;
    },

    ownerToken: () => null,
    waitAnyForPool(handles, timeoutMs) {
      if (crashSafe.involves(handles)) return crashSafe.wait(handles, false, timeoutMs, false, 'WaitForMultipleObjectsEx');
      return waited(k32.WaitForMultipleObjectsEx(handles.length, handles, 0, timeoutMs, 0), 'WaitForMultipleObjectsEx');
    },
    sameObject(first, second) {
      if (first === second) return true;
      return k32.CompareObjectHandles !== null && k32.CompareObjectHandles(first, second) !== 0;
    },
    querySemaphore(handle) {
      const info = new Int32Array(2);
      const status = k32.NtQuerySemaphore(handle, 0, info, info.byteLength, null);
      // STATUS_ACCESS_DENIED (0xC0000022) and STATUS_INVALID_HANDLE / OBJECT_TYPE_MISMATCH map as kernel32 would.
      if (status !== 0) throw new Win32Error(status === -0x3fffffde ? ERROR_ACCESS_DENIED : ERROR_INVALID_HANDLE, 'NtQuerySemaphore');
      const ledger = crashSafe.ledgerOf(handle);
      if (!ledger) return { count: info[0]!, maximum: info[1]!, crashSafe: false, recovered: 0, held: 0, holders: [] };
      return { ...ledger.state(handle), crashSafe: true };
    },
    crashSafeLedger(handle) {
      return crashSafe.ledgerOf(handle)?.handles() ?? null;
    },
    adoptCrashSafeLedger(handle, ledger) {
      crashSafe.adopt(handle, ledger as LedgerHandles | null);
    },
    // The kernel shows no object's waiters: the async runtime bounds its local handoffs instead.
    waitedByOtherProcess: () => null,
    isManualResetEvent(handle) {
      const info = new Int32Array(2);
      if (k32.NtQueryEvent(handle, 0, info, info.byteLength, null) !== 0) return null;
      return info[0] === 0;
    },

    objectKind(handle) {
      if (handle === CURRENT_PROCESS) return 'process';
      if (handle === CURRENT_THREAD) return 'thread';
      const type = p32.objectTypeName(handle);
      if (type === null) throw new Win32Error(ERROR_INVALID_HANDLE, 'NtQueryObject');
      const kind = TYPE_KINDS[type];
      if (kind === undefined) throw new NotSupportedError(`a handle to a ${type} object is not supported here`);
      return kind;
    },
    processes: createWin32Processes(k32, p32, parity),

    duplicateHandle(handle) {
      const self = k32.GetCurrentProcess();
      const target: [number] = [0];
      check(k32.DuplicateHandle(self, handle, self, target, 0, 0, DUPLICATE_SAME_ACCESS), 'DuplicateHandle');
      const ledger = crashSafe.ledgerOf(handle);
      if (ledger) crashSafe.attach(target[0], ledger.ref());
      return target[0];
    },
    closeHandle(handle) {
      check(k32.CloseHandle(handle), 'CloseHandle');
      crashSafe.forget(handle);
    },
  };
}
