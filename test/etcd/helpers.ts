/** Shared pieces of the etcd tests: the cluster of the file, fresh key prefixes, actors, hand-shakes. */
import { afterAll, beforeAll } from 'vitest';
import type { Database } from '@waitables/postgres';
import { type ClusterOptions, startCluster, type TestCluster } from './cluster.js';

export { PgActor as Actor, until } from '../postgres/helpers.js';

/** Starts this file's three-member cluster before its tests and removes it after them. */
export function useEtcd(options?: () => ClusterOptions): { readonly cluster: TestCluster } {
  const holder = {} as { cluster: TestCluster };
  beforeAll(async () => {
    holder.cluster = await startCluster(options?.());
  }, 120_000);
  afterAll(() => holder.cluster?.stop());
  return holder;
}

let prefixes = 0;
/** A key prefix no other test of this file uses, so that each test starts empty. */
export function freshPrefix(): string {
  return `t${process.pid}_${++prefixes}`;
}

/** How many waits are queued on the object `name`, as `db.list()` reports. */
export async function queued(db: Database, name: string): Promise<number> {
  return (await db.list()).find((o) => o.name === name)?.waiters ?? 0;
}
