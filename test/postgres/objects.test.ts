// The NT semantics of the objects, over a real PostgreSQL server, between two
// connections of this process (two sessions: two owners, as two hosts would be).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Mutex as LocalMutex } from '@waitables/async';
import { Win32Error } from '@waitables/core';
import {
  AbortError,
  connect,
  type Database,
  DatabaseClosedError,
  SCHEMA_VERSION,
  SchemaVersionError,
  TimeoutError,
  waitAll,
  waitAny,
} from '@waitables/postgres';
import { freshSchema, queued, sql, until, usePostgres } from './helpers.js';

const pgServer = usePostgres();
let schema: string;
let a: Database;
let b: Database;
let controller = new AbortController();

beforeEach(async () => {
  schema = freshSchema();
  a = await connect(pgServer.server.url, { schema });
  b = await connect(pgServer.server.url, { schema });
});
afterEach(async () => {
  await a.close();
  await b.close();
});

const inQueue = (name: string, n: number) =>
  until(async () => (await queued(pgServer.server.url, schema, name)) === n, `${n} waits queued on ${name}`);

async function rejectsWith(promise: Promise<unknown>, errno: number, syscall?: string): Promise<Win32Error> {
  const error = await promise.then(
    () => expect.unreachable('expected a Win32Error'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Win32Error);
  expect((error as Win32Error).errno).toBe(errno);
  if (syscall) expect((error as Win32Error).syscall).toBe(syscall);
  return error as Win32Error;
}

describe('mutex', () => {
  it('hands a released mutex to the oldest waiter, with a larger fencing token each time', async () => {
    const ma = await a.Mutex.create({ name: 'm' });
    const mb = await b.Mutex.open('m');
    const first = await ma.acquire();
    const order: string[] = [];
    const second = mb.acquire().then((l) => (order.push('b'), l));
    await inQueue('m', 1);
    const third = ma.acquire().then((l) => (order.push('a'), l));
    await inQueue('m', 2);
    await first.release();
    const l2 = await second;
    expect(order).toEqual(['b']);
    await l2.release();
    const l3 = await third;
    expect(order).toEqual(['b', 'a']);
    expect([first.fence, l2.fence, l3.fence]).toEqual([1, 2, 3]);
    await l3.release();
  });

  it('lets two acquires of one process exclude each other', async () => {
    const m = await a.Mutex.create({ name: 'm' });
    const one = await m.acquire();
    expect(await m.tryAcquire()).toBeNull();
    await one.release();
    const two = await m.tryAcquire();
    expect(two).not.toBeNull();
    await two!.release();
  });

  it('reports create of an existing name as existed, and another kind as ERROR_INVALID_HANDLE', async () => {
    expect((await a.Mutex.create({ name: 'x' })).existed).toBe(false);
    expect((await b.Mutex.create({ name: 'x' })).existed).toBe(true);
    await rejectsWith(b.Semaphore.create({ name: 'x', maximumCount: 1 }), 6, 'CreateSemaphore');
    await rejectsWith(b.Event.open('x'), 6, 'OpenEvent');
    await rejectsWith(b.Mutex.open('missing'), 2, 'OpenMutex');
  });

  it('gives the initial ownership of a new mutex as initialLock, and none to one that existed', async () => {
    const m = await a.Mutex.create({ name: 'owned', initialOwner: true });
    expect(m.initialLock).not.toBeNull();
    const again = await b.Mutex.create({ name: 'owned', initialOwner: true });
    expect(again.existed).toBe(true);
    expect(again.initialLock).toBeNull();
    expect(await again.tryAcquire()).toBeNull();
    await m.initialLock!.release();
    const lock = await again.tryAcquire();
    expect(lock?.fence).toBe(2);
    await lock!.release();
  });

  it('releases a lock once: a second release does nothing', async () => {
    const m = await a.Mutex.create({ name: 'm' });
    const lock = await m.acquire();
    await lock.release();
    await lock.release();
    expect(lock.released).toBe(true);
    const next = await m.tryAcquire();
    expect(next).not.toBeNull();
    await next!.release();
  });

  it('releases at the end of an `await using` block', async () => {
    const m = await a.Mutex.create({ name: 'm' });
    {
      await using lock = await m.acquire();
      expect(lock.released).toBe(false);
      expect(await m.tryAcquire()).toBeNull();
    }
    const after = await m.tryAcquire();
    expect(after).not.toBeNull();
    await after!.release();
  });
});

describe('callback forms', () => {
  it('runExclusive and run hold the object while fn runs and release it however fn ends', async () => {
    const m = await a.Mutex.create({ name: 'm' });
    const s = await a.Semaphore.create({ name: 's', initialCount: 1, maximumCount: 1 });
    expect(await m.runExclusive(async (lock) => ((await m.tryAcquire()) === null ? lock.fence : -1))).toBe(1);
    await expect(
      s.run(() => {
        throw new Error('fn failed');
      }),
    ).rejects.toThrow('fn failed');
    await expect(m.runExclusive('x' as never)).rejects.toThrow(/fn must be a function/);
    const state = await a.list();
    expect(state.map((o) => [o.name, o.ownerSession, o.count, o.permitsHeld])).toEqual([
      ['m', null, 0, 0],
      ['s', null, 1, 0],
    ]);
  });
});

describe('semaphore', () => {
  it('checks ERROR_TOO_MANY_POSTS in the transaction and changes nothing', async () => {
    const s = await a.Semaphore.create({ name: 's', initialCount: 1, maximumCount: 2 });
    expect(await s.release(1)).toBe(1);
    await rejectsWith(s.release(1), 298, 'ReleaseSemaphore');
    const listed = (await a.list()).find((o) => o.name === 's');
    expect(listed?.count).toBe(2);
  });

  it('grants units in FIFO order and returns a permit to the oldest waiter', async () => {
    const s = await a.Semaphore.create({ name: 's', initialCount: 1, maximumCount: 1 });
    const sb = await b.Semaphore.open('s');
    const held = await s.acquire();
    const order: number[] = [];
    const w1 = sb.acquire().then((p) => (order.push(1), p));
    await inQueue('s', 1);
    const w2 = s.acquire().then((p) => (order.push(2), p));
    await inQueue('s', 2);
    await held.release();
    await (await w1).release();
    await (await w2).release();
    expect(order).toEqual([1, 2]);
  });

  it('rejects bad counts with RangeError naming the option', async () => {
    await expect(a.Semaphore.create({ name: 's', maximumCount: 0 })).rejects.toThrow(/options\.maximumCount/);
    await expect(a.Semaphore.create({ name: 's', initialCount: 3, maximumCount: 2 })).rejects.toThrow(RangeError);
    const s = await a.Semaphore.create({ name: 's', maximumCount: 2 });
    await expect(s.release(0)).rejects.toThrow(/count must be an integer/);
  });
});

describe('event', () => {
  it('auto-reset: one set releases one waiter, the oldest', async () => {
    const e = await a.Event.create({ name: 'e' });
    const eb = await b.Event.open('e');
    const woken: number[] = [];
    const w1 = eb.wait().then(() => woken.push(1));
    await inQueue('e', 1);
    const w2 = e.wait().then(() => woken.push(2));
    await inQueue('e', 2);
    await e.set();
    await w1;
    expect(woken).toEqual([1]);
    expect(await queued(pgServer.server.url, schema, 'e')).toBe(1);
    await e.set();
    await w2;
    expect((await a.list()).find((o) => o.name === 'e')?.count).toBe(0);
  });

  it('manual-reset: set releases every waiter and stays set until reset', async () => {
    const e = await a.Event.create({ name: 'e', manualReset: true });
    const eb = await b.Event.open('e');
    const waits = [e.wait(), eb.wait(), eb.wait()];
    await inQueue('e', 3);
    await e.set();
    await Promise.all(waits);
    await eb.wait({ timeout: 0 });
    await e.reset();
    await expect(eb.wait({ timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
  });

  it('pulse releases the waits queued at that moment and leaves the event unset', async () => {
    const manual = await a.Event.create({ name: 'pm', manualReset: true });
    const auto = await a.Event.create({ name: 'pa' });
    const waits = [manual.wait(), manual.wait()];
    const autoWaits = [auto.wait(), auto.wait()];
    await inQueue('pm', 2);
    await inQueue('pa', 2);
    await manual.pulse();
    await auto.pulse();
    await Promise.all(waits);
    await autoWaits[0];
    expect(await queued(pgServer.server.url, schema, 'pa')).toBe(1);
    await expect(manual.wait({ timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
    // A pulse with no waiter leaves it unset too.
    await auto.set();
    await autoWaits[1];
    await auto.pulse();
    await expect(auto.wait({ timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
  });

  it('iterates signals, and break ends the iteration', async () => {
    const e = await a.Event.create({ name: 'e', initialState: true });
    const seen: number[] = [];
    for await (const n of e) {
      seen.push(n);
      if (n === 2) break;
      await e.set();
    }
    expect(seen).toEqual([1, 2]);
  });
});

describe('waitAny and waitAll', () => {
  it('waitAny takes the lowest index available and only that one', async () => {
    const e1 = await a.Event.create({ name: 'e1' });
    const e2 = await a.Event.create({ name: 'e2', initialState: true });
    const e3 = await a.Event.create({ name: 'e3', initialState: true });
    const result = await waitAny([e1, e2, e3]);
    expect(result.index).toBe(1);
    expect(result.object).toBe(e2);
    await e3.wait({ timeout: 0 });
  });

  it('a grant to a wait-any takes it out of the queues of its other objects', async () => {
    const m = await a.Mutex.create({ name: 'm' });
    const e = await a.Event.create({ name: 'e' });
    const held = await m.acquire();
    const any = waitAny([await b.Mutex.open('m'), await b.Event.open('e')]);
    await inQueue('m', 1);
    await e.set();
    const result = await any;
    expect(result.index).toBe(1);
    expect(result.lock).toBeNull();
    expect(await queued(pgServer.server.url, schema, 'm')).toBe(0);
    await held.release();
    expect((await a.list()).find((o) => o.name === 'm')?.ownerSession).toBeNull();
  });

  it('a queued wait-all holds nothing: others take its objects one by one meanwhile', async () => {
    const m1 = await a.Mutex.create({ name: 'm1' });
    const m2 = await a.Mutex.create({ name: 'm2' });
    const s = await a.Semaphore.create({ name: 's', initialCount: 1, maximumCount: 1 });
    const h2 = await m2.acquire();
    let done = false;
    const all = waitAll([await b.Mutex.open('m1'), await b.Mutex.open('m2'), await b.Semaphore.open('s')]).then((r) => ((done = true), r));
    await inQueue('m1', 1);
    // m1 and the unit are free: a wait-all does not take them one at a time.
    const h1 = await m1.acquire({ timeout: 0 });
    const unit = await s.acquire({ timeout: 0 });
    await h2.release();
    await h1.release();
    expect(done).toBe(false);
    expect(await queued(pgServer.server.url, schema, 's')).toBe(1);
    await unit.release();
    const result = await all;
    expect(result.locks).toHaveLength(2);
    expect(result.permits).toHaveLength(1);
    expect(result.abandoned).toBe(false);
    // Each object's token counts its grants: the wait-all's is the second of each.
    expect(result.fences).toEqual([2, 2, 2]);
    for (const held of [...result.locks, ...result.permits]) await held.release();
  });

  it('rejects a repeated object in a wait-all, an empty list, and objects of two connections', async () => {
    const m = await a.Mutex.create({ name: 'm' });
    const other = await b.Mutex.open('m');
    await expect(waitAll([m, m])).rejects.toThrow(/distinct objects/);
    await expect(waitAny([])).rejects.toThrow(RangeError);
    await expect(waitAny([m, other])).rejects.toThrow(/objects\[1\]/);
  });

  it('rejects a local object in a database wait with a clear TypeError', async () => {
    const m = await a.Mutex.create({ name: 'm' });
    const local = LocalMutex.create();
    await expect(waitAny([m, local as never])).rejects.toThrow(/objects\[1\] must be a @waitables\/postgres object/);
    local.close();
  });
});

describe('cancellation', () => {
  it('rejects at once for a signal aborted in advance, taking nothing', async () => {
    const m = await a.Mutex.create({ name: 'm' });
    const reason = new Error('no');
    const error = await m.acquire({ signal: AbortSignal.abort(reason) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toBe(reason);
    const lock = await m.tryAcquire();
    expect(lock).not.toBeNull();
    await lock!.release();
  });

  it('an abort while queued takes the wait out of the queue: the next waiter is served', async () => {
    const m = await a.Mutex.create({ name: 'm' });
    const held = await m.acquire();
    const controller = new AbortController();
    const aborted = (await b.Mutex.open('m')).acquire({ signal: controller.signal });
    await inQueue('m', 1);
    const next = m.acquire();
    await inQueue('m', 2);
    controller.abort();
    await expect(aborted).rejects.toBeInstanceOf(AbortError);
    expect(await queued(pgServer.server.url, schema, 'm')).toBe(1);
    await held.release();
    await (await next).release();
  });

  it('a timeout longer than a Node timer can hold does not fire early', async () => {
    const e = await a.Event.create({ name: 'e' });
    const waiting = e.wait({ timeout: 2 ** 32 });
    await inQueue('e', 1);
    await e.set();
    await waiting;
  });

  it('a timeout while queued rejects with TimeoutError and leaves no wait behind', async () => {
    const e = await a.Event.create({ name: 'e' });
    await expect(e.wait({ timeout: 30 })).rejects.toBeInstanceOf(TimeoutError);
    expect(await queued(pgServer.server.url, schema, 'e')).toBe(0);
  });

  it('an abort right after the call (whether before or after the database granted it) leaves every object as it was', async () => {
    const m = await a.Mutex.create({ name: 'm' });
    const s = await a.Semaphore.create({ name: 's', initialCount: 1, maximumCount: 1 });
    const e = await a.Event.create({ name: 'e', initialState: true });
    for (const take of [
      () => m.acquire({ signal: controller.signal }),
      () => s.acquire({ signal: controller.signal }),
      () => e.wait({ signal: controller.signal }),
    ]) {
      controller = new AbortController();
      const pending = take();
      controller.abort();
      await expect(pending).rejects.toBeInstanceOf(AbortError);
    }
    // Aborts at varied moments (in advance, during the round trip, after the grant): each
    // wait either resolves (and is given back here) or rejects, and nothing is lost.
    for (let delay = 0; delay < 12; delay++) {
      const takes = [
        () => m.acquire({ signal: controller.signal }).then((l) => l.release()),
        () => s.acquire({ signal: controller.signal }).then((p) => p.release()),
        () => e.wait({ signal: controller.signal }).then(() => e.set()),
      ];
      for (const take of takes) {
        controller = new AbortController();
        const pending = take().catch((error: unknown) => expect(error).toBeInstanceOf(AbortError));
        setTimeout(() => controller.abort(), delay % 4);
        await pending;
      }
    }
    const state = await a.list();
    expect(state.map((o) => [o.name, o.ownerSession, o.count, o.permitsHeld])).toEqual([
      ['e', null, 1, 0],
      ['m', null, 0, 0],
      ['s', null, 1, 0],
    ]);
  });

  it('an abort after the grant changes nothing', async () => {
    const s = await a.Semaphore.create({ name: 's', initialCount: 1, maximumCount: 1 });
    const controller = new AbortController();
    const permit = await s.acquire({ signal: controller.signal });
    controller.abort();
    expect(permit.released).toBe(false);
    expect(await s.tryAcquire()).toBeNull();
    await permit.release();
  });

  it('never loses a unit or a signal to 200 random aborts, timeouts and releases', async () => {
    const s = await a.Semaphore.create({ name: 's', initialCount: 2, maximumCount: 2 });
    const e = await a.Event.create({ name: 'e' });
    const sb = await b.Semaphore.open('s');
    const eb = await b.Event.open('e');
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) {
      const controller = new AbortController();
      const sem = i % 2 ? s : sb;
      work.push(
        sem.acquire({ signal: controller.signal, timeout: (i * 7) % 5 }).then(
          (p) => p.release(),
          () => undefined,
        ),
      );
      if (i % 3 === 0) controller.abort();
      if (i % 10 === 0)
        work.push(
          e.set(),
          (i % 20 ? e : eb).wait({ timeout: i % 4 }).catch(() => undefined),
        );
    }
    await Promise.all(work);
    const state = (await a.list()).filter((o) => o.name === 's' || o.name === 'e');
    expect(state.map((o) => [o.name, o.waiters, o.permitsHeld])).toEqual([
      ['e', 0, 0],
      ['s', 0, 0],
    ]);
    expect(state.find((o) => o.name === 's')?.count).toBe(2);
  });

  it('rejects invalid options with TypeError/RangeError naming the option', async () => {
    const m = await a.Mutex.create({ name: 'm' });
    for (const signal of [1, '', null, {}]) await expect(m.acquire({ signal: signal as never })).rejects.toThrow(/options\.signal/);
    await expect(m.acquire({ timeout: -1 })).rejects.toThrow(/options\.timeout/);
    await expect(m.acquire('x' as never)).rejects.toThrow(TypeError);
    await expect(a.Mutex.create({ name: '' })).rejects.toThrow(/options\.name/);
  });
});

describe('sessions and the schema', () => {
  it("durableCommits: a boolean; true keeps the server's synchronous_commit and works the same", async () => {
    await expect(connect(pgServer.server.url, { schema, durableCommits: 'yes' as never })).rejects.toThrow(/options\.durableCommits/);
    const durable = await connect(pgServer.server.url, { schema, durableCommits: true });
    const m = await durable.Mutex.open('m').catch(() => durable.Mutex.create({ name: 'm' }));
    const lock = await m.acquire({ timeout: 10_000 });
    expect(lock.fence).toBeGreaterThan(0);
    await lock.release();
    await durable.close();
  });

  it('close() rejects pending waits and releases what the session holds (not abandoned)', async () => {
    const c = await connect(pgServer.server.url, { schema });
    const m = await c.Mutex.create({ name: 'm' });
    const lock = await m.acquire();
    const waiting = (await c.Event.create({ name: 'e' })).wait().catch((e: unknown) => e);
    await inQueue('e', 1);
    await c.close();
    expect(await waiting).toBeInstanceOf(DatabaseClosedError);
    expect(lock.lost.aborted).toBe(true);
    const next = await (await a.Mutex.open('m')).acquire({ timeout: 0 });
    expect(next.abandoned).toBe(false);
    await next.release();
    await expect(m.acquire()).rejects.toBeInstanceOf(DatabaseClosedError);
  });

  it("a cut connection abandons the session's mutex to the next waiter and fires lost; the next call reconnects", async () => {
    const ma = await a.Mutex.create({ name: 'm' });
    const s = await a.Semaphore.create({ name: 's', initialCount: 1, maximumCount: 1 });
    const released = await ma.acquire();
    await released.release();
    const lock = await ma.acquire();
    const permit = await s.acquire();
    const lost = new Promise((resolve) => lock.lost.addEventListener('abort', () => resolve(lock.lost.reason), { once: true }));
    const waiter = (await b.Mutex.open('m')).acquire();
    const unitWaiter = (await b.Semaphore.open('s')).acquire();
    await inQueue('m', 1);
    const [row] = await sql<{ pid: number }>(pgServer.server.url, `select pid from ${schema}.sessions where id = $1`, [a.sessionId]);
    await sql(pgServer.server.url, 'select pg_terminate_backend($1)', [row!.pid]);
    expect(((await lost) as Error).name).toBe('SessionLostError');
    expect(permit.lost.aborted).toBe(true);
    // A lock released before the loss is not reported lost.
    expect(released.lost.aborted).toBe(false);
    const next = await waiter;
    expect(next.abandoned).toBe(true);
    await (await unitWaiter).release();
    await rejectsWith(lock.release(), 288, 'ReleaseMutex');
    await next.release();
    // Abandoned once: the grant after that one is normal.
    const again = await ma.acquire();
    expect(again.abandoned).toBe(false);
    expect([released.fence, lock.fence, next.fence, again.fence]).toEqual([1, 2, 3, 4]);
    await again.release();
  });

  it('migrates once when many connect at the same moment, and refuses a newer schema', async () => {
    const fresh = freshSchema();
    const dbs = await Promise.all([1, 2, 3, 4].map(() => connect(pgServer.server.url, { schema: fresh })));
    expect(await sql(pgServer.server.url, `select version from ${fresh}.meta`)).toEqual([{ version: SCHEMA_VERSION }]);
    await Promise.all(dbs.map((db) => db.close()));
    await sql(pgServer.server.url, `update ${fresh}.meta set version = 99`);
    await expect(connect(pgServer.server.url, { schema: fresh })).rejects.toBeInstanceOf(SchemaVersionError);
  });

  it('remove() deletes a free object, refuses one in use with ERROR_ACCESS_DENIED, and says false for a missing name', async () => {
    const m = await a.Mutex.create({ name: 'gone' });
    const lock = await m.acquire();
    await rejectsWith(b.remove('gone'), 5);
    await lock.release();
    expect(await b.remove('gone')).toBe(true);
    expect(await b.remove('gone')).toBe(false);
    await rejectsWith(a.Mutex.open('gone'), 2, 'OpenMutex');
    expect((await a.Mutex.create({ name: 'gone' })).existed).toBe(false);
  });

  it('rejects bad connect options with TypeError/RangeError naming the option', async () => {
    await expect(connect(pgServer.server.url, { schema: 'Bad-Name' })).rejects.toThrow(/options\.schema/);
    await expect(connect(pgServer.server.url, { lease: 5 })).rejects.toThrow(/options\.lease/);
    await expect(connect('')).rejects.toThrow(/url/);
  });
});
