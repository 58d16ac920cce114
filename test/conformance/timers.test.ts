import { describe, expect, test } from 'vitest';
import { ERROR_INVALID_PARAMETER, TIMER_ALL_ACCESS, WAIT_OBJECT_0, WAIT_TIMEOUT, WaitableTimer, getBackend } from '@waitables/core';
import { useActors } from '../helpers/actors.js';
import { expectWin32Error } from '../helpers/expect-error.js';
import { uniqueName } from '../helpers/names.js';

const { thread, process: child } = useActors();

function elapsedSince(start: number): number {
  return performance.now() - start;
}

describe('a waitable timer', () => {
  test('is unsignaled until set, and reports whether it is high-resolution', () => {
    using t = WaitableTimer.create();
    expect(typeof t.highResolution).toBe('boolean');
    expect(t.wait(0)).toBe('timeout');
  });

  test('set with a relative due time fires after that delay, not before', () => {
    using t = WaitableTimer.create();
    const start = performance.now();
    t.set({ delayMs: 40 });
    expect(t.wait(0)).toBe('timeout');
    expect(t.wait(5_000)).toBe('signaled');
    expect(elapsedSince(start)).toBeGreaterThanOrEqual(35);
  });

  test('set with an absolute due time fires at that wall-clock time', () => {
    using t = WaitableTimer.create();
    const due = Date.now() + 40;
    t.set({ at: new Date(due) });
    expect(t.wait(5_000)).toBe('signaled');
    expect(Date.now()).toBeGreaterThanOrEqual(due - 5);
  });

  test('an absolute due time in the past fires at once', () => {
    using t = WaitableTimer.create();
    t.set({ at: Date.now() - 60_000 });
    expect(t.wait(1_000)).toBe('signaled');
  });

  test('the raw form takes 100 ns units, negative relative', () => {
    using t = WaitableTimer.create();
    t.set({ dueTime: -200_000n });
    expect(t.wait(5_000)).toBe('signaled');
  });

  test('a synchronization timer releases one wait per expiry; a periodic one keeps expiring', () => {
    using t = WaitableTimer.create();
    const start = performance.now();
    t.set({ delayMs: 10 }, { periodMs: 10 });
    for (let i = 0; i < 5; i++) expect(t.wait(5_000)).toBe('signaled');
    expect(elapsedSince(start)).toBeGreaterThanOrEqual(45);
    t.cancel();
  });

  test('a one-shot synchronization timer is consumed by the wait that sees it', () => {
    using t = WaitableTimer.create();
    t.set({ delayMs: 1 });
    expect(t.wait(5_000)).toBe('signaled');
    expect(t.wait(30)).toBe('timeout');
  });

  test('a manual-reset (notification) timer stays signaled until set again', () => {
    using t = WaitableTimer.create({ manualReset: true });
    t.set({ delayMs: 1 });
    expect(t.wait(5_000)).toBe('signaled');
    expect(t.wait(0)).toBe('signaled');
    t.set({ delayMs: 60_000 });
    expect(t.wait(0)).toBe('timeout');
    t.cancel();
  });

  test('a manual-reset timer releases every waiting thread', async () => {
    using t = WaitableTimer.create({ manualReset: true });
    const threads = await Promise.all([thread(), thread()]);
    const waits = threads.map((a) => a.start('waitForMultipleObjects', [t.handle], false, 10_000, false));
    await Promise.all(waits.map((w) => w.started));
    t.set({ delayMs: 20 });
    expect(await Promise.all(waits.map((w) => w.result))).toEqual([WAIT_OBJECT_0, WAIT_OBJECT_0]);
  });

  test('cancel stops future expiries', () => {
    using t = WaitableTimer.create();
    t.set({ delayMs: 10 }, { periodMs: 10 });
    expect(t.wait(5_000)).toBe('signaled');
    t.cancel();
    // At most one expiry may have landed between the wait and the cancel.
    t.wait(0);
    expect(t.wait(60)).toBe('timeout');
  });

  test('cancel keeps a signaled timer signaled', () => {
    using t = WaitableTimer.create({ manualReset: true });
    t.set({ delayMs: 1 });
    expect(t.wait(5_000)).toBe('signaled');
    t.cancel();
    expect(t.wait(0)).toBe('signaled');
  });

  test('cancel leaves waiters of an unsignaled timer blocked', async () => {
    using t = WaitableTimer.create();
    t.set({ delayMs: 60_000 });
    const a = await thread();
    const w = a.start('waitForMultipleObjects', [t.handle], false, 80, false);
    await w.started;
    t.cancel();
    expect(await w.result).toBe(WAIT_TIMEOUT);
  });

  test('a due time centuries away is accepted and does not fall due', () => {
    using t = WaitableTimer.create();
    t.set({ delayMs: 1e14 }); // about 3,000 years: past what a microsecond clock of 2^53 holds
    expect(t.wait(60)).toBe('timeout');
    t.set({ at: Date.UTC(9000, 0, 1) });
    expect(t.wait(60)).toBe('timeout');
    t.cancel();
  });

  test('setting an active timer reschedules it', () => {
    using t = WaitableTimer.create();
    t.set({ delayMs: 60_000 });
    const start = performance.now();
    t.set({ delayMs: 10 });
    expect(t.wait(5_000)).toBe('signaled');
    expect(elapsedSince(start)).toBeLessThan(30_000);
  });

  test('the OS refuses a negative period with ERROR_INVALID_PARAMETER', () => {
    using t = WaitableTimer.create();
    expectWin32Error(() => getBackend().setWaitableTimer(t.handle, -10_000n, -1, false), ERROR_INVALID_PARAMETER);
  });

  test('a named timer set in one process fires in another that waits on it', async () => {
    const name = uniqueName('timer-shared');
    using t = WaitableTimer.create({ name, manualReset: true });
    const other = await child();
    const h = await other.call('openWaitableTimer', name, TIMER_ALL_ACCESS, false);
    const w = other.start('waitForMultipleObjects', [h], false, 10_000, false);
    await w.started;
    t.set({ delayMs: 20 });
    expect(await w.result).toBe(WAIT_OBJECT_0);
    expect(t.wait(0)).toBe('signaled');
  });
});
