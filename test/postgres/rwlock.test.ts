// The reader-writer lock (`db.RwLock`), on both engines (PostgreSQL, and the in-process
// one with the same semantics) between two connections, then across real processes on
// PostgreSQL: readers share, a writer excludes, one strictly FIFO queue (a reader behind
// a queued writer waits, so writers never starve), a fence for every grant, cancellation
// that drops no wake-up, kill -9 of a writer (abandoned) and of a reader (its share
// returned), and `lost` when the lease lapses. Hand-shakes on the queue, never sleeps.
import { getEventListeners } from 'node:events';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AbortError,
  connect,
  type Database,
  MemoryStore,
  type ReadLock,
  type RwLock,
  TimeoutError,
  waitAll,
  waitAny,
  type WriteLock,
} from '@waitables/postgres';
import { freshSchema, PgActor, sql, until, usePostgres } from './helpers.js';

const pgServer = usePostgres();
let stores = 0;

interface Engine {
  readonly name: string;
  /** A URL and options whose connections share one set of objects. */
  fresh(): { url: string; schema?: string };
  /** Ends a session as its process's death would: a writer's lock abandoned, a reader's share returned. */
  kill(db: Database, url: string, schema?: string): Promise<void>;
}

const engines: Engine[] = [
  {
    name: 'PostgreSQL',
    fresh: () => ({ url: pgServer.server.url, schema: freshSchema() }),
    kill: async (db, url, schema) => {
      await sql(url, `select pg_terminate_backend(pid) from ${schema}.sessions where id = $1`, [db.sessionId]);
      await until(() => db.sessionId === null, 'the session is gone');
    },
  },
  {
    name: 'the in-process engine',
    fresh: () => ({ url: `memory:rwlock-${process.pid}-${++stores}` }),
    kill: (db, url) => Promise.resolve(MemoryStore.named(url.slice('memory:'.length)).endSession(db.sessionId!, true)),
  },
];

/** The lock's state as `db.list()` gives it. */
async function stateOf(db: Database, name: string) {
  const state = (await db.list()).find((o) => o.name === name);
  if (!state) throw new Error(`no object ${name}`);
  return state;
}

describe.each(engines)('on $name', (engine) => {
  let url: string;
  let schema: string | undefined;
  let a: Database;
  let b: Database;
  let ra: RwLock;
  let rb: RwLock;

  beforeEach(async () => {
    ({ url, schema } = engine.fresh());
    a = await connect(url, schema ? { schema } : {});
    b = await connect(url, schema ? { schema } : {});
    ra = await a.RwLock.create({ name: 'rw' });
    rb = await b.RwLock.open('rw');
  });
  afterEach(async () => {
    await a.close();
    await b.close();
  });

  const inQueue = (n: number) => until(async () => (await stateOf(a, 'rw')).queue.length === n, `${n} waits queued on rw`);
  /** Each promise's settlement, in the order they settled. */
  const settledOrder = (entries: Record<string, Promise<unknown>>) => {
    const order: string[] = [];
    for (const [name, p] of Object.entries(entries))
      void p.then(
        () => order.push(name),
        () => undefined,
      );
    return order;
  };

  it('readers of two sessions hold it at once; no writer meanwhile; a writer once they are gone', async () => {
    const first = await ra.read();
    const second = await rb.read();
    expect(await ra.tryWrite()).toBeNull();
    const state = await stateOf(a, 'rw');
    expect(state).toMatchObject({ kind: 'rwlock', count: 2, ownerSession: null, permitsHeld: 2 });
    expect(state.holders.map((h) => [h.session, h.shared])).toEqual([
      [a.sessionId, true],
      [b.sessionId, true],
    ]);
    await first.release();
    expect(await rb.tryWrite()).toBeNull();
    await second.release();
    const writing = await rb.tryWrite();
    expect(writing).not.toBeNull();
    await writing!.release();
  });

  it('a writer excludes readers and writers, of other sessions and of its own', async () => {
    const writing = await ra.write();
    expect(await ra.tryRead()).toBeNull();
    expect(await rb.tryRead()).toBeNull();
    expect(await rb.tryWrite()).toBeNull();
    expect(await stateOf(b, 'rw')).toMatchObject({ count: 0, ownerSession: a.sessionId });
    const reading = rb.read();
    await inQueue(1);
    await writing.release();
    await (await reading).release();
  });

  it('FIFO: a reader that comes behind a queued writer waits behind it, though only readers hold the lock', async () => {
    const reader = await ra.read();
    const writer = rb.write();
    await inQueue(1);
    // Readers hold it, but a writer is queued: a newcomer reader does not overtake it.
    expect(await ra.tryRead()).toBeNull();
    const late = ra.read();
    await inQueue(2);
    const order = settledOrder({ writer, late });
    await reader.release();
    const w = await writer;
    expect(order).toEqual(['writer']);
    expect(await stateOf(a, 'rw')).toMatchObject({ ownerSession: b.sessionId, count: 0 });
    await w.release();
    await (await late).release();
    expect(order).toEqual(['writer', 'late']);
  });

  it('the readers at the head of the queue are granted together, up to the next writer; then that writer, then the readers behind it', async () => {
    const writing = await ra.write();
    const r1 = rb.read();
    await inQueue(1);
    const r2 = ra.read();
    await inQueue(2);
    const w2 = rb.write();
    await inQueue(3);
    const r3 = ra.read();
    await inQueue(4);
    const order = settledOrder({ r1, r2, w2, r3 });
    await writing.release();
    const [g1, g2] = await Promise.all([r1, r2]);
    await until(async () => (await stateOf(a, 'rw')).queue.length === 2, 'w2 and r3 still queued');
    expect(order.sort()).toEqual(['r1', 'r2']);
    expect(await stateOf(a, 'rw')).toMatchObject({ count: 2 });
    await g1.release();
    expect(order.length).toBe(2);
    await g2.release();
    const gw = await w2;
    expect(order).toContain('w2');
    expect(order).not.toContain('r3');
    await gw.release();
    await (await r3).release();
  });

  it('every grant gets a fence larger than all before it, readers’ shares included', async () => {
    const fences: number[] = [];
    const r1 = await ra.read();
    const r2 = await rb.read();
    fences.push(r1.fence, r2.fence);
    await r1.release();
    await r2.release();
    const w = await ra.write();
    fences.push(w.fence);
    const r3 = rb.read();
    await inQueue(1);
    await w.release();
    const g3 = await r3;
    fences.push(g3.fence);
    await g3.release();
    await ra.runWrite((x) => fences.push(x.fence));
    await rb.runRead((x) => fences.push(x.fence));
    expect(fences).toEqual([...fences].sort((x, y) => x - y));
    expect(new Set(fences).size).toBe(fences.length);
    expect((await stateOf(a, 'rw')).fence).toBe(fences.at(-1));
  });

  it('an aborted writer at the head of the queue lets the readers queued behind it in (no wake-up dropped)', async () => {
    const reader = await ra.read();
    const controller = new AbortController();
    const writer = rb.write({ signal: controller.signal });
    await inQueue(1);
    const behind = ra.read();
    await inQueue(2);
    controller.abort('changed my mind');
    await expect(writer).rejects.toBeInstanceOf(AbortError);
    const granted = await behind;
    expect(await stateOf(a, 'rw')).toMatchObject({ count: 2, queue: [] });
    await granted.release();
    await reader.release();
  });

  it('a queued reader that times out leaves the queue; an abort before the call sends nothing', async () => {
    const writing = await ra.write();
    await expect(rb.read({ timeout: 50 })).rejects.toBeInstanceOf(TimeoutError);
    await expect(rb.write({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    expect((await stateOf(a, 'rw')).queue).toEqual([]);
    await writing.release();
  });

  it('an abort in the instant the lock is handed over: the share or the lock granted then is given back, never kept, never lost', async () => {
    const writing = await ra.write();
    const forReader = new AbortController();
    const reading = rb.read({ signal: forReader.signal });
    await inQueue(1);
    // The release grants the queued reader while its abort is on its way: whichever the database sees first, nothing stays held.
    const readingRejects = expect(reading).rejects.toBeInstanceOf(AbortError);
    const released = writing.release();
    forReader.abort();
    await released;
    await readingRejects;
    expect(await stateOf(a, 'rw')).toMatchObject({ count: 0, ownerSession: null, holders: [], queue: [] });
    const share = await ra.read();
    const forWriter = new AbortController();
    const writer = rb.write({ signal: forWriter.signal });
    await inQueue(1);
    const writerRejects = expect(writer).rejects.toBeInstanceOf(AbortError);
    const given = share.release();
    forWriter.abort();
    await given;
    await writerRejects;
    expect(await stateOf(a, 'rw')).toMatchObject({ count: 0, ownerSession: null, holders: [], queue: [] });
    const after = await ra.tryWrite();
    expect(after).not.toBeNull();
    await after!.release();
  });

  it('invalid options reject with a TypeError naming them, before anything is sent', async () => {
    for (const signal of [1, '', Infinity, null, {}]) {
      await expect(ra.read({ signal } as never)).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
      await expect(ra.write({ signal } as never)).rejects.toThrow(/options\.signal/);
    }
    await expect(ra.read({ timeout: -1 })).rejects.toBeInstanceOf(RangeError);
    await expect(ra.write('soon' as never)).rejects.toThrow(/options/);
    expect(await stateOf(a, 'rw')).toMatchObject({ count: 0, fence: 0 });
  });

  it('an abort after the grant changes nothing, and no abort listener is left behind, granted at once, after queuing, or aborted', async () => {
    const granted = new AbortController();
    const reading = await ra.read({ signal: granted.signal });
    granted.abort();
    expect(reading.lost.aborted).toBe(false);
    expect(await stateOf(a, 'rw')).toMatchObject({ count: 1 });
    const queued = new AbortController();
    const writer = rb.write({ signal: queued.signal });
    await inQueue(1);
    const aborted = new AbortController();
    const late = rb.read({ signal: aborted.signal });
    await inQueue(2);
    aborted.abort();
    await expect(late).rejects.toBeInstanceOf(AbortError);
    await reading.release();
    const writing = await writer;
    for (const signal of [granted.signal, queued.signal, aborted.signal]) expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    await writing.release();
  });

  it('runRead and runWrite hold the lock while fn runs and let go however fn ends', async () => {
    const inside = await ra.runRead(async (reading) => {
      const other = await rb.tryRead();
      await other?.release();
      return { fence: reading.fence, otherReader: other !== null, writer: await rb.tryWrite() };
    });
    expect(inside).toMatchObject({ otherReader: true, writer: null });
    await expect(
      ra.runWrite(async () => {
        expect(await rb.tryRead()).toBeNull();
        throw new Error('fn failed');
      }),
    ).rejects.toThrow('fn failed');
    expect(await stateOf(a, 'rw')).toMatchObject({ count: 0, ownerSession: null, holders: [] });
  });

  it('a cancellation storm: random reads and writes of two sessions, a third of them aborted while queued; never a writer beside anyone, and the state is exact at the end', async () => {
    let readers = 0;
    let writers = 0;
    let violations = 0;
    let granted = 0;
    const one = async (lock: RwLock, i: number) => {
      const write = i % 3 === 0;
      const controller = new AbortController();
      if (i % 4 === 1) setTimeout(() => controller.abort(), i % 7);
      let holding: ReadLock | WriteLock;
      try {
        holding = await (write ? lock.write({ signal: controller.signal }) : lock.read({ signal: controller.signal }));
      } catch (error) {
        expect(error).toBeInstanceOf(AbortError);
        return;
      }
      granted++;
      if (write) writers++;
      else readers++;
      if (writers > 1 || (writers === 1 && readers > 0)) violations++;
      await new Promise((resolve) => setTimeout(resolve, i % 5));
      if (write) writers--;
      else readers--;
      await holding.release();
    };
    await Promise.all(Array.from({ length: 60 }, (_, i) => one(i % 2 ? ra : rb, i)));
    expect(violations).toBe(0);
    expect(granted).toBeGreaterThan(0);
    expect(await stateOf(a, 'rw')).toMatchObject({ count: 0, ownerSession: null, permitsHeld: 0, waiters: 0, holders: [], queue: [] });
    const last = await ra.tryWrite();
    expect(last).not.toBeNull();
    await last!.release();
  });

  it('list() shows the holders and the queue, each with its age', async () => {
    const writing = await ra.write();
    const reading = rb.read();
    await inQueue(1);
    await until(async () => (await stateOf(a, 'rw')).queue[0]!.waitedMs >= 30, 'the reader waited 30 ms');
    const state = await stateOf(a, 'rw');
    expect(state.holders).toEqual([{ session: a.sessionId, shared: false, heldMs: expect.any(Number) as number }]);
    expect(state.holders[0]!.heldMs).toBeGreaterThanOrEqual(state.queue[0]!.waitedMs);
    expect(state.queue).toEqual([{ session: b.sessionId, shared: true, waitedMs: expect.any(Number) as number, objects: 1 }]);
    await writing.release();
    await (await reading).release();
  });

  it('a writer’s session that ends holding it: readers and the next writer are told abandoned, then nobody', async () => {
    await ra.write();
    const reader = rb.read();
    await inQueue(1);
    await engine.kill(a, url, schema);
    const r1 = await reader;
    expect(r1.abandoned).toBe(true);
    const r2 = await rb.read();
    expect(r2.abandoned).toBe(true); // no writer has repaired it yet
    await r1.release();
    await r2.release();
    const repair = await rb.write();
    expect(repair.abandoned).toBe(true);
    await repair.release();
    const after = await rb.read();
    expect(after.abandoned).toBe(false);
    await after.release();
  });

  it('a reader’s session that ends returns its share: the queued writer gets the lock, not abandoned', async () => {
    await ra.read();
    const writer = rb.write();
    await inQueue(1);
    await engine.kill(a, url, schema);
    const w = await writer;
    expect(w.abandoned).toBe(false);
    expect(await stateOf(b, 'rw')).toMatchObject({ count: 0, permitsHeld: 0 });
    await w.release();
  });

  it('waitAny and waitAll refuse a reader-writer lock with a TypeError (read() or write() say the mode)', async () => {
    const m = await a.Mutex.create({ name: 'm' });
    await expect(waitAny([m, ra])).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    await expect(waitAll([ra])).rejects.toBeInstanceOf(TypeError);
    await expect(a.Mutex.open('rw')).rejects.toMatchObject({ errno: 6 });
  });
});

describe('across processes (PostgreSQL)', () => {
  let schema: string;
  let db: Database;
  const actors: PgActor[] = [];
  const url = () => pgServer.server.url;
  const actor = async (options: object = {}) => {
    const started = await PgActor.start(url(), schema, options);
    actors.push(started);
    return started;
  };
  const inQueue = (n: number) => until(async () => (await stateOf(db, 'rw')).queue.length === n, `${n} waits queued on rw`);

  beforeEach(async () => {
    schema = freshSchema();
    db = await connect(url(), { schema });
    await db.RwLock.create({ name: 'rw' });
  });
  afterEach(async () => {
    await Promise.all(actors.splice(0).map((a) => a.stop()));
    await db.close();
  });

  interface Grant {
    key: number;
    fence: number;
    abandoned: boolean;
  }

  it('kill -9 of the writer: the readers queued in two other processes are granted together, told abandoned', async () => {
    const [writer, r1, r2] = [await actor(), await actor(), await actor()];
    const held = await writer.call<Grant>('rw', 'write', 'rw');
    const first = r1.call<Grant>('rw', 'read', 'rw');
    await inQueue(1);
    const second = r2.call<Grant>('rw', 'read', 'rw');
    await inQueue(2);
    await writer.kill();
    const grants = await Promise.all([first, second]);
    expect(grants.map((g) => g.abandoned)).toEqual([true, true]);
    expect(Math.min(...grants.map((g) => g.fence))).toBeGreaterThan(held.fence);
    expect(await stateOf(db, 'rw')).toMatchObject({ count: 2, ownerSession: null });
  });

  it('kill -9 of one of two readers: its share is returned, and the writer queued in a third process gets the lock once the other reader releases', async () => {
    const [dying, living, writer] = [await actor(), await actor(), await actor()];
    await dying.call<Grant>('rw', 'read', 'rw');
    const kept = await living.call<Grant>('rw', 'read', 'rw');
    const next = writer.call<Grant>('rw', 'write', 'rw');
    await inQueue(1);
    await dying.kill();
    await until(async () => (await stateOf(db, 'rw')).count === 1, 'the dead reader’s share is returned');
    expect((await stateOf(db, 'rw')).queue.length).toBe(1);
    await living.call('release', kept.key);
    const grant = await next;
    expect(grant.abandoned).toBe(false);
    expect(grant.fence).toBeGreaterThan(kept.fence);
  });

  it('no transition of a reader-writer lock takes the schema lock or another object’s row: read, queued write, abort, release go on while a transaction holds both', async () => {
    const other = await db.RwLock.create({ name: 'other' });
    const rw = await db.RwLock.open('rw');
    const second = await connect(url(), { schema });
    const blocker = new pg.Client({ connectionString: url() });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query(`select ${schema}.serialize()`);
      await blocker.query(`select 1 from ${schema}.objects where name = 'other' for update`);
      const reading = await rw.read();
      const controller = new AbortController();
      const writer = (await second.RwLock.open('rw')).write({ signal: controller.signal });
      await inQueue(1);
      const behind = rw.read();
      await inQueue(2);
      controller.abort();
      await expect(writer).rejects.toBeInstanceOf(AbortError);
      await (await behind).release();
      await reading.release();
      // The other lock's row is held: its transition waits in the server until the transaction ends.
      const onOther = other.write();
      await until(
        async () =>
          (await sql(url(), "select 1 from pg_stat_activity where application_name = 'waitables' and wait_event_type = 'Lock'")).length > 0,
        'the write on the other lock waiting for its row',
      );
      await blocker.query('commit');
      await (await onOther).release();
    } finally {
      await blocker.end();
      await second.close();
    }
  });

  it('a reader whose lease lapses (its event loop frozen) is told lost, and the queued writer gets the lock', async () => {
    const reader = await actor({ lease: 600 });
    const writer = await actor({ reapInterval: 100 });
    const held = await reader.call<Grant>('rw', 'read', 'rw');
    const next = writer.call<Grant>('rw', 'write', 'rw');
    await inQueue(1);
    await reader.call('block', 3000);
    await until(() => reader.lost.includes(held.key), 'the reader told its share was lost');
    const grant = await next;
    expect(grant.abandoned).toBe(false);
    await expect(reader.call('release', held.key)).rejects.toMatchObject({ errorName: 'SessionLostError' });
  });
});
