// Closing an object while waits on it are pending: they reject with ObjectClosedError
// (code ERR_WAIT_OBJECT_CLOSED), and whatever a wait thread acquired at that moment goes
// back: no unit lost, no mutex left owned by a wait thread.
import { describe, expect, test } from 'vitest';
import { Event, Mutex, ObjectClosedError, Semaphore } from '@waitables/async';
import { waitPool } from '@waitables/async/internal';
import { Semaphore as CoreSemaphore, WAIT_OBJECT_0 } from '@waitables/core';
import { useActors } from '../helpers/actors.js';
import { isSettled, settle } from '../helpers/async.js';
import { countOf } from '../helpers/counts.js';
import { uniqueName } from '../helpers/names.js';

const { thread } = useActors();
/** Close-while-released races per object kind. */
const RACES = 200;

async function expectClosedError(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ObjectClosedError);
  expect((error as ObjectClosedError).code).toBe('ERR_WAIT_OBJECT_CLOSED');
}

describe('closing an object with waits pending', () => {
  test('a semaphore: every pending acquire rejects with ObjectClosedError; the pool keeps nothing', async () => {
    const s = Semaphore.create({ initialCount: 0, maximumCount: 4 });
    const pending = Array.from({ length: 4 }, () => s.acquire());
    expect(await isSettled(pending[0]!)).toBe(false);
    s.close();
    for (const p of pending) await expectClosedError(p);
    await settle(20);
    expect(waitPool().stats()).toMatchObject({ slots: 0, pending: 0 });
  });

  test('an event: every pending wait rejects with ObjectClosedError', async () => {
    const e = Event.create();
    const pending = [e.wait(), e.wait({ timeout: 60_000 })];
    e.close();
    for (const p of pending) await expectClosedError(p);
  });

  test('a mutex: queued and in-flight acquires reject with ObjectClosedError', async () => {
    const name = uniqueName('close-mutex');
    const m = Mutex.create({ name });
    const holder = await thread();
    const h = await holder.call('openMutex', name, 0x1f0001, false);
    await holder.call('waitForMultipleObjects', [h], false, 0, false);
    const pending = [m.acquire(), m.acquire()];
    expect(await isSettled(pending[0]!)).toBe(false);
    m.close();
    for (const p of pending) await expectClosedError(p);
    await holder.call('releaseMutex', h);
    await holder.call('closeHandle', h);
  });

  test('a mutex closed while a lock on it is held: the release still happens, after which others take it', async () => {
    const name = uniqueName('close-held');
    const m = Mutex.create({ name });
    const other = await thread();
    const h = await other.call('openMutex', name, 0x1f0001, false);
    await other.call('waitForMultipleObjects', [h], false, 0, false);
    const pending = m.acquire(); // granted on a wait thread once the other thread releases
    await other.call('releaseMutex', h);
    const lock = await pending;
    m.close();
    await lock[Symbol.asyncDispose]();
    expect(await other.call('waitForMultipleObjects', [h], false, 5_000, false)).toBe(WAIT_OBJECT_0);
    await other.call('releaseMutex', h);
    await other.call('closeHandle', h);
  });

  test(`${RACES} closes racing a release from another handle: no unit lost`, async () => {
    for (let i = 0; i < RACES; i++) {
      const name = uniqueName('close-race-s');
      using other = CoreSemaphore.create({ name, initialCount: 0, maximumCount: 8 });
      const s = Semaphore.open(name);
      const pending = Array.from({ length: 3 }, () => s.acquire());
      await settle(i % 3);
      other.release(2);
      s.close();
      const outcomes = await Promise.allSettled(pending);
      const granted = outcomes.filter((o) => o.status === 'fulfilled').length;
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(ObjectClosedError);
      await settle(5); // the thread confirms its disarm; a unit it took is back by then
      for (let spin = 0; spin < 200 && countOf(other) + granted !== 2; spin++) await settle(5);
      expect(countOf(other) + granted).toBe(2);
    }
  }, 120_000);

  test(`${RACES} closes racing a release by another thread: the mutex is never left owned by a wait thread`, async () => {
    const other = await thread();
    for (let i = 0; i < RACES; i++) {
      const name = uniqueName('close-race-m');
      const m = Mutex.create({ name });
      const h = await other.call('openMutex', name, 0x1f0001, false);
      await other.call('waitForMultipleObjects', [h], false, 0, false);
      const settled = m.acquire().then(
        (lock) => lock,
        (e: unknown) => e,
      );
      const released = other.call('releaseMutex', h);
      await settle(i % 3);
      m.close();
      await released;
      const outcome = await settled;
      if (outcome instanceof ObjectClosedError) {
        // The wait thread may have taken it at that moment: it is given back.
      } else {
        // Granted before the close: the lock still releases through the handle it keeps.
        expect(outcome).toHaveProperty('release');
        await (outcome as { [Symbol.asyncDispose](): Promise<void> })[Symbol.asyncDispose]();
      }
      expect(await other.call('waitForMultipleObjects', [h], false, 5_000, false)).toBe(WAIT_OBJECT_0);
      await other.call('releaseMutex', h);
      await other.call('closeHandle', h);
    }
  }, 120_000);
});
