// A server restart cuts every session: every lock and permit is `lost`, every queued
// wait rejects, and the objects come back afterwards with the abandonment reported.
import { afterEach, expect, it } from 'vitest';
import { connect, type Database, SessionLostError } from '@waitables/postgres';
import { freshSchema, queued, until, usePostgres } from './helpers.js';

const pgServer = usePostgres();
const dbs: Database[] = [];
afterEach(async () => {
  await Promise.all(dbs.splice(0).map((db) => db.close()));
});

it('a server restart: every lock is lost, waits reject, then the objects recover with the mutex abandoned', async () => {
  const schema = freshSchema();
  const a = await connect(pgServer.server.url, { schema });
  const b = await connect(pgServer.server.url, { schema });
  dbs.push(a, b);
  const m = await a.Mutex.create({ name: 'm' });
  const s = await a.Semaphore.create({ name: 's', initialCount: 1, maximumCount: 1 });
  const lock = await m.acquire();
  const permit = await s.acquire();
  const waiting = (await b.Mutex.open('m')).acquire().catch((e: unknown) => e);
  await until(async () => (await queued(pgServer.server.url, schema, 'm')) === 1, 'a wait queued on m');

  pgServer.server.restart();

  expect(await waiting).toBeInstanceOf(SessionLostError);
  await until(() => lock.lost.aborted && permit.lost.aborted, 'the lock and the permit reported lost');
  expect(lock.lost.reason).toBeInstanceOf(SessionLostError);
  await expect(lock.release()).rejects.toMatchObject({ code: 'ERROR_NOT_OWNER' });
  await expect(permit.release()).rejects.toBeInstanceOf(SessionLostError);

  // Recovery: the next calls open new sessions, which end the old ones.
  const after = await (await b.Mutex.open('m')).acquire({ timeout: 10_000 });
  expect(after.abandoned).toBe(true);
  expect(after.fence).toBeGreaterThan(lock.fence);
  const unit = await s.acquire({ timeout: 10_000 });
  await unit.release();
  await after.release();
  const state = (await a.list()).map((o) => [o.name, o.ownerSession, o.count, o.permitsHeld]);
  expect(state).toEqual([
    ['m', null, 0, 0],
    ['s', null, 1, 0],
  ]);
});
