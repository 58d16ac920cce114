// Several processes, each with its own etcd session (as hosts of a fleet), sharing
// objects through a real three-member cluster: FIFO across them, kill -9 of a holder,
// a holder frozen (SIGSTOP) past its lease, events, and wait-all under contention.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, type Database } from '@waitables/postgres';
import { Actor, freshPrefix, queued, until, useEtcd } from './helpers.js';

const etcd = useEtcd();
let schema: string;
let db: Database;
const actors: Actor[] = [];

async function actor(options: object = {}): Promise<Actor> {
  const started = await Actor.start(etcd.cluster.url, schema, options);
  actors.push(started);
  return started;
}

beforeEach(async () => {
  schema = freshPrefix();
  db = await connect(etcd.cluster.url, { schema });
});
afterEach(async () => {
  for (const a of actors) if (a.child.exitCode === null) a.child.kill('SIGCONT');
  await Promise.all(actors.splice(0).map((a) => a.stop()));
  await db.close();
});

const inQueue = (name: string, n: number) => until(async () => (await queued(db, name)) === n, `${n} waits queued on ${name}`, 60_000);

interface Grant {
  key: number;
  fence: number;
  abandoned: boolean;
}

describe('across processes on etcd', () => {
  it('serves queued processes in FIFO order, for a mutex and for a semaphore', async () => {
    for (const kind of ['mutex', 'semaphore'] as const) {
      const name = `fifo-${kind}`;
      const object =
        kind === 'mutex' ? await db.Mutex.create({ name }) : await db.Semaphore.create({ name, initialCount: 1, maximumCount: 1 });
      const held = await object.acquire();
      const procs = [await actor(), await actor(), await actor()];
      const pending: Promise<{ who: number; grant: Grant }>[] = [];
      for (const [i, p] of procs.entries()) {
        pending.push(p.call<Grant>('acquire', kind, name).then((grant) => ({ who: i, grant })));
        await inQueue(name, i + 1);
      }
      await held.release();
      const order: number[] = [];
      let left = [...pending];
      while (left.length > 0) {
        const first = await Promise.race(left.map((p, i) => p.then((r) => ({ ...r, i }))));
        order.push(first.who);
        left = left.filter((_, i) => i !== first.i);
        await procs[first.who]!.call('release', first.grant.key);
      }
      expect(order).toEqual([0, 1, 2]);
      await Promise.all(actors.splice(0).map((a) => a.stop()));
    }
  });

  it('kill -9 of a holder: when its lease ends, the next waiter gets the mutex abandoned, and its units come back', async () => {
    await db.Mutex.create({ name: 'm' });
    const slots = await db.Semaphore.create({ name: 's', initialCount: 2, maximumCount: 2 });
    const holder = await actor({ lease: 2_000 });
    const waiter = await actor();
    const held = await holder.call<Grant>('acquire', 'mutex', 'm');
    await holder.call('acquire', 'semaphore', 's');
    await holder.call('acquire', 'semaphore', 's');
    const next = waiter.call<Grant>('acquire', 'mutex', 'm');
    const unit = slots.acquire();
    await inQueue('m', 1);
    await inQueue('s', 1);
    await holder.kill();
    const grant = await next;
    expect(grant.abandoned).toBe(true);
    expect(grant.fence).toBeGreaterThan(held.fence);
    const permit = await unit;
    const state = (await db.list()).find((o) => o.name === 's');
    expect({ count: state?.count, held: state?.permitsHeld }).toEqual({ count: 1, held: 1 });
    await permit.release();
    await waiter.call('release', grant.key);
    // Abandonment is reported once.
    const after = await (await db.Mutex.open('m')).acquire({ timeout: 0 });
    expect(after.abandoned).toBe(false);
    await after.release();
  });

  it('kill -9 of a holder with nobody waiting: once its lease has ended, a tryAcquire gets the mutex abandoned', async () => {
    const m = await db.Mutex.create({ name: 'm' });
    const holder = await actor({ lease: 2_000 });
    await holder.call('acquire', 'mutex', 'm');
    await holder.kill();
    let lock = await m.tryAcquire();
    // Until the cluster ends the lease, the dead holder still owns it.
    await until(async () => (lock ??= await m.tryAcquire()) !== null, 'the dead holder’s lease ended', 60_000);
    expect(lock!.abandoned).toBe(true);
    await lock!.release();
  });

  it('kill -9 of a holder: a wait-all that takes its mutex reports abandoned (WAIT_ABANDONED_0)', async () => {
    await db.Mutex.create({ name: 'm1' });
    const m2 = await db.Mutex.create({ name: 'm2' });
    const holder = await actor({ lease: 2_000 });
    await holder.call('acquire', 'mutex', 'm1');
    const all = db.waitAll([await db.Mutex.open('m1'), m2]);
    await inQueue('m1', 1);
    await holder.kill();
    const result = await all;
    expect(result.abandoned).toBe(true);
    expect(result.locks.map((l) => l.abandoned)).toEqual([true, true]);
    for (const lock of result.locks) await lock.release();
  });

  it('a holder frozen (SIGSTOP) past its lease loses the mutex to the next waiter (abandoned); its lost fires when it resumes', async () => {
    await db.Mutex.create({ name: 'm' });
    const holder = await actor({ lease: 2_000 });
    const waiter = await actor();
    const held = await holder.call<Grant>('acquire', 'mutex', 'm');
    const next = waiter.call<Grant>('acquire', 'mutex', 'm');
    await inQueue('m', 1);
    holder.child.kill('SIGSTOP');
    const grant = await next;
    expect(grant.abandoned).toBe(true);
    expect(grant.fence).toBeGreaterThan(held.fence);
    expect(holder.lost).toEqual([]);
    holder.child.kill('SIGCONT');
    await until(() => holder.lost.includes(held.key), 'the resumed holder told its lock was lost', 60_000);
    // Its stale lock cannot release what the waiter now owns.
    await expect(holder.call('release', held.key)).rejects.toMatchObject({ code: 'ERROR_NOT_OWNER' });
    expect((await db.list()).find((o) => o.name === 'm')?.ownerSession).toBe(await waiter.call<number>('sessionId'));
    // Its next operation opens a new session (a new lease), queued behind the waiter.
    const before = await holder.call<number | null>('sessionId');
    const again = holder.call<Grant>('acquire', 'mutex', 'm');
    await inQueue('m', 1);
    expect(await holder.call<number>('sessionId')).not.toBe(before);
    await waiter.call('release', grant.key);
    const regained = await again;
    expect(regained.abandoned).toBe(false);
    expect(regained.fence).toBeGreaterThan(grant.fence);
  });

  it('an event set by one process wakes waiters in others: auto-reset one, manual-reset all', async () => {
    await db.Event.create({ name: 'auto' });
    await db.Event.create({ name: 'manual', manualReset: true });
    const procs = [await actor(), await actor()];
    const auto = procs.map((p) => p.call('acquire', 'event', 'auto'));
    const manual = procs.map((p) => p.call('acquire', 'event', 'manual'));
    await inQueue('auto', 2);
    await inQueue('manual', 2);
    await procs[0]!.call('set', 'manual');
    await Promise.all(manual);
    await procs[1]!.call('set', 'auto');
    await Promise.race(auto);
    expect(await queued(db, 'auto')).toBe(1);
    await (await db.Event.open('auto')).set();
    await Promise.all(auto);
  });

  it('wait-all is atomic under contention: sessions racing wait-all/wait-any/acquire never hold an object twice', async () => {
    const mutexes = ['a', 'b', 'c'];
    for (const name of mutexes) await db.Mutex.create({ name });
    await db.Semaphore.create({ name: 's', initialCount: 2, maximumCount: 2 });
    // Sessions of their own (each its own client and lease); the counters are exact because they share this process.
    const sessions = await Promise.all([1, 2, 3].map(() => connect(etcd.cluster.url, { schema })));
    const holders = new Map<string, number>(['a', 'b', 'c', 's'].map((n) => [n, 0]));
    let violations = 0;
    const enter = (names: string[]) => {
      for (const n of names) {
        holders.set(n, holders.get(n)! + 1);
        if (holders.get(n)! > (n === 's' ? 2 : 1)) violations++;
      }
    };
    const leave = (names: string[]) => names.forEach((n) => holders.set(n, holders.get(n)! - 1));
    let grants = 0;
    try {
      await Promise.all(
        sessions.map(async (s) => {
          const m = await Promise.all(mutexes.map((n) => s.Mutex.open(n)));
          const sem = await s.Semaphore.open('s');
          for (let i = 0; i < 15; i++) {
            const roll = Math.random();
            const pick = Math.floor(Math.random() * 3);
            let names: string[];
            let release: (() => Promise<void>)[];
            if (roll < 0.4) {
              const other = (pick + 1) % 3;
              const r = await s.waitAll([m[pick]!, m[other]!, sem]);
              names = [mutexes[pick]!, mutexes[other]!, 's'];
              release = [...r.locks, ...r.permits].map((h) => () => h.release());
            } else if (roll < 0.7) {
              const r = await s.waitAny(m);
              names = [mutexes[r.index]!];
              release = [() => r.lock!.release()];
            } else {
              const lock = await m[pick]!.acquire();
              names = [mutexes[pick]!];
              release = [() => lock.release()];
            }
            grants++;
            enter(names);
            await new Promise((resolve) => setImmediate(resolve));
            leave(names);
            for (const r of release) await r();
          }
        }),
      );
    } finally {
      await Promise.all(sessions.map((s) => s.close()));
    }
    expect({ grants, violations }).toEqual({ grants: 45, violations: 0 });
    const state = await db.list();
    expect(state.map((o) => [o.name, o.ownerSession, o.waiters, o.permitsHeld])).toEqual([
      ['a', null, 0, 0],
      ['b', null, 0, 0],
      ['c', null, 0, 0],
      ['s', null, 0, 0],
    ]);
    expect(state.find((o) => o.name === 's')?.count).toBe(2);
  });

  it('a script that closes its session at the end of top-level code completes the close and exits 0; nothing is abandoned', async () => {
    const script = new URL('../fixtures/postgres-close.mjs', import.meta.url);
    const { stdout } = await promisify(execFile)(process.execPath, [script.pathname, etcd.cluster.url, schema], { timeout: 60_000 });
    expect(stdout.trim()).toBe('closed');
    const lock = await (await db.Mutex.open('closing')).acquire({ timeout: 0 });
    expect(lock.abandoned).toBe(false);
    await lock.release();
  });
});
