// The objects of @waitables/postgres on an etcd cluster, in one process: the same
// semantics as on PostgreSQL (exclusion, FIFO, fences, events, wait-any, wait-all,
// cancellation, errors), through the etcd engine.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotSupportedError } from '@waitables/common';
import { AbortError, connect, type Database, TimeoutError } from '@waitables/postgres';
import { freshPrefix, queued, until, useEtcd } from './helpers.js';

const etcd = useEtcd();
let schema: string;
let db: Database;
const others: Database[] = [];

async function another(): Promise<Database> {
  const opened = await connect(etcd.cluster.url, { schema });
  others.push(opened);
  return opened;
}

beforeEach(async () => {
  schema = freshPrefix();
  db = await connect(etcd.cluster.url, { schema });
});
afterEach(async () => {
  await Promise.all(others.splice(0).map((o) => o.close()));
  await db.close();
});

const inQueue = (name: string, n: number) => until(async () => (await queued(db, name)) === n, `${n} waits queued on ${name}`);

describe('a mutex on etcd', () => {
  it('is held by one session at a time; the next grant has a larger fence', async () => {
    const m = await db.Mutex.create({ name: 'm' });
    const other = await another();
    const first = await m.acquire();
    expect(await (await other.Mutex.open('m')).tryAcquire()).toBeNull();
    const next = (await other.Mutex.open('m')).acquire();
    await inQueue('m', 1);
    await first.release();
    const second = await next;
    expect(second.fence).toBeGreaterThan(first.fence);
    expect(second.abandoned).toBe(false);
    await second.release();
    // Released twice: the second does nothing (as everywhere in the package).
    await second.release();
    expect((await db.list()).find((o) => o.name === 'm')?.ownerSession).toBeNull();
  });

  it('serves waiters of several sessions in the order they queued', async () => {
    const m = await db.Mutex.create({ name: 'm' });
    const held = await m.acquire();
    const order: number[] = [];
    const sessions = [await another(), await another(), await another()];
    const pending: Promise<void>[] = [];
    for (const [i, s] of sessions.entries()) {
      const mine = await s.Mutex.open('m');
      pending.push(
        mine.acquire().then(async (lock) => {
          order.push(i);
          await lock.release();
        }),
      );
      await inQueue('m', i + 1);
    }
    await held.release();
    await Promise.all(pending);
    expect(order).toEqual([0, 1, 2]);
  });

  it('created with initialOwner is owned at once; another create opens it (existed)', async () => {
    const m = await db.Mutex.create({ name: 'm', initialOwner: true });
    expect(m.existed).toBe(false);
    const again = await db.Mutex.create({ name: 'm' });
    expect(again.existed).toBe(true);
    expect((await db.list()).find((o) => o.name === 'm')?.ownerSession).toBe(db.sessionId);
    await expect(db.Event.open('m')).rejects.toMatchObject({ code: 'ERROR_INVALID_HANDLE' });
    await expect(db.Mutex.open('none')).rejects.toMatchObject({ code: 'ERROR_FILE_NOT_FOUND' });
  });
});

describe('holding helpers on etcd', () => {
  it('await using releases at the end of the block; runExclusive and run release however fn ends', async () => {
    const m = await db.Mutex.create({ name: 'm' });
    const s = await db.Semaphore.create({ name: 's', initialCount: 1, maximumCount: 1 });
    {
      await using lock = await m.acquire();
      expect((await db.list()).find((o) => o.name === 'm')?.ownerSession).toBe(db.sessionId);
      expect(lock.released).toBe(false);
    }
    expect((await db.list()).find((o) => o.name === 'm')?.ownerSession).toBeNull();
    expect(await m.runExclusive((lock) => lock.fence)).toBeGreaterThan(0);
    await expect(
      s.run(() => {
        throw new Error('inside');
      }),
    ).rejects.toThrow('inside');
    expect((await db.list()).find((o) => o.name === 's')).toMatchObject({ count: 1, permitsHeld: 0 });
  });
});

describe('cancellation on etcd', () => {
  it('abort while queued: rejects with AbortError, leaves the queue, and the next waiter is served', async () => {
    const m = await db.Mutex.create({ name: 'm' });
    const held = await m.acquire();
    const other = await another();
    const controller = new AbortController();
    const aborted = (await other.Mutex.open('m')).acquire({ signal: controller.signal });
    await inQueue('m', 1);
    controller.abort(new Error('changed my mind'));
    await expect(aborted).rejects.toBeInstanceOf(AbortError);
    await inQueue('m', 0);
    const next = (await other.Mutex.open('m')).acquire();
    await held.release();
    await (await next).release();
  });

  it('abort in advance rejects before anything is queued; a timeout rejects with TimeoutError', async () => {
    const m = await db.Mutex.create({ name: 'm' });
    await expect(m.acquire({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    const held = await m.acquire();
    const other = await another();
    await expect((await other.Mutex.open('m')).acquire({ timeout: 200 })).rejects.toBeInstanceOf(TimeoutError);
    await expect((await other.Mutex.open('m')).acquire({ timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
    expect(await queued(db, 'm')).toBe(0);
    await held.release();
  });
});

describe('a semaphore on etcd', () => {
  it('hands out at most its count, queues the rest in order, and release() returns the count before', async () => {
    const s = await db.Semaphore.create({ name: 's', initialCount: 2, maximumCount: 3 });
    const a = await s.acquire();
    const b = await s.acquire();
    expect(await s.tryAcquire()).toBeNull();
    const other = await another();
    const next = (await other.Semaphore.open('s')).acquire();
    await inQueue('s', 1);
    await a.release();
    const c = await next;
    expect(c.fence).toBeGreaterThan(b.fence);
    expect(await s.release(1)).toBe(0);
    await expect(s.release(3)).rejects.toMatchObject({ code: 'ERROR_TOO_MANY_POSTS' });
    await b.release();
    await c.release();
    expect((await db.list()).find((o) => o.name === 's')).toMatchObject({ count: 3, permitsHeld: 0, waiters: 0 });
  });
});

describe('an event on etcd', () => {
  it('auto-reset wakes one waiter per set; manual-reset wakes all and stays set; pulse wakes the queued only', async () => {
    const auto = await db.Event.create({ name: 'auto' });
    const manual = await db.Event.create({ name: 'manual', manualReset: true });
    const other = await another();
    const w1 = (await other.Event.open('auto')).wait();
    const w2 = (await other.Event.open('auto')).wait();
    await inQueue('auto', 2);
    await auto.set();
    await Promise.race([w1, w2]);
    expect(await queued(db, 'auto')).toBe(1);
    await auto.set();
    await Promise.all([w1, w2]);
    expect((await db.list()).find((o) => o.name === 'auto')?.count).toBe(0);

    const m1 = (await other.Event.open('manual')).wait();
    const m2 = (await other.Event.open('manual')).wait();
    await inQueue('manual', 2);
    await manual.set();
    await Promise.all([m1, m2]);
    await manual.wait({ timeout: 0 });
    await manual.reset();
    const p = (await other.Event.open('manual')).wait();
    await inQueue('manual', 1);
    await manual.pulse();
    await p;
    await expect(manual.wait({ timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
  });
});

describe('waitAny and waitAll on etcd', () => {
  it('waitAny takes the first available; a queued wait-any granted on one object leaves the other queues', async () => {
    const a = await db.Mutex.create({ name: 'a' });
    const b = await db.Mutex.create({ name: 'b' });
    const ha = await a.acquire();
    const any = await db.waitAny([a, b]);
    expect(any.index).toBe(1);
    const other = await another();
    const queuedAny = other.waitAny([await other.Mutex.open('a'), await other.Mutex.open('b')]);
    await inQueue('a', 1);
    await inQueue('b', 1);
    await any.lock!.release();
    const got = await queuedAny;
    expect(got.index).toBe(1);
    expect(await queued(db, 'a')).toBe(0);
    await got.lock!.release();
    await ha.release();
  });

  it('waitAll takes every object in one step or none: a partly available set takes nothing', async () => {
    const a = await db.Mutex.create({ name: 'a' });
    const s = await db.Semaphore.create({ name: 's', initialCount: 1, maximumCount: 1 });
    const other = await another();
    const oa = await other.Mutex.open('a');
    const held = await oa.acquire();
    const all = db.waitAll([a, s]);
    await inQueue('a', 1);
    // The semaphore stays available while the wait-all waits for the mutex.
    const unit = await (await other.Semaphore.open('s')).acquire({ timeout: 0 });
    await unit.release();
    await held.release();
    const result = await all;
    expect(result.locks).toHaveLength(1);
    expect(result.permits).toHaveLength(1);
    expect(result.fences[0]).toBe(result.fences[1]);
    for (const l of result.locks) await l.release();
    for (const p of result.permits) await p.release();
  });
});

describe('removal and listing on etcd', () => {
  it('remove refuses a held object and removes a free one; a stale handle is then invalid', async () => {
    const m = await db.Mutex.create({ name: 'm' });
    const lock = await m.acquire();
    await expect(db.remove('m')).rejects.toMatchObject({ code: 'ERROR_ACCESS_DENIED' });
    await lock.release();
    expect(await db.remove('m')).toBe(true);
    expect(await db.remove('m')).toBe(false);
    await db.Mutex.create({ name: 'm' });
    await expect(m.acquire()).rejects.toMatchObject({ code: 'ERROR_INVALID_HANDLE' });
  });
});

describe('what etcd does not have', () => {
  it('list() gives holders and waiters with their ages; a reader-writer lock is refused with NotSupportedError', async () => {
    const m = await db.Mutex.create({ name: 'listed' });
    const lock = await m.acquire();
    const other = await another();
    {
      const waiting = (await other.Mutex.open('listed')).acquire();
      await inQueue('listed', 1);
      const state = (await db.list()).find((o) => o.name === 'listed')!;
      expect(state.holders.map((h) => [h.session, h.shared])).toEqual([[db.sessionId, false]]);
      expect(state.queue.map((w) => [w.session, w.shared, w.objects])).toEqual([[other.sessionId, false, 1]]);
      expect(state.holders[0]!.heldMs).toBeGreaterThanOrEqual(0);
      expect(state.queue[0]!.waitedMs).toBeGreaterThanOrEqual(0);
      await lock.release();
      await (await waiting).release();
    }
    await expect(db.RwLock.create({ name: 'rw' })).rejects.toBeInstanceOf(NotSupportedError);
    await expect(db.RwLock.open('rw')).rejects.toBeInstanceOf(NotSupportedError);
  });
});
