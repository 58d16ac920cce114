import { describe, expect, test } from 'vitest';
import { ERROR_ACCESS_DENIED, ERROR_INVALID_HANDLE, Event, Mutex, Semaphore } from '@waitables/core';
import * as pywintypes from '@waitables/core/pywintypes';
import * as win32api from '@waitables/core/win32api';
import * as win32event from '@waitables/core/win32event';
import * as win32process from '@waitables/core/win32process';
import { expectWin32Error } from '../helpers/expect-error.js';
import { uniqueName } from '../helpers/names.js';

// What pywin32 documents for win32event, with its values.
const constants = {
  EVENT_ALL_ACCESS: 0x1f0003,
  EVENT_MODIFY_STATE: 0x2,
  INFINITE: 0xffffffff,
  MAXIMUM_WAIT_OBJECTS: 64,
  QS_ALLEVENTS: 0x4bf,
  QS_ALLINPUT: 0x4ff,
  QS_HOTKEY: 0x80,
  QS_INPUT: 0x407,
  QS_KEY: 0x1,
  QS_MOUSE: 0x6,
  QS_MOUSEBUTTON: 0x4,
  QS_MOUSEMOVE: 0x2,
  QS_PAINT: 0x20,
  QS_POSTMESSAGE: 0x8,
  QS_SENDMESSAGE: 0x40,
  QS_TIMER: 0x10,
  SYNCHRONIZE: 0x100000,
  WAIT_ABANDONED: 0x80,
  WAIT_ABANDONED_0: 0x80,
  WAIT_FAILED: 0xffffffff,
  WAIT_IO_COMPLETION: 0xc0,
  WAIT_OBJECT_0: 0,
  WAIT_TIMEOUT: 258,
};
const functions = [
  'CancelWaitableTimer',
  'CreateEvent',
  'CreateMutex',
  'CreateSemaphore',
  'CreateWaitableTimer',
  'CreateWaitableTimerEx',
  'MsgWaitForMultipleObjects',
  'MsgWaitForMultipleObjectsEx',
  'OpenEvent',
  'OpenMutex',
  'OpenSemaphore',
  'OpenWaitableTimer',
  'PulseEvent',
  'ReleaseMutex',
  'ReleaseSemaphore',
  'ResetEvent',
  'SetEvent',
  'SetWaitableTimer',
  'WaitForMultipleObjects',
  'WaitForMultipleObjectsEx',
  'WaitForSingleObject',
  'WaitForSingleObjectEx',
  'WaitForInputIdle',
  'SignalObjectAndWait',
  'CloseHandle',
  'GetLastError',
  'SetLastError',
];

describe('the win32event module', () => {
  test('exports every constant pywin32 documents, with its value', () => {
    for (const [name, value] of Object.entries(constants)) expect(win32event, name).toHaveProperty(name, value);
  });

  test('exports every function pywin32 documents, with its argument count', () => {
    for (const name of functions) expect(typeof (win32event as Record<string, unknown>)[name], name).toBe('function');
    expect(win32event.CreateEvent).toHaveLength(4);
    expect(win32event.SetWaitableTimer).toHaveLength(6);
    expect(win32event.WaitForMultipleObjects).toHaveLength(3);
    expect(win32event.MsgWaitForMultipleObjectsEx).toHaveLength(4);
  });

  test('runs a pywin32 script ported line by line', () => {
    const { CreateEvent, SetEvent, WaitForSingleObject, WaitForMultipleObjects, WAIT_OBJECT_0, WAIT_TIMEOUT, INFINITE } = win32event;
    const stop = CreateEvent(null, 1, 0, null);
    const work = CreateEvent(null, 0, 0, null);
    expect(WaitForSingleObject(work, 0)).toBe(WAIT_TIMEOUT);
    SetEvent(work);
    expect(WaitForMultipleObjects([stop, work], 0, INFINITE)).toBe(WAIT_OBJECT_0 + 1);
    SetEvent(stop);
    expect(WaitForMultipleObjects([stop, work], 0, -1)).toBe(WAIT_OBJECT_0);
    win32event.CloseHandle(stop);
    work.Close();
  });

  test('GetLastError tells a Create* that opened an existing object (ERROR_ALREADY_EXISTS)', () => {
    const name = uniqueName('compat-exists');
    const a = win32event.CreateMutex(null, 0, name);
    expect(win32event.GetLastError()).toBe(0);
    const b = win32event.CreateMutex(null, 1, name);
    expect(win32event.GetLastError()).toBe(183);
    expect(win32event.WaitForSingleObject(a, 0)).toBe(win32event.WAIT_OBJECT_0);
    win32event.ReleaseMutex(a);
    a.Close();
    b.Close();
  });

  test('raises error with winerror, funcname and strerror, as pywintypes.error', () => {
    const s = win32event.CreateSemaphore(null, 1, 1, null);
    let caught: unknown;
    try {
      win32event.ReleaseSemaphore(s, 1);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(win32event.error);
    expect(caught).toMatchObject({ winerror: 298, funcname: 'ReleaseSemaphore', strerror: 'Too many posts were made to a semaphore.' });
    expect((caught as InstanceType<typeof win32event.error>).args).toEqual([
      298,
      'ReleaseSemaphore',
      'Too many posts were made to a semaphore.',
    ]);
    expect(win32event.GetLastError()).toBe(298);
    expect(() => win32event.OpenEvent(win32event.SYNCHRONIZE, 0, uniqueName('none'))).toThrow(
      expect.objectContaining({ winerror: 2, funcname: 'OpenEvent' }) as Error,
    );
    s.Close();
  });

  test('ReleaseSemaphore returns the previous count; handles work as numbers', () => {
    const s = win32event.CreateSemaphore(null, 0, 5, null);
    expect(win32event.ReleaseSemaphore(s, 2)).toBe(0);
    const raw = Number(s);
    expect(raw).toBe(s.handle);
    expect(win32event.ReleaseSemaphore(raw, 1)).toBe(2);
    expect(win32event.WaitForSingleObject(raw, 0)).toBe(win32event.WAIT_OBJECT_0);
    const detached = s.Detach();
    win32event.CloseHandle(detached);
  });

  test('events: SetEvent, ResetEvent, PulseEvent, OpenEvent', () => {
    const name = uniqueName('compat-event');
    const e = win32event.CreateEvent(null, true, false, name);
    const opened = win32event.OpenEvent(win32event.EVENT_ALL_ACCESS, false, name);
    win32event.SetEvent(opened);
    expect(win32event.WaitForSingleObjectEx(e, 0, false)).toBe(win32event.WAIT_OBJECT_0);
    win32event.ResetEvent(e);
    expect(win32event.WaitForSingleObject(e, 0)).toBe(win32event.WAIT_TIMEOUT);
    win32event.SetEvent(e);
    win32event.PulseEvent(e);
    expect(win32event.WaitForSingleObject(e, 0)).toBe(win32event.WAIT_TIMEOUT);
    e.Close();
    opened.Close();
  });

  test('mutexes and semaphores open by name', () => {
    const mname = uniqueName('compat-mutex');
    const sname = uniqueName('compat-sem');
    const m = win32event.CreateMutex(null, true, mname);
    const m2 = win32event.OpenMutex(win32event.SYNCHRONIZE, false, mname);
    win32event.ReleaseMutex(m2);
    expect(() => win32event.ReleaseMutex(m)).toThrow(expect.objectContaining({ winerror: 288 }) as Error);
    const s = win32event.CreateSemaphore(null, 0, 2, sname);
    const s2 = win32event.OpenSemaphore(win32event.SEMAPHORE_ALL_ACCESS, false, sname);
    expect(win32event.ReleaseSemaphore(s2, 1)).toBe(0);
    expect(win32event.WaitForMultipleObjectsEx([m, s], true, 0, false)).toBe(win32event.WAIT_OBJECT_0);
    win32event.ReleaseMutex(m);
    for (const h of [m, m2, s, s2]) h.Close();
  });

  test('waitable timers: create, open, set with a relative due time and a period, cancel', () => {
    const name = uniqueName('compat-timer');
    const t = win32event.CreateWaitableTimer(null, false, name);
    const t2 = win32event.OpenWaitableTimer(win32event.TIMER_ALL_ACCESS, false, name);
    win32event.SetWaitableTimer(t2, -100_000, 5, null, null, false);
    expect(win32event.WaitForSingleObject(t, 5_000)).toBe(win32event.WAIT_OBJECT_0);
    expect(win32event.WaitForSingleObject(t, 5_000)).toBe(win32event.WAIT_OBJECT_0);
    win32event.CancelWaitableTimer(t);
    const hr = win32event.CreateWaitableTimerEx(null, null, win32event.CREATE_WAITABLE_TIMER_HIGH_RESOLUTION, win32event.TIMER_ALL_ACCESS);
    win32event.SetWaitableTimer(hr, -10_000n, 0, null, null, 0);
    expect(win32event.WaitForSingleObject(hr, 5_000)).toBe(win32event.WAIT_OBJECT_0);
    for (const h of [t, t2, hr]) h.Close();
  });

  test('MsgWaitForMultipleObjects waits on the handles alone in a process without a message queue', () => {
    const e = win32event.CreateEvent(null, 0, 1, null);
    expect(win32event.MsgWaitForMultipleObjects([e], 0, 0, win32event.QS_ALLINPUT)).toBe(win32event.WAIT_OBJECT_0);
    expect(win32event.MsgWaitForMultipleObjects([e], 0, 10, win32event.QS_ALLINPUT)).toBe(win32event.WAIT_TIMEOUT);
    win32event.SetEvent(e);
    expect(win32event.MsgWaitForMultipleObjectsEx([e], 0, win32event.QS_ALLINPUT, 0)).toBe(win32event.WAIT_OBJECT_0);
    e.Close();
  });

  test('type errors for what is not a handle, as pywin32 raises TypeError', () => {
    expect(() => win32event.SetEvent('nope' as unknown as number)).toThrow(TypeError);
    expect(() => win32event.WaitForMultipleObjects('x' as unknown as number[], 0, 0)).toThrow(TypeError);
    expect(() => win32event.CreateEvent({} as unknown as null, 0, 0, null)).toThrow(TypeError);
  });
});

/** Runs `fn`, which must raise win32event.error (pywintypes.error) with winerror `code`. */
function expectPyError(fn: () => unknown, code: number): void {
  const e = expectWin32Error(fn, code);
  expect(e).toBeInstanceOf(win32event.error);
  expect(e.winerror).toBe(code);
}

describe('a closed PyHANDLE, as in pywin32', () => {
  test('is the value 0 (int(h) == 0) and every call on it raises error 6', () => {
    const h = win32event.CreateEvent(null, 1, 0, null);
    expect(+h).toBeGreaterThan(0);
    h.Close();
    expect(+h).toBe(0);
    expect(Number(h)).toBe(0);
    expect(h.handle).toBe(0);
    expectPyError(() => win32event.SetEvent(h), ERROR_INVALID_HANDLE);
    expectPyError(() => win32event.WaitForSingleObject(h, 0), ERROR_INVALID_HANDLE);
    expectPyError(() => win32event.WaitForMultipleObjects([h], 0, 0), ERROR_INVALID_HANDLE);
    expectPyError(() => win32event.CloseHandle(h), ERROR_INVALID_HANDLE);
    expect(win32event.GetLastError()).toBe(ERROR_INVALID_HANDLE);
    h.Close(); // closing again does nothing
    expect(h.Detach()).toBe(0);
  });

  test('a closed object of the core classes is the value 0 too', () => {
    const e = Event.create();
    e.close();
    expectPyError(() => win32event.SetEvent(e), ERROR_INVALID_HANDLE);
  });

  test('None (null) as a handle raises error 6', () => {
    expectPyError(() => win32event.SetEvent(null), ERROR_INVALID_HANDLE);
    expectPyError(() => win32event.ReleaseMutex(null), ERROR_INVALID_HANDLE);
    expectPyError(() => win32event.WaitForSingleObject(null, 0), ERROR_INVALID_HANDLE);
    expectPyError(() => win32event.WaitForMultipleObjects([null], 0, 0), ERROR_INVALID_HANDLE);
    expectPyError(() => win32api.CloseHandle(null), ERROR_INVALID_HANDLE);
  });
});

describe('handle values', () => {
  test('the low two bits (tag bits) are ignored, as Windows ignores them', () => {
    const e = win32event.CreateEvent(null, 1, 1, null);
    const s = win32event.CreateSemaphore(null, 0, 2, null);
    for (const tag of [1, 2, 3]) {
      expect(win32event.WaitForSingleObject(+e | tag, 0)).toBe(win32event.WAIT_OBJECT_0);
      expect(win32event.ReleaseSemaphore(+s | tag, 1)).toBe(0);
      expect(win32event.WaitForMultipleObjects([+s | tag], 0, 0)).toBe(win32event.WAIT_OBJECT_0);
    }
    e.Close();
    s.Close();
  });

  test('pywintypes.HANDLE(int) wraps a handle value, owns it and knows its kind', () => {
    const m = Mutex.create();
    const sem = Semaphore.create({ initialCount: 1, maximumCount: 1 });
    const h = pywintypes.HANDLE(m.duplicateHandle());
    const hs = pywintypes.HANDLE(sem.duplicateHandle());
    expect(h).toBeInstanceOf(win32event.PyHANDLE);
    expect(h.kind).toBe('mutex');
    expect(hs.kind).toBe('semaphore');
    expect(win32event.WaitForSingleObject(h, 0)).toBe(win32event.WAIT_OBJECT_0);
    win32event.ReleaseMutex(h);
    h.Close();
    expectPyError(() => win32event.ReleaseMutex(h), ERROR_INVALID_HANDLE);
    expect(m.wait(0)).toBe('signaled'); // the mutex itself lives on through its own handle
    m.release();
    expect(+pywintypes.HANDLE()).toBe(0);
    pywintypes.HANDLE().Close(); // a null handle closes without error
    hs.Close();
    m.close();
    sem.close();
  });
});

describe('access masks', () => {
  test('take JavaScript bitwise results (GENERIC_READ | GENERIC_WRITE is negative) as the DWORD pywin32 passes', () => {
    const name = uniqueName('compat-generic');
    const m = win32event.CreateMutex(null, 0, name);
    const rw = win32event.OpenMutex(win32event.GENERIC_READ | win32event.GENERIC_WRITE, 0, name);
    expectPyError(() => win32event.WaitForSingleObject(rw, 0), ERROR_ACCESS_DENIED);
    const exec = win32event.OpenMutex(win32event.GENERIC_EXECUTE, 0, name);
    expect(win32event.WaitForSingleObject(exec, 0)).toBe(win32event.WAIT_OBJECT_0);
    win32event.ReleaseMutex(rw); // ReleaseMutex needs no right (Wine test_mutex)
    expectPyError(() => win32event.OpenMutex(0, 0, name), ERROR_ACCESS_DENIED);
    expectPyError(() => win32event.OpenMutex(2, 0, name), ERROR_ACCESS_DENIED);
    for (const h of [m, rw, exec]) h.Close();
  });
});

describe('pseudo handles', () => {
  test('WaitForSingleObject on GetCurrentProcess() or GetCurrentThread() times out: neither is signaled while it runs', () => {
    expect(win32event.WaitForSingleObject(win32api.GetCurrentProcess(), 20)).toBe(win32event.WAIT_TIMEOUT);
    expect(win32event.WaitForSingleObject(win32api.GetCurrentThread(), 20)).toBe(win32event.WAIT_TIMEOUT);
    expect(win32event.WaitForSingleObjectEx(win32api.GetCurrentProcess(), 0, false)).toBe(win32event.WAIT_TIMEOUT);
  });

  test('WaitForMultipleObjects refuses them with error 6', () => {
    const e = win32event.CreateEvent(null, 1, 1, null);
    expectPyError(() => win32event.WaitForMultipleObjects([win32api.GetCurrentProcess()], 0, 0), ERROR_INVALID_HANDLE);
    expectPyError(() => win32event.WaitForMultipleObjects([e, win32api.GetCurrentThread()], 0, 0), ERROR_INVALID_HANDLE);
    e.Close();
  });
});

describe('SignalObjectAndWait', () => {
  test("signals one object and waits on another (Wine's test_signalandwait sequence)", () => {
    const e0 = win32event.CreateEvent(null, 0, 0, null);
    const e1 = win32event.CreateEvent(null, 1, 1, null);
    expectPyError(() => win32event.SignalObjectAndWait(null, null, 0, false), ERROR_INVALID_HANDLE);
    expectPyError(() => win32event.SignalObjectAndWait(e0, null, 0, false), ERROR_INVALID_HANDLE);
    expectPyError(() => win32event.SignalObjectAndWait(null, e0, 0, false), ERROR_INVALID_HANDLE);
    expect(win32event.SignalObjectAndWait(e0, e1, 0, false)).toBe(win32event.WAIT_OBJECT_0);
    expect(win32event.SignalObjectAndWait(e0, e0, 0, false)).toBe(win32event.WAIT_OBJECT_0);
    expect(win32event.WaitForSingleObject(e0, 0)).toBe(win32event.WAIT_TIMEOUT);
    win32event.ResetEvent(e1);
    expect(win32event.SignalObjectAndWait(e0, e1, 0, false)).toBe(win32event.WAIT_TIMEOUT);
    const s0 = win32event.CreateSemaphore(null, 0, 1, null);
    const s1 = win32event.CreateSemaphore(null, 1, 1, null);
    expect(win32event.SignalObjectAndWait(s0, s1, 0, false)).toBe(win32event.WAIT_OBJECT_0);
    expectPyError(() => win32event.SignalObjectAndWait(s0, s1, 0, false), 298);
    for (const h of [e0, e1, s0, s1]) h.Close();
  });
});

describe('the last error', () => {
  test('SetLastError sets what GetLastError returns; the next failure replaces it', () => {
    win32api.SetLastError(1234);
    expect(win32api.GetLastError()).toBe(1234);
    expect(win32event.GetLastError()).toBe(1234);
    win32event.SetLastError(0);
    expect(win32api.GetLastError()).toBe(0);
    expect(() => win32event.SetEvent(null)).toThrow(win32event.error);
    expect(win32api.GetLastError()).toBe(ERROR_INVALID_HANDLE);
  });
});

describe('functions that moved to win32api and win32process', () => {
  test('are the same functions, still exported by win32event', () => {
    expect(win32event.OpenProcess).toBe(win32api.OpenProcess);
    expect(win32event.CloseHandle).toBe(win32api.CloseHandle);
    expect(win32event.GetCurrentProcessId).toBe(win32api.GetCurrentProcessId);
    expect(win32event.GetExitCodeProcess).toBe(win32process.GetExitCodeProcess);
    expect(win32process.GetCurrentProcess).toBe(win32api.GetCurrentProcess);
    const self = win32event.OpenProcess(win32event.SYNCHRONIZE | win32event.PROCESS_QUERY_LIMITED_INFORMATION, 0, process.pid);
    expect(win32event.GetExitCodeProcess(self)).toBe(win32event.STILL_ACTIVE);
    expectPyError(() => win32event.OpenProcess(win32event.SYNCHRONIZE, 0, 0), 87);
    self.Close();
  });

  test('OpenProcess with a right Windows does not define is refused: ERROR_ACCESS_DENIED', () => {
    expectPyError(() => win32api.OpenProcess(0x00800000, 0, process.pid), ERROR_ACCESS_DENIED);
  });
});
