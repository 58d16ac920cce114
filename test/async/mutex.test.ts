import { describe, expect, test } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { Mutex, Semaphore, TimeoutError } from '@waitables/async';
import { waitPool } from '@waitables/async/internal';
import { MUTEX_ALL_ACCESS, WAIT_OBJECT_0, WAIT_TIMEOUT, inspectNamespace } from '@waitables/core';
import { useActors } from '../helpers/actors.js';
import { isSettled, settle } from '../helpers/async.js';
import { uniqueName } from '../helpers/names.js';

const { thread, process: child } = useActors();

describe('Mutex.acquire', () => {
  test('gives two concurrent acquires of one process two turns, never one together', async () => {
    const m = Mutex.create();
    const first = await m.acquire();
    const second = m.acquire();
    expect(await isSettled(second)).toBe(false);
    void first.release();
    const lock = await second;
    expect(lock.abandoned).toBe(false);
    void lock.release();
    m.close();
  });

  test('excludes another handle to the same mutex in the same process', async () => {
    const name = uniqueName('async-mutex-two-handles');
    const a = Mutex.create({ name });
    const b = Mutex.open(name);
    const lockA = await a.acquire();
    expect(b.tryAcquire()).toBeNull();
    const lockB = b.acquire();
    expect(await isSettled(lockB)).toBe(false);
    void lockA.release();
    void (await lockB).release();
    a.close();
    b.close();
  });

  test('excludes other threads and processes while held, and lets them in after release', async () => {
    const name = uniqueName('async-mutex-xproc');
    const m = Mutex.create({ name });
    const lock = await m.acquire();
    const other = await child();
    const h = await other.call('openMutex', name, MUTEX_ALL_ACCESS, false);
    expect(await other.call('waitForMultipleObjects', [h], false, 0, false)).toBe(WAIT_TIMEOUT);
    await lock[Symbol.asyncDispose]();
    expect(await other.call('waitForMultipleObjects', [h], false, 5_000, false)).toBe(WAIT_OBJECT_0);
    const next = m.acquire();
    expect(await isSettled(next)).toBe(false);
    await other.call('releaseMutex', h);
    void (await next).release();
    m.close();
  });

  test('a lock acquired through a wait thread is released on that thread (Windows lets no other)', async () => {
    const m = Mutex.create();
    const owner = await thread();
    expect(await owner.call('waitForMultipleObjects', [m.core.handle], false, 0, false)).toBe(WAIT_OBJECT_0);
    const pending = m.acquire();
    await owner.call('releaseMutex', m.core.handle);
    const lock = await pending; // acquired by a wait thread
    await lock[Symbol.asyncDispose](); // a release on the wrong thread would reject with ERROR_NOT_OWNER
    expect(await owner.call('waitForMultipleObjects', [m.core.handle], false, 0, false)).toBe(WAIT_OBJECT_0);
    await owner.call('releaseMutex', m.core.handle);
    m.close();
  });

  test.runIf(process.platform === 'linux')(
    'a lock acquired through a wait thread is owned by the awaiting thread itself (Linux): it outlives that wait thread',
    async () => {
      const name = uniqueName('async-mutex-owner');
      const m = Mutex.create({ name });
      const other = await child();
      const h = await other.call('openMutex', name, MUTEX_ALL_ACCESS, false);
      expect(await other.call('waitForMultipleObjects', [h], false, 0, false)).toBe(WAIT_OBJECT_0);
      const pending = m.acquire();
      expect(await isSettled(pending)).toBe(false);
      await other.call('releaseMutex', h);
      const lock = await pending; // through a wait thread: the mutex was held by another process
      expect(inspectNamespace().objects.find((o) => o.name === name)?.owner?.pid).toBe(process.pid);
      // The wait thread that took it dies: the mutex is not abandoned, the lock still holds it.
      await waitPool().killThreadForTesting(0);
      expect(await other.call('waitForMultipleObjects', [h], false, 0, false)).toBe(WAIT_TIMEOUT);
      await lock[Symbol.asyncDispose]();
      expect(await other.call('waitForMultipleObjects', [h], false, 5_000, false)).toBe(WAIT_OBJECT_0); // not WAIT_ABANDONED
      await other.call('releaseMutex', h);
      m.close();
    },
  );

  test('reports a mutex abandoned by a thread that ended while owning it', async () => {
    const m = Mutex.create();
    const owner = await thread();
    await owner.call('waitForMultipleObjects', [m.core.handle], false, 0, false);
    const pending = m.acquire();
    await owner.exit();
    const lock = await pending;
    expect(lock.abandoned).toBe(true);
    void lock.release();
    const again = await m.acquire();
    expect(again.abandoned).toBe(false);
    void again.release();
    m.close();
  });

  test('await using releases at the end of the block', async () => {
    const m = Mutex.create();
    {
      await using _lock = await m.acquire();
      expect(m.tryAcquire()).toBeNull();
    }
    const lock = m.tryAcquire();
    expect(lock).not.toBeNull();
    void lock!.release();
    m.close();
  });

  test('an aborted or timed-out acquire leaves the mutex usable and held by nobody', async () => {
    const m = Mutex.create();
    const lock = await m.acquire();
    const controller = new AbortController();
    const aborted = m.acquire({ signal: controller.signal });
    const timedOut = m.acquire({ timeout: 20 });
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    await expect(timedOut).rejects.toBeInstanceOf(TimeoutError);
    void lock.release();
    await settle(10);
    const other = await thread();
    expect(await other.call('waitForMultipleObjects', [m.core.handle], false, 0, false)).toBe(WAIT_OBJECT_0);
    await other.call('releaseMutex', m.core.handle);
    m.close();
    expect(waitPool().stats().pending).toBe(0);
  });
});

describe('Mutex.create({ initialOwner: true })', () => {
  test('gives the initial ownership as a lock that later acquires of the process wait for', async () => {
    const m = Mutex.create({ initialOwner: true });
    expect(m.initialLock).not.toBeNull();
    const next = m.acquire();
    expect(await isSettled(next)).toBe(false);
    void m.initialLock!.release();
    const lock = await next;
    void lock.release();
    const other = await thread();
    expect(await other.call('waitForMultipleObjects', [m.core.handle], false, 0, false)).toBe(WAIT_OBJECT_0);
    await other.call('releaseMutex', m.core.handle);
    m.close();
  });

  test('of an existing mutex takes no ownership and gives no lock', () => {
    const name = uniqueName('async-initial-existing');
    const a = Mutex.create({ name });
    const b = Mutex.create({ name, initialOwner: true });
    expect(b.existed).toBe(true);
    expect(b.initialLock).toBeNull();
    a.close();
    b.close();
  });
});

describe('a lock or permit sent to another thread', () => {
  test('refuses structured cloning and postMessage with a message that says what to do', async () => {
    const m = Mutex.create();
    const s = Semaphore.create({ initialCount: 1, maximumCount: 1 });
    const lock = await m.acquire();
    const permit = await s.acquire();
    const { port1 } = new MessageChannel();
    expect(() => port1.postMessage(lock)).toThrow(
      /a Lock cannot be cloned or sent to another thread or process .*: release it here and acquire the mutex there/,
    );
    expect(() => structuredClone(permit)).toThrow(/a Permit cannot be cloned .*: release it here and acquire the semaphore there/);
    port1.close();
    void lock.release();
    void permit.release();
    m.close();
    s.close();
  });
});
