// Crash-safe semaphores on both platforms (Linux: the namespace's records; Windows: a
// ledger beside the kernel's semaphore): the units of a process killed without releasing
// them come back to whoever waits; units released or passed on are never returned twice;
// every unit is free or recorded as held, whatever moment the kills land on. Real
// processes, killed with SIGKILL (TerminateProcess on Windows). Checked through the
// public API only (query()); test/fault/crash-safe.test.ts adds the Linux namespace's view.
import { afterEach, describe, expect, test } from 'vitest';
import { Event, Semaphore } from '@waitables/core';
import { Semaphore as AsyncSemaphore } from '@waitables/async';
import { killAndWait } from '../helpers/fault-objects.js';
import { uniqueName } from '../helpers/names.js';
import { type PermitUser, PermitUsers } from '../helpers/permit-users.js';

const users = new PermitUsers();
afterEach(() => users.killAll());

/** Every unit is free or recorded as held (query() reads both at one moment). */
function unitsInPlay(sem: Semaphore): number {
  const state = sem.query();
  return state.count + state.holders.reduce((sum, holder) => sum + holder.units, 0);
}

/** Takes every unit it can without blocking: how many. */
function drain(sem: Semaphore): number {
  let n = 0;
  while (sem.wait(0) === 'signaled') n++;
  return n;
}

describe('crash-safe semaphores across processes', () => {
  test('a process killed holding units gives them back to a blocked wait, counted as recovered; no more', async () => {
    const name = uniqueName('permits');
    using sem = Semaphore.create({ name, initialCount: 3, maximumCount: 5, crashSafe: true });
    const holder = users.start(name, 'hold', '2');
    await holder.printed('held');
    expect(sem.query()).toMatchObject({ count: 1, crashSafe: true, recovered: 0, held: 0, holders: [{ pid: holder.child.pid, units: 2 }] });

    await killAndWait(holder.child);
    for (let i = 0; i < 3; i++) expect(sem.wait(10_000)).toBe('signaled');
    expect(sem.wait(0)).toBe('timeout'); // 3, not more: nothing made out of nothing
    expect(sem.query()).toMatchObject({ count: 0, recovered: 2, held: 3, holders: [{ pid: process.pid, units: 3 }] });
    sem.release(3);
    expect(sem.query()).toMatchObject({ count: 3, held: 0, holders: [] });
  });

  test.each(['wait-sync', 'wait-async'])('a waiter blocked in another process (%s) gets the unit of a holder killed', async (mode) => {
    const name = uniqueName('permit');
    using sem = Semaphore.create({ name, initialCount: 1, maximumCount: 1, crashSafe: true });
    const holder = users.start(name, 'hold', '1');
    await holder.printed('held');
    const waiter = users.start(name, mode, 'w');
    await waiter.printed('waiting');
    await killAndWait(holder.child);
    await waiter.printed('got w');
    expect(sem.query()).toMatchObject({ count: 0, recovered: 1, holders: [{ pid: waiter.child.pid, units: 1 }] });
  });

  test('an awaited acquire here gets the unit of a holder killed elsewhere', async () => {
    const name = uniqueName('awaited');
    using sem = AsyncSemaphore.create({ name, initialCount: 1, maximumCount: 1, crashSafe: true });
    const holder = users.start(name, 'hold', '1');
    await holder.printed('held');
    const acquiring = sem.acquire({ timeout: 20_000 });
    await killAndWait(holder.child);
    using permit = await acquiring;
    expect(sem.core.query()).toMatchObject({ count: 0, recovered: 1, held: 1 });
    void permit.release();
    expect(sem.core.query()).toMatchObject({ count: 1, held: 0, holders: [] });
  });

  test('units a process released, or passed on, are not returned again when it dies', async () => {
    const name = uniqueName('released');
    // A maximum above the units in play, so that a unit returned twice would show in the count.
    using sem = Semaphore.create({ name, initialCount: 3, maximumCount: 10, crashSafe: true });
    const partly = users.start(name, 'take-release', '2', '1'); // holds 1 of its 2
    await partly.printed('done');
    expect(sem.query().holders).toEqual([{ pid: partly.child.pid, units: 1 }]);
    await killAndWait(partly.child);
    expect(drain(sem)).toBe(3); // the two free, and the dead one's
    expect(sem.query()).toMatchObject({ count: 0, recovered: 1, held: 3 });
    sem.release(3);

    const passer = users.start(name, 'take-release', '1', '3'); // releases its unit and two more it never took
    await passer.printed('done');
    expect(sem.query().holders).toEqual([]);
    await killAndWait(passer.child);
    expect(drain(sem)).toBe(5);
    expect(sem.query()).toMatchObject({ recovered: 1, held: 5 });
  });

  test('asking for crash-safe permits makes an existing plain semaphore crash-safe for every later opener', async () => {
    const name = uniqueName('upgrade');
    using plain = Semaphore.create({ name, initialCount: 2, maximumCount: 2 });
    expect(plain.wait(0)).toBe('signaled'); // taken while plain: never recorded
    using safe = Semaphore.create({ name, maximumCount: 2, crashSafe: true });
    expect(safe.existed).toBe(true);
    using reopened = Semaphore.open(name);
    expect(reopened.query().crashSafe).toBe(true);
    const holder = users.start(name, 'hold', '1');
    await holder.printed('held');
    await killAndWait(holder.child);
    expect(safe.wait(10_000)).toBe('signaled'); // the dead holder's unit
    expect(safe.query()).toMatchObject({ recovered: 1, held: 1 });
    safe.release(2); // the unit taken before the upgrade is released as any other
    expect(safe.query()).toMatchObject({ count: 2, held: 0 });
  });

  test('processes killed at random moments while taking and releasing never lose or make a unit', async () => {
    // Blocking, awaited, wait-any and wait-all takes, with timeouts and aborts (the fixture's storm).
    const kills = Number(process.env.WAITABLES_PERMIT_KILLS_BOTH ?? (process.platform === 'win32' ? 100 : 60));
    const maximum = 3;
    const name = uniqueName('storm');
    const eventName = uniqueName('storm-event');
    using sem = Semaphore.create({ name, initialCount: maximum, maximumCount: maximum, crashSafe: true });
    using _event = Event.create({ name: eventName }); // the storm's processes open it
    const live = new Set<PermitUser>();
    const ready = new Set<PermitUser>();
    const start = () => {
      const u = users.start(name, 'storm', eventName);
      live.add(u);
      u.printed('ready').then(
        () => ready.add(u),
        () => undefined, // killed while starting
      );
    };
    for (let i = 0; i < 4; i++) start();
    for (let killed = 0; killed < kills;) {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
      // Mostly processes in full traffic; one in five wherever it is (starting, opening...).
      const pool = Math.random() < 0.2 || ready.size === 0 ? live : ready;
      if (pool.size === 0) continue;
      const victim = [...pool][Math.floor(Math.random() * pool.size)]!;
      live.delete(victim);
      ready.delete(victim);
      // A storm process never ends by itself: an error there would hide behind the kills.
      expect(victim.child.exitCode, `a storm process ended by itself: ${victim.output()}`).toBeNull();
      await killAndWait(victim.child);
      killed++;
      expect(unitsInPlay(sem)).toBe(maximum);
      start();
    }
    for (const u of live) {
      expect(u.child.exitCode, 'a storm process ended by itself').toBeNull();
      await killAndWait(u.child);
    }
    // Everyone is dead: every unit comes back, no more.
    for (let i = 0; i < maximum; i++) expect(sem.wait(10_000)).toBe('signaled');
    expect(sem.wait(0)).toBe('timeout');
    sem.release(maximum);
  }, 600_000);
});
