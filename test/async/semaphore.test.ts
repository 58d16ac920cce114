import { afterEach, describe, expect, test } from 'vitest';
import { AbortError, ObjectClosedError, Semaphore, TimeoutError } from '@waitables/async';
import { waitPool } from '@waitables/async/internal';
import { SEMAPHORE_ALL_ACCESS, Semaphore as CoreSemaphore } from '@waitables/core';
import { useActors } from '../helpers/actors.js';
import { expectNoListeners, isSettled, settle } from '../helpers/async.js';
import { countOf } from '../helpers/counts.js';
import { uniqueName } from '../helpers/names.js';

const { thread, process: child } = useActors();
afterEach(() => {
  expect(waitPool().stats().pending).toBe(0);
});

describe('Semaphore.acquire', () => {
  test('resolves at once with a permit when a unit is free, and the permit gives it back', async () => {
    const s = Semaphore.create({ initialCount: 1, maximumCount: 1 });
    const permit = await s.acquire();
    expect(countOf(s.core)).toBe(0);
    void permit.release();
    void permit.release(); // a second release does nothing
    expect(countOf(s.core)).toBe(1);
    s.close();
  });

  test('waits for a unit released by another thread', async () => {
    const s = Semaphore.create({ initialCount: 0, maximumCount: 1 });
    const pending = s.acquire();
    expect(await isSettled(pending)).toBe(false);
    await (await thread()).call('releaseSemaphore', s.core.handle, 1);
    void (await pending).release();
    s.close();
  });

  test('waits for a unit released by another process', async () => {
    const name = uniqueName('async-sem');
    const s = Semaphore.create({ name, initialCount: 0, maximumCount: 1 });
    const pending = s.acquire();
    const other = await child();
    const h = await other.call('openSemaphore', name, SEMAPHORE_ALL_ACCESS, false);
    await other.call('releaseSemaphore', h, 1);
    void (await pending).release();
    s.close();
  });

  test('serves its awaiters in the order they asked', async () => {
    const s = Semaphore.create({ initialCount: 0, maximumCount: 3 });
    const order: number[] = [];
    const pending = [0, 1, 2].map((i) => s.acquire().then((p) => (order.push(i), p)));
    s.release(1);
    await settle(50);
    s.release(2);
    const permits = await Promise.all(pending);
    expect(order).toEqual([0, 1, 2]);
    permits.forEach((p) => void p.release());
    expect(countOf(s.core)).toBe(3);
    s.close();
  });

  test('a released permit goes straight to the oldest local awaiter', async () => {
    const s = Semaphore.create({ initialCount: 1, maximumCount: 1 });
    const first = await s.acquire();
    const second = s.acquire();
    void first.release();
    const permit = await second;
    expect(countOf(s.core)).toBe(0);
    void permit.release();
    expect(countOf(s.core)).toBe(1);
    s.close();
  });

  test('using releases the permit at the end of the block', async () => {
    const s = Semaphore.create({ initialCount: 1, maximumCount: 1 });
    {
      using _permit = await s.acquire();
      expect(countOf(s.core)).toBe(0);
    }
    expect(countOf(s.core)).toBe(1);
    s.close();
  });

  test('aborted in advance rejects with AbortError and the reason as cause, taking nothing', async () => {
    const s = Semaphore.create({ initialCount: 1, maximumCount: 1 });
    const controller = new AbortController();
    controller.abort('stop');
    await expect(s.acquire({ signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', cause: 'stop' });
    expect(countOf(s.core)).toBe(1);
    expectNoListeners(controller.signal);
    s.close();
  });

  test('aborted while queued rejects, loses its place, and the next unit goes to the next awaiter', async () => {
    const s = Semaphore.create({ initialCount: 0, maximumCount: 1 });
    const controller = new AbortController();
    const aborted = s.acquire({ signal: controller.signal });
    const next = s.acquire();
    controller.abort(new Error('changed my mind'));
    await expect(aborted).rejects.toBeInstanceOf(AbortError);
    expectNoListeners(controller.signal);
    s.release();
    void (await next).release();
    expect(countOf(s.core)).toBe(1);
    s.close();
  });

  test('aborted after it resolved changes nothing', async () => {
    const s = Semaphore.create({ initialCount: 1, maximumCount: 1 });
    const controller = new AbortController();
    const permit = await s.acquire({ signal: controller.signal });
    controller.abort();
    expectNoListeners(controller.signal);
    expect(permit.released).toBe(false);
    void permit.release();
    s.close();
  });

  test('times out with TimeoutError; a timeout of 0 only tests', async () => {
    const s = Semaphore.create({ initialCount: 0, maximumCount: 1 });
    await expect(s.acquire({ timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
    await expect(s.acquire({ timeout: 30 })).rejects.toMatchObject({ name: 'TimeoutError', code: 'ERR_WAIT_TIMEOUT', timeout: 30 });
    expect(s.tryAcquire()).toBeNull();
    s.release();
    const p = s.tryAcquire();
    expect(p).not.toBeNull();
    void p!.release();
    s.close();
  });

  test('rejects invalid options (never throws)', async () => {
    const s = Semaphore.create({ initialCount: 1, maximumCount: 1 });
    for (const signal of [1, '', Infinity, null, {}]) {
      const result = s.acquire({ signal } as never);
      await expect(result).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    }
    await expect(s.acquire({ timeout: -1 })).rejects.toBeInstanceOf(RangeError);
    await expect(s.acquire({ timeout: '5' } as never)).rejects.toBeInstanceOf(TypeError);
    await expect(s.acquire({ ref: 1 } as never)).rejects.toBeInstanceOf(TypeError);
    await expect(s.acquire('x' as never)).rejects.toBeInstanceOf(TypeError);
    expect(countOf(s.core)).toBe(1);
    s.close();
  });
});

describe('Semaphore.close', () => {
  test('with permits held: they still give their units back, to the semaphore other openers see', async () => {
    const name = uniqueName('close-held');
    const other = CoreSemaphore.create({ name, initialCount: 0, maximumCount: 2 }); // another opener
    const sem = Semaphore.open(name);
    sem.release(2);
    const first = await sem.acquire();
    const second = sem.tryAcquire()!;
    const queued = sem.acquire();
    sem.close();
    await expect(queued).rejects.toBeInstanceOf(ObjectClosedError);
    expect(countOf(other)).toBe(0);
    await first.release();
    expect(countOf(other)).toBe(1);
    await second.release();
    await second.release(); // a second release does nothing (the kept handle is closed by now)
    expect(countOf(other)).toBe(2);
    other.close();
  });
});

describe('many awaiters', () => {
  test('10,000 awaiters of one semaphore share one slot of one wait thread and all get a unit', async () => {
    const s = Semaphore.create({ initialCount: 0, maximumCount: 10_000 });
    const pending = Array.from({ length: 10_000 }, () => s.acquire());
    await settle(20);
    expect(waitPool().stats()).toMatchObject({ slots: 1, batchThreads: 1, pending: 10_000 });
    const other = await thread();
    await other.call('releaseSemaphore', s.core.handle, 10_000);
    const permits = await Promise.all(pending);
    expect(countOf(s.core)).toBe(0);
    for (const p of permits) void p.release();
    expect(countOf(s.core)).toBe(10_000);
    s.close();
  });
});
