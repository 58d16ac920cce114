import { describe, expect, test } from 'vitest';
import { AbortError, Event, Mutex, Permit, Semaphore, TimeoutError, waitAll, waitAny } from '@waitables/async';
import { waitPool } from '@waitables/async/internal';
import { WAIT_OBJECT_0 } from '@waitables/core';
import { useActors } from '../helpers/actors.js';
import { isSettled, settle } from '../helpers/async.js';
import { countOf } from '../helpers/counts.js';

const { thread } = useActors();

describe('waitAny', () => {
  test('resolves at once with the lowest acquirable index, taking only that one', async () => {
    const a = Event.create();
    const b = Semaphore.create({ initialCount: 1, maximumCount: 1 });
    const c = Semaphore.create({ initialCount: 1, maximumCount: 1 });
    const r = await waitAny([a, b, c]);
    expect(r).toMatchObject({ index: 1, abandoned: false, lock: null });
    expect(r.object).toBe(b);
    expect(countOf(c.core)).toBe(1);
    for (const o of [a, b, c]) o.close();
  });

  test('gives a permit for a semaphore unit it took: releasing it gives the unit back, once', async () => {
    const e = Event.create();
    const s = Semaphore.create({ initialCount: 1, maximumCount: 1 });
    const r = await waitAny([e, s]);
    expect(r.index).toBe(1);
    expect(r.lock).toBeNull();
    expect(r.permit).toBeInstanceOf(Permit);
    expect(countOf(s.core)).toBe(0);
    await r.permit!.release();
    expect(countOf(s.core)).toBe(1);
    await r.permit!.release(); // a second release does nothing (a second unit would exceed the maximum: ERROR_TOO_MANY_POSTS)
    expect(countOf(s.core)).toBe(1);
    const fromEvent = waitAny([e, s.core]);
    expect((await fromEvent).permit).not.toBeNull(); // a @waitables/core semaphore in the list gives a permit too
    expect(countOf(s.core)).toBe(0);
    e.set();
    expect((await waitAny([e, s])).permit).toBeNull(); // an event is no permit
    e.close();
    s.close();
  });

  test("a lock's release() resolves once the OS has the mutex back: another thread takes it at once", async () => {
    const e = Event.create();
    const m = Mutex.create();
    const other = await thread();
    // Held by another thread first, so that the wait is a real one (on Windows a wait thread then owns the mutex).
    expect(await other.call('waitForMultipleObjects', [m.core.handle], false, 0, false)).toBe(WAIT_OBJECT_0);
    const pending = waitAny([e, m]);
    expect(await isSettled(pending)).toBe(false);
    await other.call('releaseMutex', m.core.handle);
    const { lock } = await pending;
    const released = lock!.release();
    expect(released).toBeInstanceOf(Promise);
    expect(lock!.release()).toBe(released); // a second call: the same promise
    await released;
    expect(await other.call('waitForMultipleObjects', [m.core.handle], false, 0, false)).toBe(WAIT_OBJECT_0);
    await other.call('releaseMutex', m.core.handle);
    e.close();
    m.close();
  });

  test('waits for the first object another thread signals', async () => {
    const a = Event.create();
    const b = Event.create();
    const pending = waitAny([a, b]);
    expect(await isSettled(pending)).toBe(false);
    await (await thread()).call('setEvent', b.core.handle);
    expect((await pending).index).toBe(1);
    a.close();
    b.close();
  });

  test('with timeout 0 takes a free mutex, as the OS would: the wait, not a timer, decides', async () => {
    const unset = Event.create();
    const m = Mutex.create();
    for (let i = 0; i < 20; i++) {
      const r = await waitAny([unset, m], { timeout: 0 });
      expect(r.index).toBe(1);
      await r.lock![Symbol.asyncDispose]();
      const all = await waitAll([m], { timeout: 0 });
      expect(all.locks).toHaveLength(1);
      await all.locks[0]![Symbol.asyncDispose]();
    }
    // Held elsewhere, it times out at once.
    const other = await thread();
    expect(await other.call('waitForMultipleObjects', [m.core.handle], false, 0, false)).toBe(WAIT_OBJECT_0);
    await expect(waitAny([unset, m], { timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
    await expect(waitAll([m], { timeout: 5 })).rejects.toBeInstanceOf(TimeoutError);
    await other.call('releaseMutex', m.core.handle);
    unset.close();
    m.close();
  });

  test('gives a lock for a mutex it acquired, released on its owning thread', async () => {
    const e = Event.create();
    const m = Mutex.create();
    const r = await waitAny([e, m]);
    expect(r.index).toBe(1);
    await r.lock![Symbol.asyncDispose]();
    const other = await thread();
    expect(await other.call('waitForMultipleObjects', [m.core.handle], false, 0, false)).toBe(WAIT_OBJECT_0);
    await other.call('releaseMutex', m.core.handle);
    e.close();
    m.close();
  });

  test('aborted or timed out, it gives back nothing it did not take', async () => {
    const a = Event.create();
    const s = Semaphore.create({ initialCount: 0, maximumCount: 1 });
    const controller = new AbortController();
    const aborted = waitAny([a, s], { signal: controller.signal });
    controller.abort();
    await expect(aborted).rejects.toBeInstanceOf(AbortError);
    await expect(waitAny([a, s], { timeout: 20 })).rejects.toBeInstanceOf(TimeoutError);
    await settle(30);
    s.release();
    expect(countOf(s.core)).toBe(1);
    a.close();
    s.close();
    expect(waitPool().stats().pending).toBe(0);
  });
});

describe('waitAll', () => {
  test('resolves once everything can be taken together, taking all of it', async () => {
    const a = Event.create();
    const s = Semaphore.create({ initialCount: 0, maximumCount: 1 });
    const pending = waitAll([a, s]);
    const other = await thread();
    await other.call('setEvent', a.core.handle);
    expect(await isSettled(pending)).toBe(false);
    await other.call('releaseSemaphore', s.core.handle, 1);
    const all = await pending;
    expect(all).toMatchObject({ abandoned: false, locks: [] });
    expect(all.permits.map((p) => p.semaphore.handle)).toEqual([s.core.handle]); // one permit per semaphore, in order
    expect(a.core.wait(0)).toBe('timeout');
    expect(countOf(s.core)).toBe(0);
    await all.permits[0]!.release();
    expect(countOf(s.core)).toBe(1);
    a.close();
    s.close();
  });

  test('timed out, it has taken nothing', async () => {
    const a = Event.create({ initialState: true });
    const s = Semaphore.create({ initialCount: 0, maximumCount: 1 });
    await expect(waitAll([a, s], { timeout: 60 })).rejects.toBeInstanceOf(TimeoutError);
    expect(a.core.wait(0)).toBe('signaled');
    a.close();
    s.close();
  });

  test('refuses the same object twice', async () => {
    const a = Event.create();
    await expect(waitAll([a, a])).rejects.toBeInstanceOf(RangeError);
    await expect(waitAny([])).rejects.toBeInstanceOf(RangeError);
    await expect(waitAny([{}] as never)).rejects.toBeInstanceOf(TypeError);
    a.close();
  });
});
