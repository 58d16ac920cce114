// Objects in parallel: a transition on one object never waits for a transaction on
// another (a lock per object), and transitions that take several objects in any order
// never deadlock (one global order). Hand-shakes through pg_stat_activity, no sleeps.
import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { connect, type Database, type Mutex, waitAll, waitAny } from '@waitables/postgres';
import { freshSchema, sql, until, usePostgres } from './helpers.js';

const pgServer = usePostgres();
let schema: string;
let dbs: Database[];
let blocker: pg.Client;

beforeEach(async () => {
  schema = freshSchema();
  dbs = [];
  for (let i = 0; i < 4; i++) dbs.push(await connect(pgServer.server.url, { schema }));
  blocker = new pg.Client({ connectionString: pgServer.server.url });
  await blocker.connect();
});
afterEach(async () => {
  await blocker.end();
  for (const db of dbs) await db.close();
});

/** A backend of ours is blocked on a lock (the transition is really waiting in the server). */
const blockedOnLock = () =>
  until(
    async () =>
      (await sql(pgServer.server.url, "select 1 from pg_stat_activity where application_name = 'waitables' and wait_event_type = 'Lock'"))
        .length > 0,
    'a transition waiting for a lock',
  );

it('a transition on one mutex goes on while a transaction holds another mutex’s row; that one waits for it', async () => {
  const [a, b] = [await dbs[0]!.Mutex.create({ name: 'a' }), await dbs[1]!.Mutex.create({ name: 'b' })];
  await blocker.query('begin');
  await blocker.query(`select 1 from ${schema}.objects where name = 'a' for update`);
  // b is not held up by a's row.
  await (await b.acquire()).release();
  const onA = a.acquire();
  await blockedOnLock();
  await blocker.query('commit');
  await (await onA).release();
});

it('single-object transitions go on while a multi-object transition holds the schema lock', async () => {
  const [a, b] = [await dbs[0]!.Mutex.create({ name: 'a' }), await dbs[1]!.Mutex.create({ name: 'b' })];
  const held = await a.acquire();
  await blocker.query('begin');
  await blocker.query(`select ${schema}.serialize()`);
  // Neither b's acquire and release nor a's release (nobody waits on it with others) need it.
  await (await b.acquire()).release();
  await held.release();
  // A wait-all does need it: it waits until the schema lock is free.
  const all = dbs[2]!.waitAll([await dbs[2]!.Mutex.open('a'), await dbs[2]!.Mutex.open('b')]);
  await blockedOnLock();
  await blocker.query('commit');
  for (const lock of (await all).locks) await lock.release();
});

it('a release where a wait-all queued meanwhile is repeated under the schema lock and grants the wait-all', async () => {
  const [a, b] = [await dbs[0]!.Mutex.create({ name: 'a' }), await dbs[0]!.Mutex.create({ name: 'b' })];
  const heldA = await a.acquire();
  const heldB = await b.acquire();
  const all = waitAll([await dbs[1]!.Mutex.open('a'), await dbs[1]!.Mutex.open('b')]);
  await until(
    async () => (await sql<{ multi: number }>(pgServer.server.url, `select multi from ${schema}.objects where name = 'a'`))[0]!.multi === 1,
    'the wait-all counted on a',
  );
  await heldA.release();
  await heldB.release();
  const result = await all;
  expect(result.locks.map((l) => l.abandoned)).toEqual([false, false]);
  for (const lock of result.locks) await lock.release();
  const rows = await sql<{ multi: number }>(pgServer.server.url, `select multi from ${schema}.objects order by name`);
  expect(rows.map((r) => r.multi)).toEqual([0, 0]);
});

it('four connections taking overlapping mutexes in random orders (wait-all, wait-any, one by one in id order) never deadlock nor share a mutex', async () => {
  const names = ['m0', 'm1', 'm2', 'm3', 'm4'];
  for (const name of names) await dbs[0]!.Mutex.create({ name });
  const mine: Mutex[][] = [];
  for (const db of dbs) mine.push(await Promise.all(names.map((n) => db.Mutex.open(n))));
  const inside = new Set<string>();
  let seed = 7;
  const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const enter = (held: string[]) => {
    for (const name of held) {
      expect(inside.has(name)).toBe(false);
      inside.add(name);
    }
  };
  // Inside for a turn of the event loop, so that the other connections' grants can arrive meanwhile.
  const leave = async (held: string[]) => {
    await new Promise((resolve) => setImmediate(resolve));
    held.forEach((name) => inside.delete(name));
  };
  await Promise.all(
    dbs.map(async (_, who) => {
      for (let round = 0; round < 40; round++) {
        const picks = [...new Set([random(5), random(5), random(5)])];
        const objects = picks.map((i) => mine[who]![i]!);
        const kind = random(3);
        if (kind === 0) {
          const { locks } = await waitAll(objects);
          enter(picks.map((i) => names[i]!));
          await leave(picks.map((i) => names[i]!));
          for (const lock of locks) await lock.release();
        } else if (kind === 1) {
          const { index, lock } = await waitAny(objects);
          enter([names[picks[index]!]!]);
          await leave([names[picks[index]!]!]);
          await lock?.release();
        } else {
          const sorted = [...picks].sort();
          const locks = [];
          for (const i of sorted) locks.push(await mine[who]![i]!.acquire());
          enter(sorted.map((i) => names[i]!));
          await leave(sorted.map((i) => names[i]!));
          for (const lock of locks.reverse()) await lock.release();
        }
      }
    }),
  );
  const rows = await sql<{ owner_grant: string | null; multi: number }>(
    pgServer.server.url,
    `select owner_grant, multi from ${schema}.objects`,
  );
  expect(rows.every((r) => r.owner_grant === null && r.multi === 0)).toBe(true);
  expect(await sql(pgServer.server.url, `select 1 from ${schema}.waits`)).toEqual([]);
});
