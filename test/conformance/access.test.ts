import { describe, expect, test } from 'vitest';
import {
  ERROR_ACCESS_DENIED,
  EVENT_MODIFY_STATE,
  Event,
  SEMAPHORE_MODIFY_STATE,
  SYNCHRONIZE,
  Semaphore,
  TIMER_MODIFY_STATE,
  WaitableTimer,
} from '@waitables/core';
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
