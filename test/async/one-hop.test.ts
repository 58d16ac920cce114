// One-hop wakes on Linux: the pool registers its waits itself, in its wait threads' slots,
// and a waker rings this thread's bell (a FIFO its event loop reads) instead of waking a
// wait thread. What must hold: results arrive through the bell; without the bell they
// still arrive (the wait thread says so); a result handed to a wait thread that died is
// given back, not lost; and nothing is taken twice.
import { describe, expect, test } from 'vitest';
import { Event, Mutex, Semaphore } from '@waitables/async';
import { waitPool } from '@waitables/async/internal';
import { EVENT_ALL_ACCESS, MUTEX_ALL_ACCESS, SEMAPHORE_ALL_ACCESS, WAIT_OBJECT_0, WAIT_TIMEOUT } from '@waitables/core';
import { useActors } from '../helpers/actors.js';
import { isSettled } from '../helpers/async.js';
import { uniqueName } from '../helpers/names.js';

const { process: child } = useActors();

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000 && !(await condition()); i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe.runIf(process.platform === 'linux')('one-hop wakes (Linux)', () => {
  test('a wait woken by another process is taken at this thread’s bell, not reported by a wait thread', async () => {
    const pool = waitPool();
    const name = uniqueName('one-hop-event');
    const e = Event.create({ name });
    await pool.warmUp();
    const before = pool.stats().taken;
    const pending = e.wait();
    const other = await child();
    const h = await other.call('openEvent', name, EVENT_ALL_ACCESS, false);
    expect(await isSettled(pending)).toBe(false);
    await other.call('setEvent', h);
    await pending;
    expect(pool.stats().taken).toEqual({ atBell: before.atBell + 1, afterLook: before.afterLook });
    e.close();
  });

  test('a mutex handed over by another process is owned by this thread once taken at the bell', async () => {
    const pool = waitPool();
    const name = uniqueName('one-hop-mutex');
    const m = Mutex.create({ name });
    await pool.warmUp();
    const other = await child();
    const h = await other.call('openMutex', name, MUTEX_ALL_ACCESS, false);
    expect(await other.call('waitForMultipleObjects', [h], false, 0, false)).toBe(WAIT_OBJECT_0);
    const before = pool.stats().taken.atBell;
    const pending = m.acquire();
    expect(await isSettled(pending)).toBe(false);
    await other.call('releaseMutex', h);
    const lock = await pending;
    expect(pool.stats().taken.atBell).toBe(before + 1);
    expect(await other.call('waitForMultipleObjects', [h], false, 0, false)).toBe(WAIT_TIMEOUT);
    await lock.release();
    expect(await other.call('waitForMultipleObjects', [h], false, 5_000, false)).toBe(WAIT_OBJECT_0);
    await other.call('releaseMutex', h);
    m.close();
  });

  test('without the bell, the wait thread finds the result and says so: the wait is served all the same', async () => {
    const pool = waitPool();
    const name = uniqueName('one-hop-nobell');
    const s = Semaphore.create({ name, initialCount: 0, maximumCount: 4 });
    await pool.warmUp();
    pool.closeBellForTesting();
    try {
      const before = pool.stats().taken;
      const pending = [s.acquire(), s.acquire()];
      const other = await child();
      const h = await other.call('openSemaphore', name, SEMAPHORE_ALL_ACCESS, false);
      await until(async () => !(await isSettled(pending[0]!)));
      await other.call('releaseSemaphore', h, 2);
      const permits = await Promise.all(pending);
      const after = pool.stats().taken;
      expect(after.atBell).toBe(before.atBell);
      expect(after.afterLook).toBeGreaterThan(before.afterLook);
      for (const p of permits) await p.release();
      expect(s.core.query().count).toBe(2);
    } finally {
      await pool.close(); // the next test's pool opens a fresh bell
    }
    s.close();
  });

  test('a unit handed to a wait whose wait thread died goes back to the semaphore, for the next taker', async () => {
    const pool = waitPool();
    const name = uniqueName('one-hop-dead-thread');
    const s = Semaphore.create({ name, initialCount: 0, maximumCount: 4 });
    await pool.warmUp();
    const pending = s.acquire().then(
      () => 'granted',
      (error: unknown) => error,
    );
    await until(() => pool.stats().pending === 1);
    await pool.killThreadForTesting(0);
    await pending;
    // The dead thread's slot may still hold the wait this thread registered there: a unit
    // released now may be handed to it, and must come back when the slot is reclaimed.
    const other = await child();
    const h = await other.call('openSemaphore', name, SEMAPHORE_ALL_ACCESS, false);
    await other.call('releaseSemaphore', h, 1);
    expect(await other.call('waitForMultipleObjects', [h], false, 5_000, false)).toBe(WAIT_OBJECT_0);
    expect(s.core.query().count).toBe(0);
    s.close();
  });
});
