// Fences that never repeat: a crash that loses the unflushed tail of the WAL
// (synchronous_commit off) rolls back grants their holders were already told of; the
// next grant must still be numbered above them. And check_fence()/assert_fence() for the
// user's own SQL, inside the transaction that writes what the lock protects.
import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { connect, type Database } from '@waitables/postgres';
import { freshSchema, sql, until, usePostgres } from './helpers.js';

// synchronous_commit is off in every test server; a WAL writer that waits 10 s keeps
// the last commits in memory, where an immediate stop loses them.
const pgServer = usePostgres(() => ({ settings: ['wal_writer_delay=10000'] }));
let schema: string;
let db: Database;

beforeEach(async () => {
  schema = freshSchema();
  db = await connect(pgServer.server.url, { schema });
});
afterEach(async () => {
  await db.close().catch(() => undefined); // after the crash, its session is gone
});

it('a crash that loses the last grants (synchronous_commit off): the next grant’s fence is above every fence handed out before', async () => {
  const m = await db.Mutex.create({ name: 'm' });
  await sql(pgServer.server.url, 'checkpoint'); // the mutex itself survives
  let highest = 0;
  for (let i = 0; i < 5; i++) {
    const lock = await m.acquire();
    highest = Math.max(highest, lock.fence);
    await lock.release();
  }
  pgServer.server.crash();
  const fresh = await connect(pgServer.server.url, { schema });
  try {
    // (Here the crash typically keeps fence 3 of 5: the last grants are gone, as intended.)
    const after = await (await fresh.Mutex.open('m')).acquire();
    expect(after.fence).toBeGreaterThan(highest);
    await after.release();
  } finally {
    await fresh.close();
  }
});

it('check_fence() holds the mutex’s row until the user’s transaction ends: the release waits, then the fence is no longer current', async () => {
  const m = await db.Mutex.create({ name: 'm' });
  const lock = await m.acquire();
  const user = new pg.Client({ connectionString: pgServer.server.url });
  await user.connect();
  try {
    await user.query('begin');
    const { rows } = await user.query<{ ok: boolean }>(`select ${schema}.check_fence('m', $1) as ok`, [lock.fence]);
    expect(rows[0]!.ok).toBe(true);
    const released = lock.release();
    await until(
      async () =>
        (await sql(pgServer.server.url, "select 1 from pg_stat_activity where application_name = 'waitables' and wait_event_type = 'Lock'"))
          .length > 0,
      'the release waiting for the user’s transaction',
    );
    await user.query('commit');
    await released;
    const again = await user.query<{ ok: boolean }>(`select ${schema}.check_fence('m', $1) as ok`, [lock.fence]);
    expect(again.rows[0]!.ok).toBe(false);
    await expect(user.query(`select ${schema}.assert_fence('m', $1)`, [lock.fence])).rejects.toMatchObject({ code: '55000' });
  } finally {
    await user.end();
  }
});
