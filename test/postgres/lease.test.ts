// The lease: renewals run on a connection of their own, never behind a transition that
// waits in the server; and `lost` fires before the server's deadline (a tenth of the
// lease before it), so a holder always hears first.
import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { connect, type Database } from '@waitables/postgres';
import { freshSchema, sql, until, usePostgres } from './helpers.js';

const pgServer = usePostgres();
let schema: string;
let db: Database;
let user: pg.Client;

beforeEach(async () => {
  schema = freshSchema();
  user = new pg.Client({ connectionString: pgServer.server.url });
  await user.connect();
});
afterEach(async () => {
  await user.end();
  await db.close().catch(() => undefined);
});

const leaseUntil = async () =>
  (await sql<{ at: Date }>(pgServer.server.url, `select lease_until as at from ${schema}.sessions`))[0]!.at.getTime();

it('renewals go on while a release waits in the server for longer than a lease: the lock is not lost', async () => {
  const lease = 900;
  db = await connect(pgServer.server.url, { schema, lease });
  const lock = await (await db.Mutex.create({ name: 'm' })).acquire();
  await user.query('begin');
  await user.query(`select 1 from ${schema}.objects where name = 'm' for update`);
  const released = lock.release();
  await until(
    async () =>
      (await sql(pgServer.server.url, "select 1 from pg_stat_activity where application_name = 'waitables' and wait_event_type = 'Lock'"))
        .length > 0,
    'the release waiting for the row',
  );
  const first = await leaseUntil();
  // The server saw renewals for a whole lease past the moment the release blocked.
  await until(async () => (await leaseUntil()) >= first + lease, 'a lease of renewals while the release waits');
  expect(lock.lost.aborted).toBe(false);
  await user.query('commit');
  await released;
});

it('when renewals cannot get through, lost fires while the server’s deadline is still ahead', async () => {
  const lease = 3000;
  db = await connect(pgServer.server.url, { schema, lease });
  const lock = await (await db.Mutex.create({ name: 'm' })).acquire();
  const watcher = new pg.Client({ connectionString: pgServer.server.url });
  await watcher.connect();
  try {
    // The session's row held: every renewal waits, none succeeds.
    await user.query('begin');
    await user.query(`select 1 from ${schema}.sessions for update`);
    await new Promise((resolve) => lock.lost.addEventListener('abort', resolve, { once: true }));
    const { rows } = await watcher.query<{ ahead: boolean }>(`select lease_until > clock_timestamp() as ahead from ${schema}.sessions`);
    // The scheduled margin is lease / 10 = 300 ms; the statement above takes a few.
    expect(rows[0]!.ahead).toBe(true);
    await user.query('rollback');
  } finally {
    await watcher.end();
  }
});
