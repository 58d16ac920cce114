import { describe, expect, test } from 'vitest';
import {
  ERROR_NOT_OWNER,
  EVENT_ALL_ACCESS,
  Event,
  MUTEX_ALL_ACCESS,
  Mutex,
  WAIT_ABANDONED_0,
  WAIT_OBJECT_0,
  WAIT_TIMEOUT,
} from '@waitables/core';
import { expectWin32Error } from '../helpers/expect-error.js';
import { useActors } from '../helpers/actors.js';
import { uniqueName } from '../helpers/names.js';

const { thread, process: child } = useActors();

function notOwner(fn: () => void): void {
  expectWin32Error(fn, ERROR_NOT_OWNER, 'ReleaseMutex');
}

describe('a mutex', () => {
  test('created with initialOwner is owned by the creating thread until it releases', async () => {
    using m = Mutex.create({ initialOwner: true });
    const other = await thread();
    expect(await other.call('waitForMultipleObjects', [m.handle], false, 0, false)).toBe(WAIT_TIMEOUT);
    m.release();
    expect(await other.call('waitForMultipleObjects', [m.handle], false, 0, false)).toBe(WAIT_OBJECT_0);
    await other.call('releaseMutex', m.handle);
  });

  test('is recursive: the owner may wait again and must release as many times', async () => {
    using m = Mutex.create();
    expect(m.wait(0)).toBe('signaled');
    expect(m.wait(0)).toBe('signaled');
    expect(m.wait(0)).toBe('signaled');
    const other = await thread();
    m.release();
    m.release();
    expect(await other.call('waitForMultipleObjects', [m.handle], false, 0, false)).toBe(WAIT_TIMEOUT);
    m.release();
    expect(await other.call('waitForMultipleObjects', [m.handle], false, 0, false)).toBe(WAIT_OBJECT_0);
    await other.call('releaseMutex', m.handle);
    notOwner(() => m.release());
  });

  test('released by a thread that does not own it fails with ERROR_NOT_OWNER and stays owned', async () => {
    using m = Mutex.create({ initialOwner: true });
    const other = await thread();
    await expect(other.call('releaseMutex', m.handle)).rejects.toMatchObject({ errno: ERROR_NOT_OWNER });
    expect(await other.call('waitForMultipleObjects', [m.handle], false, 0, false)).toBe(WAIT_TIMEOUT);
    m.release();
  });

  test('released while free fails with ERROR_NOT_OWNER', () => {
    using m = Mutex.create();
    notOwner(() => m.release());
    expect(m.wait(0)).toBe('signaled');
    m.release();
  });

  test('created again by name opens it without taking initial ownership', async () => {
    const name = uniqueName('mutex-existing');
    using first = Mutex.create({ name });
    const other = await thread();
    const again = await other.call('createMutex', { name, initialOwner: true, access: MUTEX_ALL_ACCESS });
    expect(again.existed).toBe(true);
    expect(first.wait(0)).toBe('signaled');
    first.release();
    await other.call('closeHandle', again.handle);
  });

  test('closing the owner’s handle neither releases it nor wakes a waiter', async () => {
    const m = Mutex.create({ initialOwner: true });
    const keep = m.duplicateHandle();
    const other = await thread();
    m.close();
    expect(await other.call('waitForMultipleObjects', [keep], false, 50, false)).toBe(WAIT_TIMEOUT);
    using kept = Mutex.fromHandle(keep);
    kept.release();
    expect(await other.call('waitForMultipleObjects', [keep], false, 0, false)).toBe(WAIT_OBJECT_0);
    await other.call('releaseMutex', keep);
  });
});

describe('abandonment', () => {
  test('when the owning thread ends, the next wait gets WAIT_ABANDONED_0 and owns it; later waits are normal', async () => {
    using m = Mutex.create();
    const owner = await thread();
    expect(await owner.call('waitForMultipleObjects', [m.handle], false, 0, false)).toBe(WAIT_OBJECT_0);
    await owner.exit();
    expect(m.wait(0)).toBe('abandoned');
    const other = await thread();
    expect(await other.call('waitForMultipleObjects', [m.handle], false, 0, false)).toBe(WAIT_TIMEOUT);
    m.release();
    expect(m.wait(0)).toBe('signaled');
    m.release();
  });

  test('a thread blocked on it is woken with WAIT_ABANDONED_0 when the owner thread ends', async () => {
    using m = Mutex.create();
    const [owner, waiter] = await Promise.all([thread(), thread()]);
    expect(await owner.call('waitForMultipleObjects', [m.handle], false, 0, false)).toBe(WAIT_OBJECT_0);
    const w = waiter.start('waitForMultipleObjects', [m.handle], false, 10_000, false);
    await w.started;
    await owner.exit();
    expect(await w.result).toBe(WAIT_ABANDONED_0);
    await waiter.call('releaseMutex', m.handle);
  });

  test('when the owning process is killed with SIGKILL, the mutex is abandoned to the next waiter', async () => {
    const name = uniqueName('mutex-kill');
    using m = Mutex.create({ name });
    const owner = await child();
    const h = await owner.call('openMutex', name, MUTEX_ALL_ACCESS, false);
    expect(await owner.call('waitForMultipleObjects', [h], false, 0, false)).toBe(WAIT_OBJECT_0);
    expect(m.wait(0)).toBe('timeout');
    await owner.kill();
    expect(m.wait(5_000)).toBe('abandoned');
    m.release();
    expect(m.wait(0)).toBe('signaled');
    m.release();
  });
});

describe('a named mutex shared by processes', () => {
  test('lets one of four hammering processes in at a time', async () => {
    const name = uniqueName('mutex-hammer');
    const insideName = uniqueName('mutex-inside');
    using m = Mutex.create({ name });
    using inside = Event.create({ name: insideName, manualReset: true });
    const workers = await Promise.all([child(), child(), child(), child()]);
    const violations = await Promise.all(
      workers.map(async (w) => {
        const mh = await w.call('openMutex', name, MUTEX_ALL_ACCESS, false);
        const eh = await w.call('openEvent', insideName, EVENT_ALL_ACCESS, false);
        let seen = 0;
        for (let i = 0; i < 25; i++) {
          expect(await w.call('waitForMultipleObjects', [mh], false, 10_000, false)).toBe(WAIT_OBJECT_0);
          // Inside: nobody else may be inside, which the manual event tells.
          if ((await w.call('waitForMultipleObjects', [eh], false, 0, false)) !== WAIT_TIMEOUT) seen++;
          await w.call('setEvent', eh);
          await w.call('resetEvent', eh);
          await w.call('releaseMutex', mh);
        }
        return seen;
      }),
    );
    expect(violations).toEqual([0, 0, 0, 0]);
    expect(m.wait(0)).toBe('signaled');
    m.release();
    expect(inside.wait(0)).toBe('timeout');
  });
});
