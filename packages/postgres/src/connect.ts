/** The entry point: a database connection with the awaitable objects over it. */
import { Database } from './database.js';
import type { Engine } from './engine.js';
import { checkConnectOptions, type ConnectOptions } from './options.js';
import { MemoryEngine } from './memory/engine.js';
import { PgEngine } from './pg/engine.js';
import { InvalidArgumentTypeError } from '@waitables/common';

/**
 * Connects to a PostgreSQL database, creating or migrating the package's schema, and
 * opens this process's session (one connection, which also receives the wake-ups).
 * Rejects if the database cannot be reached. `etcd://host1:2379,host2:2379,host3:2379`
 * instead gives the same objects on an etcd cluster (the session is a lease, `schema`
 * names the key prefix; see the README's etcd section). `memory:<name>` gives the
 * in-process engine: the same objects and semantics, shared by the connections of that
 * name in this process only, for tests.
 * @example
 * ```ts
 * import { connect } from '@waitables/postgres';
 * await using db = await connect(process.env.DATABASE_URL!, { lease: 10_000 });
 * const lock = await (await db.Mutex.create({ name: 'nightly-report' })).acquire();
 * ```
 */
export async function connect(url: string, options?: ConnectOptions): Promise<Database> {
  if (typeof url !== 'string' || url === '') throw new InvalidArgumentTypeError('url', 'a postgres:// or etcd:// connection string', url);
  const checked = checkConnectOptions(options);
  let engine: Engine;
  if (url.startsWith('memory:')) engine = new MemoryEngine(url.slice('memory:'.length));
  else if (url.startsWith('etcd://')) {
    // Loaded only here: programs on PostgreSQL never load etcd3 and gRPC.
    const { EtcdEngine, parseEtcdUrl } = await import('./etcd/engine.js');
    const hosts = parseEtcdUrl(url);
    if (hosts.length === 0) throw new InvalidArgumentTypeError('url', 'etcd://host:port[,host:port...]', url);
    engine = new EtcdEngine({ hosts, prefix: checked.schema, lease: checked.lease, label: checked.label });
  } else
    engine = new PgEngine({
      url,
      schema: checked.schema,
      lease: checked.lease,
      label: checked.label,
      durableCommits: checked.durableCommits,
    });
  const db = new Database(engine, checked);
  await db.session();
  return db;
}
