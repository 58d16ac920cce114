// A process of the etcd scale-out bench (bench/lib/etcd-scale-out.mjs forks it): one host
// with its own etcd client, playing one role against @waitables/postgres on etcd ("ours")
// or the raw etcd lock recipe ("raw": a lease, a key put under it, and a watch on the
// deletion of the key just before it in create-revision order, as etcd's own
// clientv3/concurrency Mutex does). Protocol over IPC: it says {ready}, waits for {go},
// works, and replies with its result; stream roles report each grant ({grant}) and loop
// until {stop}.
import { Etcd3 } from 'etcd3';
import { connect } from '@waitables/postgres';

const { BENCH_URL: url, BENCH_SCHEMA: schema, BENCH_ROLE: role } = process.env;
const n = Number(process.env.BENCH_N);
const lease = Number(process.env.BENCH_LEASE ?? 15_000);
const hosts = url
  .slice('etcd://'.length)
  .split(',')
  .map((h) => `http://${h}`);
const now = () => performance.timeOrigin + performance.now();
let stopping = false;

function prefixRange(prefix) {
  const end = Buffer.from(prefix);
  end[end.length - 1] += 1;
  return { key: Buffer.from(prefix), range_end: end };
}

/** The raw recipe: acquire() resolves to a release function; `queued` is called once it waits behind another key. */
async function rawMutex(name) {
  const client = new Etcd3({ hosts });
  const leased = client.lease(Math.max(1, Math.ceil(lease / 1000)));
  leased.on('lost', () => undefined);
  const id = await leased.grant();
  const prefix = `${schema}-raw/${name}/`;
  const key = Buffer.from(`${prefix}${id}`);
  return {
    async acquire(queued) {
      const put = await client.kv.put({ key, value: Buffer.from(''), lease: id });
      const mine = Number(put.header.revision);
      for (;;) {
        const before = await client.kv.range({
          ...prefixRange(prefix),
          sort_target: 'Create',
          sort_order: 'Descend',
          max_create_revision: mine - 1,
          limit: 1,
        });
        const predecessor = before.kvs[0];
        if (!predecessor) return () => client.kv.deleteRange({ key });
        queued?.();
        const watcher = await client
          .watch()
          .key(predecessor.key)
          .startRevision(String(Number(before.header.revision) + 1))
          .create();
        await new Promise((resolve) => watcher.once('delete', resolve));
        await watcher.cancel();
      }
    },
    close: () => client.close(),
  };
}

async function ourMutex(name) {
  const db = await connect(url, { schema, lease });
  const m = await db.Mutex.create({ name });
  return {
    async acquire(queued) {
      const pending = m.acquire();
      if (queued) {
        // Queued once the cluster's list shows a waiter (ours is the only one).
        while ((await db.list()).find((o) => o.name === name)?.waiters !== 1) await new Promise((r) => setTimeout(r, 5));
        queued();
      }
      const lock = await pending;
      return Object.assign(() => lock.release(), { abandoned: lock.abandoned });
    },
    close: () => db.close(),
  };
}

const contender = (kind, name) => (kind === 'ours' ? ourMutex(name) : rawMutex(name));

async function main(go) {
  const [what, kind] = role.split(':');
  if (what === 'handoff') {
    const c = await contender(kind, 'handoff');
    await go;
    for (let i = 0; i < n; i++) await (await c.acquire())();
    await c.close();
    return { done: true };
  }
  if (what === 'stream') {
    // Hand-over until {stop}: the instant of every grant.
    const c = await contender(kind, 'stream');
    await go;
    // Each grant is reported as it happens: a client that never recovers from the
    // leader's death must not take the grants it made before with it.
    while (!stopping) {
      const release = await c.acquire();
      process.send({ grant: now() });
      await release();
    }
    await c.close();
    return { stopped: true };
  }
  if (what === 'holder') {
    const c = await contender(kind, `abandon-${n}`);
    await go;
    await c.acquire();
    return { holding: true }; // and is killed holding it
  }
  if (what === 'waiter') {
    const c = await contender(kind, `abandon-${n}`);
    await go;
    const release = await c.acquire(() => process.send({ queued: true }));
    const at = now();
    await release();
    await c.close();
    return { at, abandoned: release.abandoned ?? null };
  }
  throw new Error(`unknown role ${role}`);
}

let start;
const go = new Promise((resolve) => (start = resolve));
process.on('message', (m) => (m.stop ? (stopping = true) : start()));
main(go).then(
  (result) => process.send(result, () => (result.holding ? undefined : process.exit(0))),
  (error) => {
    process.send({ error: String(error.stack ?? error) }, () => process.exit(1));
  },
);
process.send({ ready: true });
