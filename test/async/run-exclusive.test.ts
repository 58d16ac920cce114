// The callback forms: Mutex.runExclusive(fn, options) and Semaphore.run(fn, options).
import { describe, expect, test } from 'vitest';
import { AbortError, Mutex, Semaphore, TimeoutError } from '@waitables/async';
import { MUTEX_ALL_ACCESS, WAIT_OBJECT_0, WAIT_TIMEOUT } from '@waitables/core';
import { useActors } from '../helpers/actors.js';
import { expectNoListeners, isSettled } from '../helpers/async.js';
import { uniqueName } from '../helpers/names.js';

const { process: child } = useActors();

/** A promise with its resolve function, to hold a callback open until the test says. */
function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('Mutex.runExclusive', () => {
  test('runs fn holding the mutex against other processes, resolves with its result, then releases', async () => {
    const name = uniqueName('run-exclusive-xproc');
    const m = Mutex.create({ name });
    const other = await child();
    const h = await other.call('openMutex', name, MUTEX_ALL_ACCESS, false);
    const result = await m.runExclusive(async (lock) => {
      expect(lock.abandoned).toBe(false);
      expect(await other.call('waitForMultipleObjects', [h], false, 0, false)).toBe(WAIT_TIMEOUT);
      return 'done';
    });
    expect(result).toBe('done');
    // Released (on its owning thread) before the promise resolved: the other process gets it at once.
    expect(await other.call('waitForMultipleObjects', [h], false, 0, false)).toBe(WAIT_OBJECT_0);
    await other.call('releaseMutex', h);
    m.close();
  });

  test('a second runExclusive waits until the first fn settles (one at a time, in order)', async () => {
    const m = Mutex.create();
    const order: string[] = [];
    const first = gate();
    const a = m.runExclusive(async () => {
      order.push('a in');
      await first.opened;
      order.push('a out');
    });
    const b = m.runExclusive(() => void order.push('b in'));
    expect(await isSettled(b)).toBe(false);
    expect(order).toEqual(['a in']);
    first.open();
    await Promise.all([a, b]);
    expect(order).toEqual(['a in', 'a out', 'b in']);
    m.close();
  });

  test('rejects with the error fn threw, and the mutex is free afterwards', async () => {
    const m = Mutex.create();
    const boom = new Error('boom');
    await expect(
      m.runExclusive(() => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    const lock = m.tryAcquire();
    expect(lock).not.toBeNull();
    void lock!.release();
    m.close();
  });

  test('an abort while queued rejects with AbortError, fn never runs, and the queue moves on', async () => {
    const m = Mutex.create();
    const holder = await m.acquire();
    const controller = new AbortController();
    let ran = false;
    const pending = m.runExclusive(() => (ran = true), { signal: controller.signal });
    expect(await isSettled(pending)).toBe(false);
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    expectNoListeners(controller.signal);
    void holder.release();
    expect(await m.runExclusive(() => 'next')).toBe('next');
    expect(ran).toBe(false);
    m.close();
  });

  test('a timeout rejects with TimeoutError without running fn', async () => {
    const m = Mutex.create();
    const holder = await m.acquire();
    let ran = false;
    await expect(m.runExclusive(() => (ran = true), { timeout: 20 })).rejects.toBeInstanceOf(TimeoutError);
    expect(ran).toBe(false);
    void holder.release();
    m.close();
  });

  test.each([undefined, null, 'fn', {}])('rejects fn = %s with a TypeError before taking the mutex', async (fn) => {
    const m = Mutex.create();
    await expect(m.runExclusive(fn as never)).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    const lock = m.tryAcquire();
    expect(lock).not.toBeNull();
    void lock!.release();
    m.close();
  });
});

describe('Semaphore.run', () => {
  test('runs at most maximumCount callbacks at once and gives every unit back', async () => {
    const s = Semaphore.create({ name: uniqueName('sem-run'), initialCount: 2, maximumCount: 2 });
    let running = 0;
    let most = 0;
    const gates = Array.from({ length: 6 }, gate);
    const runs = gates.map((g, i) =>
      s.run(async () => {
        running++;
        most = Math.max(most, running);
        await g.opened;
        running--;
        return i;
      }),
    );
    expect(await isSettled(runs[2]!)).toBe(false);
    expect(running).toBe(2);
    for (const g of gates) g.open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(most).toBe(2);
    expect(s.core.query()).toMatchObject({ count: 2, maximum: 2, held: 0 });
    s.close();
  });

  test('a throwing fn gives its unit back; an aborted one never took one', async () => {
    const s = Semaphore.create({ initialCount: 1, maximumCount: 1 });
    await expect(s.run(() => Promise.reject(new RangeError('bad')))).rejects.toBeInstanceOf(RangeError);
    expect(s.core.query().count).toBe(1);
    const held = await s.acquire();
    const controller = new AbortController();
    const pending = s.run(() => 'never', { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    void held.release();
    expect(s.core.query().count).toBe(1);
    s.close();
  });
});
