// Several processes, each with its own connection (as hosts of a fleet), sharing objects
// through one real PostgreSQL server: FIFO across them, kill -9 of a holder, a cut
// connection, and wait-all under contention.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, type Database } from '@waitables/postgres';
import { freshSchema, PgActor, queued, sql, until, usePostgres } from './helpers.js';

const pgServer = usePostgres();
let schema: string;
let db: Database;
const actors: PgActor[] = [];

async function actor(options: object = {}): Promise<PgActor> {
  const started = await PgActor.start(pgServer.server.url, schema, options);
  actors.push(started);
  return started;
}

beforeEach(async () => {
  schema = freshSchema();
  db = await connect(pgServer.server.url, { schema });
});
afterEach(async () => {
  await Promise.all(actors.splice(0).map((a) => a.stop()));
  await db.close();
});

const url = () => pgServer.server.url;
const inQueue = (name: string, n: number) => until(async () => (await queued(url(), schema, name)) === n, `${n} waits queued on ${name}`);

interface Grant {
  key: number;
  fence: number;
  abandoned: boolean;
}

describe('across processes', () => {
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

  it('kill -9 of a holder: the next waiter gets the mutex abandoned, and its units come back', async () => {
    await db.Mutex.create({ name: 'm' });
    const slots = await db.Semaphore.create({ name: 's', initialCount: 2, maximumCount: 2 });
    const holder = await actor();
    const waiter = await actor();
    await holder.call('acquire', 'mutex', 'm');
    await holder.call('acquire', 'semaphore', 's');
    await holder.call('acquire', 'semaphore', 's');
    const next = waiter.call<Grant>('acquire', 'mutex', 'm');
    const unit = slots.acquire();
    await inQueue('m', 1);
    await inQueue('s', 1);
    await holder.kill();
    const grant = await next;
    expect(grant.abandoned).toBe(true);
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

  it('kill -9 of a holder: a queued waiter whose reaper would not run for ten minutes gets the mutex abandoned (its watcher is told)', async () => {
    await db.Mutex.create({ name: 'm' });
    const slots = await db.Semaphore.create({ name: 's', initialCount: 1, maximumCount: 1 });
    const waiter = await connect(url(), { schema, reapInterval: 600_000 });
    try {
      const holder = await actor();
      await holder.call('acquire', 'mutex', 'm');
      await holder.call('acquire', 'semaphore', 's');
      const next = (await waiter.Mutex.open('m')).acquire();
      const unit = (await waiter.Semaphore.open('s')).acquire();
      await inQueue('m', 1);
      await inQueue('s', 1);
      await holder.kill();
      const lock = await next;
      expect(lock.abandoned).toBe(true);
      await lock.release();
      await (await unit).release();
      expect(slots).toBeDefined();
    } finally {
      await waiter.close();
    }
  });

  it('kill -9 of a holder: once its backend is gone, a tryAcquire gets the mutex abandoned at once', async () => {
    const m = await db.Mutex.create({ name: 'm' });
    const holder = await actor();
    await holder.call('acquire', 'mutex', 'm');
    const session = await holder.call<number>('sessionId');
    const [row] = await sql<{ pid: number }>(url(), `select pid from ${schema}.sessions where id = $1`, [session]);
    await holder.kill();
    await until(
      async () => (await sql(url(), 'select 1 from pg_stat_activity where pid = $1', [row!.pid])).length === 0,
      "the holder's backend ended",
    );
    const lock = await m.tryAcquire();
    expect(lock?.abandoned).toBe(true);
    await lock!.release();
  });

  it('kill -9 of a holder: a wait-all that takes its mutex reports abandoned (WAIT_ABANDONED_0)', async () => {
    await db.Mutex.create({ name: 'm1' });
    const m2 = await db.Mutex.create({ name: 'm2' });
    const holder = await actor();
    await holder.call('acquire', 'mutex', 'm1');
    const all = db.waitAll([await db.Mutex.open('m1'), m2]);
    await inQueue('m1', 1);
    await holder.kill();
    const result = await all;
    expect(result.abandoned).toBe(true);
    expect(result.locks.map((l) => l.abandoned)).toEqual([true, true]);
    for (const lock of result.locks) await lock.release();
  });

  it('a holder whose connection is cut is told through lost; the waiter gets the mutex abandoned; the holder recovers', async () => {
    await db.Mutex.create({ name: 'm' });
    const holder = await actor();
    const waiter = await actor();
    const held = await holder.call<Grant>('acquire', 'mutex', 'm');
    const next = waiter.call<Grant>('acquire', 'mutex', 'm');
    await inQueue('m', 1);
    const session = await holder.call<number>('sessionId');
    await sql(url(), `select pg_terminate_backend(pid) from ${schema}.sessions where id = $1`, [session]);
    await until(() => holder.lost.includes(held.key), 'the holder told its lock was lost');
    const grant = await next;
    expect(grant.abandoned).toBe(true);
    // The lost lock cannot be released any more; the next operation opens a new session.
    await expect(holder.call('release', held.key)).rejects.toMatchObject({ code: 'ERROR_NOT_OWNER' });
    const again = holder.call<Grant>('acquire', 'mutex', 'm');
    await inQueue('m', 1);
    expect(await holder.call<number>('sessionId')).not.toBe(session);
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
    expect(await queued(url(), schema, 'auto')).toBe(1);
    await (await db.Event.open('auto')).set();
    await Promise.all(auto);
  });

  it('wait-all is atomic under contention: three processes, random wait-all/wait-any/acquire, no double holder', async () => {
    const mutexes = ['a', 'b', 'c'];
    for (const name of mutexes) await db.Mutex.create({ name });
    await db.Semaphore.create({ name: 's', initialCount: 2, maximumCount: 2 });
    await sql(
      url(),
      `create schema ${schema}_check; create table ${schema}_check.holders (name text primary key, n int not null default 0)`,
    );
    await sql(url(), `insert into ${schema}_check.holders (name) values ('a'), ('b'), ('c'), ('s')`);
    const procs = [await actor(), await actor(), await actor()];
    const results = await Promise.all(procs.map((p) => p.call<{ grants: number; violations: number }>('stress', 25, mutexes, 's', 2)));
    expect(results).toEqual([
      { grants: 25, violations: 0 },
      { grants: 25, violations: 0 },
      { grants: 25, violations: 0 },
    ]);
    const state = await db.list();
    expect(state.map((o) => [o.name, o.ownerSession, o.waiters, o.permitsHeld])).toEqual([
      ['a', null, 0, 0],
      ['b', null, 0, 0],
      ['c', null, 0, 0],
      ['s', null, 0, 0],
    ]);
    expect(state.find((o) => o.name === 's')?.count).toBe(2);
  });

  it('a holder that stops renewing its lease is told its lock is lost, and the waiter gets it abandoned', async () => {
    await db.Mutex.create({ name: 'm' });
    const holder = await actor({ lease: 600 });
    const waiter = await actor({ reapInterval: 100 });
    const held = await holder.call<Grant>('acquire', 'mutex', 'm');
    const next = waiter.call<Grant>('acquire', 'mutex', 'm');
    await inQueue('m', 1);
    // Frozen for five leases: it cannot renew, as a host cut off from the database.
    await holder.call('block', 3000);
    await until(() => holder.lost.includes(held.key), 'the holder told its lock was lost');
    const grant = await next;
    expect(grant.abandoned).toBe(true);
    expect(grant.fence).toBeGreaterThan(held.fence);
  });

  it('an idle connection and a wait with ref: false let the process exit; what it held is abandoned', async () => {
    const m = await db.Mutex.create({ name: 'm' });
    await db.Event.create({ name: 'never' });
    const script = new URL('../fixtures/postgres-exit.mjs', import.meta.url);
    const { stdout } = await promisify(execFile)(process.execPath, [script.pathname, url(), schema, 'm', 'never'], { timeout: 20_000 });
    expect(stdout.trim()).toBe('holding');
    const lock = await m.acquire({ timeout: 10_000 });
    expect(lock.abandoned).toBe(true);
    await lock.release();
  });

  it('a script that closes its connection at the end of top-level code completes the close and exits 0', async () => {
    const script = new URL('../fixtures/postgres-close.mjs', import.meta.url);
    const { stdout } = await promisify(execFile)(process.execPath, [script.pathname, url(), schema], { timeout: 20_000 });
    expect(stdout.trim()).toBe('closed');
    const [row] = await sql<{ n: string }>(url(), `select count(*) as n from ${schema}.sessions where label <> $1`, [`pid ${process.pid}`]);
    expect(row!.n).toBe('0');
  });
});
