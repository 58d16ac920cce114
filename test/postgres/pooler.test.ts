// Poolers: behind a real PgBouncer in transaction or statement mode, connect() refuses
// with SessionPoolingError (before writing anything); in session mode the objects work.
import { afterEach, expect, it } from 'vitest';
import { connect, SessionPoolingError } from '@waitables/postgres';
import { type Bouncer, startBouncer } from './pgbouncer.js';
import { freshSchema, sql, usePostgres } from './helpers.js';

const pgServer = usePostgres();
let bouncer: Bouncer | undefined;
afterEach(() => {
  bouncer?.stop();
  bouncer = undefined;
});

for (const mode of ['transaction', 'statement'] as const) {
  it(`behind PgBouncer in ${mode} mode, connect() refuses with SessionPoolingError naming the fix, and writes nothing`, async () => {
    bouncer = await startBouncer(pgServer.server.port, mode);
    const schema = freshSchema();
    const error = await connect(bouncer.url, { schema }).then(
      () => expect.unreachable('connect should have refused'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SessionPoolingError);
    expect((error as SessionPoolingError).code).toBe('ERR_WAITABLES_NO_SESSION');
    expect((error as Error).message).toMatch(/directly to PostgreSQL.*session mode/);
    expect(await sql(pgServer.server.url, 'select 1 from pg_namespace where nspname = $1', [schema])).toEqual([]);
  });
}

it('behind PgBouncer in session mode, a mutex is handed from one connection to another', async () => {
  bouncer = await startBouncer(pgServer.server.port, 'session');
  const schema = freshSchema();
  const a = await connect(bouncer.url, { schema });
  const b = await connect(bouncer.url, { schema });
  try {
    const held = await (await a.Mutex.create({ name: 'm' })).acquire();
    const next = (await b.Mutex.open('m')).acquire();
    await held.release();
    const lock = await next;
    expect(lock.fence).toBe(held.fence + 1);
    await lock.release();
  } finally {
    await a.close();
    await b.close();
  }
});

it('a direct connection is taken as a session without a probe connection', async () => {
  const schema = freshSchema();
  const db = await connect(pgServer.server.url, { schema });
  await db.close();
  const probes = await sql(pgServer.server.url, "select 1 from pg_stat_activity where application_name = 'waitables-check'");
  expect(probes).toEqual([]);
});
