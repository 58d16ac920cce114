import { describe, expect, test } from 'vitest';
import {
  ArgumentOutOfRangeError,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  Event,
  HandleClosedError,
  Mutex,
  Semaphore,
  WAIT_ABANDONED_0,
  WAIT_OBJECT_0,
  WAIT_TIMEOUT,
  getBackend,
  signalAndWait,
  waitAll,
  waitAny,
} from '@waitables/core';
import { useActors } from '../helpers/actors.js';
import { countOf } from '../helpers/counts.js';
import { expectWin32Error } from '../helpers/expect-error.js';

const { thread } = useActors();

describe('wait-any', () => {
  test('acquires the lowest signaled index and leaves the others untouched', () => {
    using a = Semaphore.create({ initialCount: 1, maximumCount: 1 });
    using b = Event.create({ initialState: true });
    using c = Semaphore.create({ initialCount: 1, maximumCount: 1 });
    const r = waitAny([a, b, c], 0);
    expect(r).toMatchObject({ index: 0, abandoned: false });
    expect(r?.object).toBe(a);
    expect(countOf(a)).toBe(0);
    expect(b.wait(0)).toBe('signaled');
    expect(countOf(c)).toBe(1);
  });

  test('skips unsignaled objects to the lowest signaled one', () => {
    using unset = Event.create();
    using sem = Semaphore.create({ initialCount: 1, maximumCount: 1 });
    using set = Event.create({ initialState: true });
    expect(waitAny([unset, sem, set], 0)?.index).toBe(1);
    expect(waitAny([unset, sem, set], 0)?.index).toBe(2);
    expect(waitAny([unset, sem, set], 0)).toBeNull();
  });

  test('accepts the same object twice', () => {
    using e = Event.create({ initialState: true });
    expect(waitAny([e, e], 0)?.index).toBe(0);
    expect(waitAny([e, e], 0)).toBeNull();
  });

  test('reports an abandoned mutex with its index', async () => {
    using e = Event.create();
    using m = Mutex.create();
    const owner = await thread();
    await owner.call('waitForMultipleObjects', [m.handle], false, 0, false);
    await owner.exit();
    expect(getBackend().waitForMultipleObjects([e.handle, m.handle], false, 0, false)).toBe(WAIT_ABANDONED_0 + 1);
    m.release();
    expect(waitAny([e, m], 0)).toMatchObject({ index: 1, abandoned: false });
    m.release();
  });

  test('wakes a blocked thread when any object is signaled', async () => {
    using a = Event.create();
    using b = Event.create();
    const waiter = await thread();
    const w = waiter.start('waitForMultipleObjects', [a.handle, b.handle], false, 10_000, false);
    await w.started;
    b.set();
    expect(await w.result).toBe(WAIT_OBJECT_0 + 1);
    expect(b.wait(0)).toBe('timeout');
  });

  test('a timeout of 0 tests without blocking, a positive one waits at least that long', () => {
    using e = Event.create();
    expect(waitAny([e], 0)).toBeNull();
    const start = performance.now();
    expect(waitAny([e], 50)).toBeNull();
    expect(performance.now() - start).toBeGreaterThanOrEqual(45);
  });
});

describe('wait-all', () => {
  test('acquires every object at once', () => {
    using s = Semaphore.create({ initialCount: 2, maximumCount: 2 });
    using e = Event.create({ initialState: true });
    using m = Mutex.create();
    expect(waitAll([s, e, m], 0)).toEqual({ abandoned: false });
    expect(countOf(s)).toBe(1);
    expect(e.wait(0)).toBe('timeout');
    m.release();
  });

  test('that times out has consumed nothing', () => {
    using s = Semaphore.create({ initialCount: 1, maximumCount: 1 });
    using set = Event.create({ initialState: true });
    using unset = Event.create();
    expect(waitAll([s, set, unset], 20)).toBeNull();
    expect(countOf(s)).toBe(1);
    expect(set.wait(0)).toBe('signaled');
  });

  test('completes when the last object becomes available and takes them all', async () => {
    using a = Event.create();
    using b = Semaphore.create({ initialCount: 0, maximumCount: 1 });
    const waiter = await thread();
    const w = waiter.start('waitForMultipleObjects', [a.handle, b.handle], true, 10_000, false);
    await w.started;
    a.set();
    b.release();
    expect(await w.result).toBe(WAIT_OBJECT_0);
    expect(a.wait(0)).toBe('timeout');
    expect(countOf(b)).toBe(0);
  });

  test('is never satisfied by objects signaled one at a time and taken by others in between', async () => {
    using a = Semaphore.create({ initialCount: 0, maximumCount: 1 });
    using b = Event.create();
    const [all, stealer] = await Promise.all([thread(), thread()]);
    const w = all.start('waitForMultipleObjects', [a.handle, b.handle], true, 2_000, false);
    await w.started;
    for (let i = 0; i < 50; i++) {
      a.release();
      expect(await stealer.call('waitForMultipleObjects', [a.handle], false, 5_000, false)).toBe(WAIT_OBJECT_0);
      b.set();
      expect(await stealer.call('waitForMultipleObjects', [b.handle], false, 5_000, false)).toBe(WAIT_OBJECT_0);
    }
    expect(await w.result).toBe(WAIT_TIMEOUT);
    expect(countOf(a)).toBe(0);
    expect(b.wait(0)).toBe('timeout');
  });

  test('reports an abandoned mutex as WAIT_ABANDONED_0 itself, whatever its index, having acquired everything', async () => {
    using e = Event.create({ initialState: true });
    using m = Mutex.create();
    const owner = await thread();
    await owner.call('waitForMultipleObjects', [m.handle], false, 0, false);
    await owner.exit();
    expect(getBackend().waitForMultipleObjects([e.handle, m.handle], true, 0, false)).toBe(WAIT_ABANDONED_0);
    expect(e.wait(0)).toBe('timeout');
    m.release();
    e.set();
    expect(waitAll([e, m], 0)).toEqual({ abandoned: false });
    m.release();
  });

  test('refuses the same object twice: RangeError here, ERROR_INVALID_PARAMETER from the OS', () => {
    using e = Event.create({ initialState: true });
    expect(() => waitAll([e, e], 0)).toThrow(ArgumentOutOfRangeError);
    const b = getBackend();
    expectWin32Error(() => b.waitForMultipleObjects([e.handle, e.handle], true, 0, false), ERROR_INVALID_PARAMETER);
    // Two handles of one object are the same object too.
    const dup = e.duplicateHandle();
    using same = Event.fromHandle(dup);
    expectWin32Error(() => waitAll([e, same], 0), ERROR_INVALID_PARAMETER);
    expect(e.wait(0)).toBe('signaled');
  });
});

describe('every wait', () => {
  test('takes 1 to 64 handles: RangeError here, ERROR_INVALID_PARAMETER from the OS', () => {
    using e = Event.create({ initialState: true });
    const many = Array.from({ length: 65 }, () => e);
    expect(() => waitAny([], 0)).toThrow(ArgumentOutOfRangeError);
    expect(() => waitAny(many, 0)).toThrow(ArgumentOutOfRangeError);
    const b = getBackend();
    expectWin32Error(() => b.waitForMultipleObjects([], false, 0, false), ERROR_INVALID_PARAMETER);
    expectWin32Error(
      () =>
        b.waitForMultipleObjects(
          many.map((x) => x.handle),
          false,
          0,
          false,
        ),
      ERROR_INVALID_PARAMETER,
    );
    expect(waitAny(many.slice(0, 64), 0)?.index).toBe(0);
  });

  test('refuses a closed object before calling the OS, and the OS refuses a stale handle', () => {
    const e = Event.create({ initialState: true });
    const raw = e.handle;
    e.close();
    expect(() => waitAny([e], 0)).toThrow(HandleClosedError);
    expectWin32Error(() => getBackend().waitForMultipleObjects([raw], false, 0, false), ERROR_INVALID_HANDLE);
  });
});

describe('signal-and-wait', () => {
  test('signals one object and waits on another', async () => {
    using ready = Event.create();
    using go = Event.create();
    const partner = await thread();
    const w = partner.start('waitForMultipleObjects', [ready.handle], false, 10_000, false);
    await w.started;
    const reply = partner.start('setEvent', go.handle);
    void reply;
    expect(signalAndWait(ready, go, 10_000)).toBe('signaled');
    expect(await w.result).toBe(WAIT_OBJECT_0);
  });

  test('releases a semaphore unit and times out on an unsignaled object', () => {
    using s = Semaphore.create({ initialCount: 0, maximumCount: 1 });
    using never = Event.create();
    expect(signalAndWait(s, never, 10)).toBe('timeout');
    expect(countOf(s)).toBe(1);
  });
});
