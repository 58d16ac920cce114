// Crash-safe semaphores (Linux): the units of a process that dies without releasing them
// go back, to the oldest waiter first; units released or passed on are never returned
// twice; a plain semaphore keeps Windows' semantics. Real processes, killed with -9.
import { afterEach, describe, expect, test } from 'vitest';
import { Event, Semaphore, inspectNamespace } from '@waitables/core';
import { killAndWait } from '../helpers/fault-objects.js';
import { uniqueName } from '../helpers/names.js';
import { type PermitUser as User, PermitUsers } from '../helpers/permit-users.js';

const users = new PermitUsers();
const user = (name: string, ...args: string[]) => users.start(name, ...args);

afterEach(() => users.killAll());

function snapshotOf(name: string) {
  const object = inspectNamespace().objects.find((o) => o.name === name);
  if (!object) throw new Error(`${name} is gone`);
  return object;
}

/** Until `count` threads are registered on the semaphore (so that their order is decided). */
async function untilWaiters(name: string, count: number): Promise<void> {
  while (snapshotOf(name).waiters < count) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Takes every unit it can without blocking: the count, left at 0. */
function drain(sem: Semaphore): number {
  let n = 0;
  while (sem.wait(0) === 'signaled') n++;
  return n;
}

describe('crash-safe semaphores', () => {
  test('a process killed holding units gives them back, counted as recovered; the count is exact', async () => {
    const name = uniqueName('permits');
    using sem = Semaphore.create({ name, initialCount: 3, maximumCount: 5, crashSafe: true });
    expect(sem.query()).toMatchObject({ count: 3, maximum: 5, crashSafe: true, recovered: 0, held: 0 });
    const holder = user(name, 'hold', '2');
    await holder.printed('held');
    expect(snapshotOf(name).crashSafe).toEqual({ recovered: 0, holders: [{ pid: holder.child.pid, units: 2 }] });
    expect(sem.query().count).toBe(1);

    await killAndWait(holder.child);
    // Nothing blocks here: a blocking wait finds the death itself (its look), as does inspection.
    expect(sem.wait(10_000)).toBe('signaled');
    expect(sem.wait(10_000)).toBe('signaled');
    expect(sem.wait(10_000)).toBe('signaled');
    expect(sem.wait(0)).toBe('timeout'); // 3, not more: nothing made out of nothing
    expect(sem.query()).toMatchObject({ count: 0, recovered: 2, held: 3 });
    expect(snapshotOf(name).crashSafe).toEqual({ recovered: 2, holders: [{ pid: process.pid, units: 3 }] });
    sem.release(3);
    expect(sem.query()).toMatchObject({ count: 3, held: 0 });
  });

  test.each(['wait-sync', 'wait-async'])(
    'a waiter blocked in another process (%s) gets the unit of a holder killed with -9',
    async (mode) => {
      const name = uniqueName('permit');
      using sem = Semaphore.create({ name, initialCount: 1, maximumCount: 1, crashSafe: true });
      const holder = user(name, 'hold', '1');
      await holder.printed('held');
      const waiter = user(name, mode, 'w');
      await waiter.printed('waiting');
      await untilWaiters(name, 1);
      await killAndWait(holder.child);
      await waiter.printed('got w');
      expect(snapshotOf(name).crashSafe).toEqual({ recovered: 1, holders: [{ pid: waiter.child.pid, units: 1 }] });
      expect(sem.wait(0)).toBe('timeout');
    },
  );

  test('units returned go to the oldest waiters first, across processes', async () => {
    const name = uniqueName('fifo');
    using sem = Semaphore.create({ name, initialCount: 2, maximumCount: 2, crashSafe: true });
    const holder = user(name, 'hold', '2');
    await holder.printed('held');
    const waiters: User[] = [];
    for (const label of ['a', 'b', 'c']) {
      const waiter = user(name, label === 'b' ? 'wait-async' : 'wait-sync', label);
      await waiter.printed('waiting');
      await untilWaiters(name, waiters.length + 1);
      waiters.push(waiter);
    }
    await killAndWait(holder.child);
    await waiters[0]!.printed('got a');
    await waiters[1]!.printed('got b');
    expect(waiters[2]!.output()).not.toContain('got c');
    expect(snapshotOf(name).waiters).toBe(1); // c still waits: two units, two grants
    expect(sem.query().count).toBe(0);
    await killAndWait(waiters[0]!.child);
    await waiters[2]!.printed('got c');
  });

  test('units a process released, or passed on, are not returned again when it dies', async () => {
    const name = uniqueName('released');
    // A maximum above the units in play, so that a unit returned twice would show in the count.
    using sem = Semaphore.create({ name, initialCount: 3, maximumCount: 10, crashSafe: true });
    const partly = user(name, 'take-release', '2', '1'); // holds 1 of its 2
    await partly.printed('done');
    expect(snapshotOf(name).crashSafe!.holders).toEqual([{ pid: partly.child.pid, units: 1 }]);
    await killAndWait(partly.child);
    expect(drain(sem)).toBe(3);
    sem.release(3);

    const passer = user(name, 'take-release', '1', '3'); // releases its unit and two more it never took
    await passer.printed('done');
    expect(snapshotOf(name).crashSafe!.holders).toEqual([]);
    await killAndWait(passer.child);
    expect(drain(sem)).toBe(5);
    expect(sem.query().recovered).toBe(1);
  });

  test('a plain semaphore keeps Windows semantics: a unit dies with its holder', async () => {
    const name = uniqueName('plain');
    using sem = Semaphore.create({ name, initialCount: 1, maximumCount: 1 });
    expect(sem.query()).toMatchObject({ crashSafe: false, recovered: 0 });
    const holder = user(name, 'hold-plain', '1');
    await holder.printed('held');
    await killAndWait(holder.child);
    expect(snapshotOf(name).crashSafe).toBeNull(); // inspection reclaims the dead first
    expect(sem.wait(200)).toBe('timeout');
  });

  test('asking for crash-safe permits makes an existing plain semaphore crash-safe from then on', async () => {
    const name = uniqueName('upgrade');
    using plain = Semaphore.create({ name, initialCount: 2, maximumCount: 2 });
    expect(plain.wait(0)).toBe('signaled'); // taken while plain: never recorded
    using safe = Semaphore.create({ name, maximumCount: 2, crashSafe: true });
    expect(safe.existed).toBe(true);
    expect(plain.query().crashSafe).toBe(true);
    const holder = user(name, 'hold', '1');
    await holder.printed('held');
    await killAndWait(holder.child);
    expect(safe.wait(10_000)).toBe('signaled'); // the dead holder's unit
    expect(safe.query()).toMatchObject({ recovered: 1, held: 1 });
    safe.release(2); // the unit taken before the upgrade is released as any other
    expect(safe.query()).toMatchObject({ count: 2, held: 0 });
  });

  test('bad options are typed errors', () => {
    expect(() => Semaphore.create({ maximumCount: 1, crashSafe: 'yes' as unknown as boolean })).toThrow(TypeError);
  });

  test('a storm of processes killed at random moments while taking and releasing leaves the count exact', async () => {
    const kills = Number(process.env.WAITABLES_PERMIT_KILLS ?? 200);
    const maximum = 3;
    const name = uniqueName('storm');
    const eventName = uniqueName('storm-event');
    using sem = Semaphore.create({ name, initialCount: maximum, maximumCount: maximum, crashSafe: true });
    using event = Event.create({ name: eventName });
    const live = new Set<User>();
    const ready = new Set<User>();
    const start = () => {
      const u = user(name, 'storm', eventName);
      live.add(u);
      u.printed('ready').then(
        () => ready.add(u),
        () => undefined, // killed while starting
      );
    };
    /** Every unit is free or recorded as held: in any snapshot (taken under the namespace lock), exactly. */
    const expectAccounted = () => {
      const s = snapshotOf(name);
      const held = s.crashSafe!.holders.reduce((sum, h) => sum + h.units, 0);
      expect(s.count! + held).toBe(maximum);
    };
    for (let i = 0; i < 6; i++) start();
    for (let killed = 0; killed < kills;) {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 30));
      // Mostly processes in full traffic; one in five wherever it is (starting, registering...).
      const pool = Math.random() < 0.2 || ready.size === 0 ? live : ready;
      if (pool.size === 0) continue;
      const victim = [...pool][Math.floor(Math.random() * pool.size)]!;
      live.delete(victim);
      ready.delete(victim);
      await killAndWait(victim.child);
      killed++;
      expectAccounted();
      start();
    }
    for (const u of live) await killAndWait(u.child);
    // Everyone is dead: every unit comes back, no more.
    for (let i = 0; i < maximum; i++) expect(sem.wait(10_000)).toBe('signaled');
    expect(sem.wait(0)).toBe('timeout');
    expect(sem.query().recovered).toBeGreaterThan(0);
    sem.release(maximum);
    event.set();
  }, 300_000);
});
