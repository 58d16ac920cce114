// The etcd column of the differential test: the same seeded random operations as
// test/postgres/differential.test.ts (on @waitables/async's local objects and on
// PostgreSQL and the in-process engine) give the same results on an etcd cluster.
import { afterAll, beforeAll, it } from 'vitest';
import { connect, type Database } from '@waitables/postgres';
import { compare } from '../postgres/differential-run.js';
import { freshPrefix, useEtcd } from './helpers.js';

const etcd = useEtcd();
let db: Database;
beforeAll(async () => {
  db = await connect(etcd.cluster.url, { schema: freshPrefix() });
});
afterAll(() => db?.close());

it('gives the same results on etcd as the local backend for 300 seeded random operations', () => compare(db), 120_000);
