// Migrations at connect, from schemas made by the packages that shipped before:
// layout 1 (one schema lock) with a wait-all queued: the queued wait is counted on its
// objects (layout 2's per-object locks); layout 2 with a mutex owned and a wait queued:
// they get ages (layout 3) and reader-writer locks can be made. In both, the new
// functions end the old session (its backend holds the same lock key) like any other.
import pg from 'pg';
import { expect, it } from 'vitest';
import { connect, SCHEMA_VERSION } from '@waitables/postgres';
import { protocolV1, schemaV1 } from '../../bench/lib/pg-layout1.mjs';
import { protocolV2, schemaV1 as schemaV1Of2, schemaV2 } from '../fixtures/pg-layout2.mjs';
import { freshSchema, sql, usePostgres } from './helpers.js';

const pgServer = usePostgres();

/** The schema's advisory lock key, as the package computes it (FNV-1a of 'waitables:<schema>', 31 bits). */
function lockKey(schema: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(`waitables:${schema}`)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash & 0x7fffffff || 1;
}

it('a layout 1 schema with a wait-all queued is migrated at connect: the wait is counted on both objects; when its session ends, the mutexes are abandoned and the counts go back to 0', async () => {
  const schema = freshSchema();
  const old = new pg.Client({ connectionString: pgServer.server.url });
  await old.connect();
  try {
    await old.query(`create schema ${schema}`);
    await old.query(`create table ${schema}.meta (version int not null); insert into ${schema}.meta values (1)`);
    await old.query(schemaV1(schema) + protocolV1(schema, lockKey(schema)));
    // An old session (its backend: this connection) owns a and b and waits for both with a wait-all.
    const session = (await old.query<{ id: number }>(`select ${schema}.open_session(60000, 'old') as id`)).rows[0]!.id;
    await old.query(`select * from ${schema}.create_object($1, 'a', 'mutex', 0, 1, false, true)`, [session]);
    await old.query(`select * from ${schema}.create_object($1, 'b', 'mutex', 0, 1, false, true)`, [session]);
    const ids = (await old.query<{ id: string }>(`select id from ${schema}.objects order by name`)).rows.map((r) => r.id);
    const queued = await old.query<{ r_wait: string; r_index: number | null }>(`select * from ${schema}.wait($1, $2, true, true)`, [
      session,
      ids,
    ]);
    expect(queued.rows[0]!.r_index).toBeNull();

    const db = await connect(pgServer.server.url, { schema });
    try {
      expect(await sql(pgServer.server.url, `select version from ${schema}.meta`)).toEqual([{ version: SCHEMA_VERSION }]);
      const multi = await sql<{ multi: number }>(pgServer.server.url, `select multi from ${schema}.objects order by name`);
      expect(multi.map((r) => r.multi)).toEqual([1, 1]);
      // The old session's connection ends: its wait goes with it, and the mutexes it owned are abandoned.
      await old.end();
      const lock = await (await db.Mutex.open('a')).acquire();
      expect(lock.abandoned).toBe(true);
      await lock.release();
      const after = await sql<{ multi: number }>(pgServer.server.url, `select multi from ${schema}.objects order by name`);
      expect(after.map((r) => r.multi)).toEqual([0, 0]);
    } finally {
      await db.close();
    }
  } finally {
    await old.end().catch(() => undefined);
  }
});

it('a layout 2 schema with a mutex owned and a wait queued is migrated to layout 3 at connect: list() gives their ages, reader-writer locks can be made, and the old session still ends as any other', async () => {
  const schema = freshSchema();
  const old = new pg.Client({ connectionString: pgServer.server.url });
  await old.connect();
  try {
    await old.query(`create schema ${schema}`);
    await old.query(`create table ${schema}.meta (version int not null); insert into ${schema}.meta values (2)`);
    await old.query(schemaV1Of2(schema) + schemaV2(schema) + protocolV2(schema, lockKey(schema)));
    const session = (await old.query<{ id: number }>(`select ${schema}.open_session(60000, 'old') as id`)).rows[0]!.id;
    await old.query(`select * from ${schema}.create_object($1, 'm', 'mutex', 0, 1, false, true)`, [session]);
    await old.query(`select * from ${schema}.create_object($1, 'e', 'event', 0, 1, false, false)`, [session]);
    const [event] = (await old.query<{ id: string }>(`select id from ${schema}.objects where name = 'e'`)).rows;
    await old.query(`select * from ${schema}.wait($1, $2, false, true, false)`, [session, [event!.id]]);

    const db = await connect(pgServer.server.url, { schema });
    try {
      expect(await sql(pgServer.server.url, `select version from ${schema}.meta`)).toEqual([{ version: SCHEMA_VERSION }]);
      expect(SCHEMA_VERSION).toBe(3);
      const state = await db.list();
      expect(state.find((o) => o.name === 'm')?.holders).toEqual([{ session, shared: false, heldMs: expect.any(Number) as number }]);
      expect(state.find((o) => o.name === 'e')?.queue).toEqual([
        { session, shared: false, waitedMs: expect.any(Number) as number, objects: 1 },
      ]);
      const rw = await db.RwLock.create({ name: 'rw' });
      await (await rw.read()).release();
      await old.end();
      const lock = await (await db.Mutex.open('m')).acquire();
      expect(lock.abandoned).toBe(true);
      await lock.release();
      expect((await db.list()).find((o) => o.name === 'e')?.queue).toEqual([]);
    } finally {
      await db.close();
    }
  } finally {
    await old.end().catch(() => undefined);
  }
});
