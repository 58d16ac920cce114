import { describe, expect, test } from 'vitest';
import {
  ERROR_ACCESS_DENIED,
  ERROR_FILE_NOT_FOUND,
  ERROR_PRIVILEGE_NOT_HELD,
  EVENT_MODIFY_STATE,
  Event,
  Mutex,
  Process,
  Win32Error,
  SEMAPHORE_MODIFY_STATE,
  SYNCHRONIZE,
  Semaphore,
  TIMER_MODIFY_STATE,
  WaitableTimer,
} from '@waitables/core';
import {
  ACCESS_SYSTEM_SECURITY,
  GENERIC_ALL,
  GENERIC_EXECUTE,
  GENERIC_READ,
  GENERIC_WRITE,
  MAXIMUM_ALLOWED,
} from '@waitables/core/win32process';
import { expectWin32Error } from '../helpers/expect-error.js';
import { uniqueName } from '../helpers/names.js';

describe('access rights asked for at open', () => {
  test('SYNCHRONIZE alone lets a handle wait but not set: ERROR_ACCESS_DENIED', () => {
    const name = uniqueName('sync-only');
    using owner = Event.create({ name, initialState: true, manualReset: true });
    using waiter = Event.open(name, { access: SYNCHRONIZE });
    expect(waiter.wait(0)).toBe('signaled');
    expectWin32Error(() => waiter.set(), ERROR_ACCESS_DENIED, 'SetEvent');
    expectWin32Error(() => waiter.reset(), ERROR_ACCESS_DENIED, 'ResetEvent');
    expect(owner.wait(0)).toBe('signaled');
  });

  test('EVENT_MODIFY_STATE alone lets a handle set but not wait: ERROR_ACCESS_DENIED', () => {
    const name = uniqueName('modify-only');
    using owner = Event.create({ name });
    using setter = Event.open(name, { access: EVENT_MODIFY_STATE });
    setter.set();
    expectWin32Error(() => setter.wait(0), ERROR_ACCESS_DENIED);
    expect(owner.wait(0)).toBe('signaled');
  });

  test('a semaphore opened without SEMAPHORE_MODIFY_STATE cannot be released', () => {
    const name = uniqueName('sem-sync');
    using owner = Semaphore.create({ name, initialCount: 0, maximumCount: 2 });
    using waiter = Semaphore.open(name, { access: SYNCHRONIZE });
    expectWin32Error(() => waiter.release(), ERROR_ACCESS_DENIED, 'ReleaseSemaphore');
    using releaser = Semaphore.open(name, { access: SEMAPHORE_MODIFY_STATE });
    expect(releaser.release()).toBe(0);
    expect(owner.wait(0)).toBe('signaled');
  });

  test('a timer opened with SYNCHRONIZE alone cannot be set', () => {
    const name = uniqueName('timer-sync');
    using owner = WaitableTimer.create({ name });
    using waiter = WaitableTimer.open(name, { access: SYNCHRONIZE });
    expectWin32Error(() => waiter.set({ delayMs: 1 }), ERROR_ACCESS_DENIED, 'SetWaitableTimer');
    using setter = WaitableTimer.open(name, { access: TIMER_MODIFY_STATE });
    setter.set({ delayMs: 1 });
    expect(owner.wait(5_000)).toBe('signaled');
  });
});

describe('generic access rights, mapped to the specific rights of each type (as Windows does)', () => {
  test('GENERIC_EXECUTE lets a mutex handle wait (Wine test_mutex); GENERIC_READ | GENERIC_WRITE does not', () => {
    const name = uniqueName('generic-mutex');
    using owner = Mutex.create({ name });
    using exec = Mutex.open(name, { access: GENERIC_EXECUTE });
    expect(exec.wait(0)).toBe('signaled');
    exec.release();
    using rw = Mutex.open(name, { access: (GENERIC_READ | GENERIC_WRITE) >>> 0 });
    expectWin32Error(() => rw.wait(0), ERROR_ACCESS_DENIED);
    expect(owner.wait(0)).toBe('signaled');
    owner.release();
  });

  test('GENERIC_WRITE lets an event handle set but not wait; GENERIC_ALL and MAXIMUM_ALLOWED do both', () => {
    const name = uniqueName('generic-event');
    using owner = Event.create({ name, manualReset: true });
    using writer = Event.open(name, { access: GENERIC_WRITE });
    writer.set();
    expectWin32Error(() => writer.wait(0), ERROR_ACCESS_DENIED);
    for (const access of [GENERIC_ALL, MAXIMUM_ALLOWED, GENERIC_EXECUTE | GENERIC_WRITE]) {
      using h = Event.open(name, { access });
      h.reset();
      expect(h.wait(0)).toBe('timeout');
      h.set();
      expect(h.wait(0)).toBe('signaled');
    }
    expect(owner.wait(0)).toBe('signaled');
  });

  test('GENERIC_WRITE releases a semaphore, GENERIC_EXECUTE waits on it; a timer likewise', () => {
    const name = uniqueName('generic-sem');
    using owner = Semaphore.create({ name, initialCount: 0, maximumCount: 1 });
    using releaser = Semaphore.open(name, { access: GENERIC_WRITE });
    expect(releaser.release()).toBe(0);
    using waiter = Semaphore.open(name, { access: GENERIC_EXECUTE });
    expect(waiter.wait(0)).toBe('signaled');
    expect(owner.wait(0)).toBe('timeout');
    const tname = uniqueName('generic-timer');
    using timer = WaitableTimer.create({ name: tname, manualReset: true });
    using setter = WaitableTimer.open(tname, { access: GENERIC_WRITE });
    setter.set({ delayMs: 0 });
    using tw = WaitableTimer.open(tname, { access: GENERIC_EXECUTE });
    expect(tw.wait(5_000)).toBe('signaled');
    expect(timer.wait(0)).toBe('signaled');
  });

  test('a process handle opened with GENERIC_EXECUTE can wait (SYNCHRONIZE) and read the exit code (QUERY_LIMITED)', () => {
    using p = Process.open(process.pid, { access: GENERIC_EXECUTE });
    expect(p.wait(0)).toBe('timeout');
    expect(p.exitCode).toBeNull();
  });
});

describe('access masks Windows refuses at open', () => {
  test('no right at all: ERROR_ACCESS_DENIED, after the name lookup (a missing name is ERROR_FILE_NOT_FOUND)', () => {
    const name = uniqueName('mask-zero');
    expectWin32Error(() => Mutex.open(name, { access: 0 }), ERROR_FILE_NOT_FOUND, 'OpenMutex');
    using owner = Mutex.create({ name });
    expectWin32Error(() => Mutex.open(name, { access: 0 }), ERROR_ACCESS_DENIED, 'OpenMutex');
    using _event = Event.create({ name: `${name}-e` });
    expectWin32Error(() => Event.open(`${name}-e`, { access: 0 }), ERROR_ACCESS_DENIED, 'OpenEvent');
    expect(owner.wait(0)).toBe('signaled');
    owner.release();
  });

  test('each single right: Windows grants exactly the defined ones (Wine test_mutex: refused = 0x0de0fffe)', () => {
    const name = uniqueName('mask-bits');
    using owner = Mutex.create({ name });
    let refused = 0;
    for (let bit = 0; bit < 32; bit++) {
      const access = (1 << bit) >>> 0;
      let h: Mutex;
      try {
        h = Mutex.open(name, { access });
      } catch (error) {
        expect(error).toBeInstanceOf(Win32Error);
        expect((error as Win32Error).errno).toBe(access === ACCESS_SYSTEM_SECURITY ? ERROR_PRIVILEGE_NOT_HELD : ERROR_ACCESS_DENIED);
        refused = (refused | access) >>> 0;
        continue;
      }
      h.close();
    }
    expect(refused.toString(16)).toBe('de0fffe');
    expect(owner.wait(0)).toBe('signaled');
    owner.release();
  });

  test('an event opened with an undefined right (4) is refused; its defined rights (1, 2) are not', () => {
    const name = uniqueName('mask-event');
    using owner = Event.create({ name });
    expectWin32Error(() => Event.open(name, { access: 4 }), ERROR_ACCESS_DENIED, 'OpenEvent');
    using query = Event.open(name, { access: 1 });
    using modify = Event.open(name, { access: 2 });
    modify.set();
    expect(owner.wait(0)).toBe('signaled');
    expect(query.closed).toBe(false);
  });
});
