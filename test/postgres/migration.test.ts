// Migration from layout 1 (as it shipped: one schema lock) to layout 2 (a lock per
// object): a schema made by the old package, with a wait-all queued, is migrated at
// connect; the queued wait is counted on its objects, and the new functions end the old
// session (its backend holds the same lock key) like any other.
import pg from 'pg';
import { expect, it } from 'vitest';
import { connect, SCHEMA_VERSION } from '@waitables/postgres';
import { protocolV1, schemaV1 } from '../../bench/lib/pg-layout1.mjs';
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
