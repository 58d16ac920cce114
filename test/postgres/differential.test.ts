// The PostgreSQL column of the differential test: the same seeded random operations on
// @waitables/async's local objects (this machine's backend) and on @waitables/postgres
// objects (on PostgreSQL, and on the in-process engine) must give the same results,
// operation by operation. The operations are those
// both support without a race: non-blocking acquires and waits (timeout 0), wait-any
// and wait-all, releases, ReleaseSemaphore with its ERROR_TOO_MANY_POSTS, set, reset
// and pulse. (Queued waits are compared by the other files' FIFO and hand-over tests.)
// Wait-any and wait-all draw from the semaphores and events only: @waitables/async runs
// a compound wait that includes a mutex on a wait thread, and with `timeout: 0` its
// timer wins against that thread's answer, so it times out even on a free mutex.
import { afterAll, beforeAll, it } from 'vitest';
import { connect, type Database } from '@waitables/postgres';
import { compare } from './differential-run.js';
import { freshSchema, usePostgres } from './helpers.js';

const pgServer = usePostgres();
let db: Database;
beforeAll(async () => {
  db = await connect(pgServer.server.url, { schema: freshSchema() });
});
afterAll(() => db?.close());

it('gives the same results on PostgreSQL as the local backend for 300 seeded random operations', () => compare(db));

it('gives the same results on the in-process engine (memory:) as the local backend', async () => {
  const memory = await connect(`memory:differential-${process.pid}`);
  try {
    await compare(memory);
  } finally {
    await memory.close();
  }
});
