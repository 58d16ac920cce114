import { describe, expect, test } from 'vitest';
import { ERROR_INVALID_PARAMETER, ERROR_TOO_MANY_POSTS, SEMAPHORE_ALL_ACCESS, Semaphore, WAIT_OBJECT_0, getBackend } from '@waitables/core';
import { useActors } from '../helpers/actors.js';
import { countOf } from '../helpers/counts.js';
import { expectWin32Error } from '../helpers/expect-error.js';
import { uniqueName } from '../helpers/names.js';

const { thread, process: child } = useActors();

describe('a semaphore', () => {
  test('starts with its initial count, and each wait takes one unit', () => {
    using s = Semaphore.create({ initialCount: 2, maximumCount: 5 });
    expect(s.wait(0)).toBe('signaled');
    expect(s.wait(0)).toBe('signaled');
    expect(s.wait(0)).toBe('timeout');
  });

  test('release adds units and returns the count before', () => {
    using s = Semaphore.create({ initialCount: 1, maximumCount: 10 });
    expect(s.release(3)).toBe(1);
    expect(s.release()).toBe(4);
    expect(countOf(s)).toBe(5);
  });

  test('a release past the maximum fails with ERROR_TOO_MANY_POSTS and changes nothing', () => {
    using s = Semaphore.create({ initialCount: 2, maximumCount: 3 });
    expectWin32Error(() => s.release(2), ERROR_TOO_MANY_POSTS, 'ReleaseSemaphore');
    expect(countOf(s)).toBe(2);
    expect(s.release(1)).toBe(2);
    expectWin32Error(() => s.release(1), ERROR_TOO_MANY_POSTS);
    expect(countOf(s)).toBe(3);
  });

  test('the OS refuses counts out of range with ERROR_INVALID_PARAMETER', () => {
    const b = getBackend();
    const create = (initialCount: number, maximumCount: number) => () =>
      b.createSemaphore({ name: null, initialCount, maximumCount, access: SEMAPHORE_ALL_ACCESS });
    expectWin32Error(create(2, 1), ERROR_INVALID_PARAMETER);
    expectWin32Error(create(0, 0), ERROR_INVALID_PARAMETER);
    expectWin32Error(create(-1, 1), ERROR_INVALID_PARAMETER);
    using s = Semaphore.create({ initialCount: 0, maximumCount: 1 });
    expectWin32Error(() => b.releaseSemaphore(s.handle, 0), ERROR_INVALID_PARAMETER);
    expectWin32Error(() => b.releaseSemaphore(s.handle, -1), ERROR_INVALID_PARAMETER);
    expect(countOf(s)).toBe(0);
  });

  test('release(n) wakes n of the blocked threads, and only n', async () => {
    using s = Semaphore.create({ initialCount: 0, maximumCount: 3 });
    const threads = await Promise.all([thread(), thread(), thread()]);
    const waits = threads.map((t) => t.start('waitForMultipleObjects', [s.handle], false, 10_000, false));
    await Promise.all(waits.map((w) => w.started));
    const woken: number[] = [];
    waits.forEach((w, i) => void w.result.then(() => woken.push(i)));
    s.release(2);
    while (woken.length < 2) await new Promise((r) => setTimeout(r, 1));
    expect(countOf(s)).toBe(0);
    expect(woken).toHaveLength(2);
    s.release(1);
    expect(await Promise.all(waits.map((w) => w.result))).toEqual([WAIT_OBJECT_0, WAIT_OBJECT_0, WAIT_OBJECT_0]);
  });

  test('four processes taking and giving units of one named semaphore keep the count exact', async () => {
    const name = uniqueName('sem-hammer');
    using s = Semaphore.create({ name, initialCount: 2, maximumCount: 2 });
    const workers = await Promise.all([child(), child(), child(), child()]);
    await Promise.all(
      workers.map(async (w) => {
        const h = await w.call('openSemaphore', name, SEMAPHORE_ALL_ACCESS, false);
        for (let i = 0; i < 25; i++) {
          expect(await w.call('waitForMultipleObjects', [h], false, 10_000, false)).toBe(WAIT_OBJECT_0);
          const previous = await w.call('releaseSemaphore', h, 1);
          expect(previous).toBeGreaterThanOrEqual(0);
          expect(previous).toBeLessThanOrEqual(1);
        }
      }),
    );
    expect(countOf(s)).toBe(2);
  });
});

describe('crash-safe permits', () => {
  // Linux records units in the namespace, Windows in a ledger beside the semaphore; test/conformance/crash-safe.test.ts kills holders.
  test('a crash-safe semaphore says so, and counts what this process holds', () => {
    using s = Semaphore.create({ initialCount: 2, maximumCount: 3, crashSafe: true });
    expect(s.query()).toEqual({ count: 2, maximum: 3, crashSafe: true, recovered: 0, held: 0, holders: [] });
    expect(s.wait(0)).toBe('signaled');
    expect(s.query()).toMatchObject({ count: 1, held: 1, holders: [{ pid: process.pid, units: 1 }] });
    expect(s.release(2)).toBe(1); // one of its own, one more: a plain release
    expect(s.query()).toMatchObject({ count: 3, held: 0, holders: [] });
    expectWin32Error(() => s.release(1), ERROR_TOO_MANY_POSTS, 'ReleaseSemaphore');
  });

  test('a plain semaphore says it is not', () => {
    using s = Semaphore.create({ initialCount: 1, maximumCount: 1 });
    expect(s.query()).toEqual({ count: 1, maximum: 1, crashSafe: false, recovered: 0, held: 0, holders: [] });
  });
});
