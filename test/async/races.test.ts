// Cancellation races: many awaiters acquire, abort, time out and release at random,
// while other threads take and give units with blocking waits. Whatever the OS handed
// over at the moment of an abort must be given back: at the end the object is exactly
// as it started.
import { describe, expect, test } from 'vitest';
import { Event, Mutex, Semaphore } from '@waitables/async';
import { waitPool } from '@waitables/async/internal';
import { WAIT_OBJECT_0 } from '@waitables/core';
import { useActors } from '../helpers/actors.js';
import { settle } from '../helpers/async.js';
import { countOf } from '../helpers/counts.js';

const { thread } = useActors();
const OPERATIONS = 100_000;
const AWAITERS = 24;

/** Runs `OPERATIONS` random acquire/abort/timeout/release operations over `AWAITERS` loops. */
async function hammer(acquire: (signal: AbortSignal | undefined, timeout: number | undefined) => Promise<() => void>): Promise<number> {
  let operations = 0;
  let granted = 0;
  const loop = async () => {
    while (operations < OPERATIONS) {
      operations++;
      const choice = Math.random();
      const controller = new AbortController();
      const timeout = choice < 0.3 ? Math.floor(Math.random() * 3) : undefined;
      if (choice >= 0.3 && choice < 0.6) {
        const delay = Math.random() * 2;
        if (delay < 0.5) controller.abort();
        else setTimeout(() => controller.abort(), delay);
      }
      try {
        const release = await acquire(controller.signal, timeout);
        granted++;
        if (Math.random() < 0.5) await settle(0);
        release();
      } catch (error) {
        const name = (error as Error).name;
        if (name !== 'AbortError' && name !== 'TimeoutError') throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: AWAITERS }, loop));
  return granted;
}

/** Other threads taking and giving the object with blocking waits while the awaiters run. */
async function contenders(handle: number, give: 'releaseSemaphore' | 'setEvent' | 'releaseMutex', stop: () => boolean) {
  const threads = await Promise.all([thread(), thread()]);
  await Promise.all(
    threads.map(async (t) => {
      while (!stop()) {
        if ((await t.call('waitForMultipleObjects', [handle], false, Math.floor(Math.random() * 3), false)) !== WAIT_OBJECT_0) continue;
        if (give === 'releaseSemaphore') await t.call('releaseSemaphore', handle, 1);
        else if (give === 'setEvent') await t.call('setEvent', handle);
        else await t.call('releaseMutex', handle);
      }
    }),
  );
}

describe('cancellation races', () => {
  test(`${OPERATIONS} random operations on a semaphore leave its count exactly as it was`, async () => {
    const s = Semaphore.create({ initialCount: 3, maximumCount: 3 });
    let done = false;
    const others = contenders(s.core.handle, 'releaseSemaphore', () => done);
    const granted = await hammer(async (signal, timeout) => {
      const permit = await s.acquire({ signal, timeout });
      return () => void permit.release();
    });
    done = true;
    await others;
    await settle(50);
    expect(granted).toBeGreaterThan(0);
    expect(waitPool().stats().pending).toBe(0);
    expect(countOf(s.core)).toBe(3);
    s.close();
  }, 300_000);

  test(`${OPERATIONS} random operations on an auto-reset event leave it signaled exactly once`, async () => {
    const e = Event.create({ initialState: true });
    let done = false;
    const others = contenders(e.core.handle, 'setEvent', () => done);
    await hammer(async (signal, timeout) => {
      await e.wait({ signal, timeout });
      return () => e.set();
    });
    done = true;
    await others;
    await settle(50);
    expect(e.core.wait(0)).toBe('signaled');
    expect(e.core.wait(0)).toBe('timeout');
    e.close();
  }, 300_000);

  test(`${OPERATIONS} random operations on a mutex leave it free`, async () => {
    const m = Mutex.create();
    let done = false;
    const others = contenders(m.core.handle, 'releaseMutex', () => done);
    await hammer(async (signal, timeout) => {
      const lock = await m.acquire({ signal, timeout });
      return () => void lock.release();
    });
    done = true;
    await others;
    await settle(50);
    const lock = m.tryAcquire();
    expect(lock).not.toBeNull();
    void lock!.release();
    const other = await thread();
    expect(await other.call('waitForMultipleObjects', [m.core.handle], false, 0, false)).toBe(WAIT_OBJECT_0);
    await other.call('releaseMutex', m.core.handle);
    m.close();
  }, 300_000);
});
