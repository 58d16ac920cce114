// A process of the scale-out bench (bench/lib/scale-out.mjs forks it): one host of a
// fleet with its own connection, playing one role against @waitables/postgres, raw
// advisory locks or the advisory-lock package. Protocol over IPC: it says {ready}, waits
// for {go}, works, and replies with its result; fairness roles loop until {stop}.
import pg from 'pg';
import advisoryLockModule from 'advisory-lock';
import { connect } from '@waitables/postgres';

const { BENCH_URL: url, BENCH_SCHEMA: schema, BENCH_ROLE: role } = process.env;
const n = Number(process.env.BENCH_N);
// advisory-lock is CommonJS with its function as `exports.default`.
const advisoryLock = advisoryLockModule.default ?? advisoryLockModule;
const now = () => performance.timeOrigin + performance.now();
let stopping = false;

/** The three contenders, each as acquire() → release(). */
async function contender(kind, name, key) {
  if (kind === 'ours' || kind === 'durable') {
    // durable: every transition waits for the WAL flush (the server's synchronous_commit).
    const db = await connect(url, { schema, durableCommits: kind === 'durable' });
    const m = await db.Mutex.create({ name });
    return {
      acquire: async () =>
        (
          (l) => () =>
            l.release()
        )(await m.acquire()),
      close: () => db.close(),
    };
  }
  if (kind === 'raw') {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    return {
      acquire: async () => (await c.query(`select pg_advisory_lock(${key})`), () => c.query(`select pg_advisory_unlock(${key})`)),
      close: () => c.end(),
    };
  }
  const mutex = advisoryLock(url)(name);
  return { acquire: () => mutex.lock(), close: async () => undefined };
}

async function main(go) {
  const [what, kind] = role.split(':');
  if (what === 'handoff') {
    const c = await contender(kind, 'handoff', 4242);
    await go;
    for (let i = 0; i < n; i++) await (await c.acquire())();
    await c.close();
    return { done: true };
  }
  if (what === 'fair') {
    // ours: one unit of a 2-unit semaphore; the baselines have no semaphore: one lock.
    let grants = 0;
    if (kind === 'ours') {
      const db = await connect(url, { schema });
      const s = await db.Semaphore.create({ name: 'fair', initialCount: 2, maximumCount: 2 });
      await go;
      while (!stopping) (await (await s.acquire()).release(), grants++);
      await db.close();
    } else {
      const c = await contender(kind, 'fair', 4244);
      await go;
      while (!stopping) (await (await c.acquire())(), grants++);
      await c.close();
    }
    return { grants };
  }
  if (what === 'distinct') {
    // Each process takes and releases its own object (index n) until {stop}: ours, ours
    // on the single-lock schema, or two plain row updates of the same shape.
    let pairs = 0;
    if (kind === 'update') {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      const take = `update ${schema}_plain.rows set owner = 1, fence = fence + 1 where id = $1 returning fence`;
      const release = `update ${schema}_plain.rows set owner = null where id = $1 returning fence`;
      await go;
      while (!stopping) (await c.query(take, [n]), await c.query(release, [n]), pairs++);
      await c.end();
    } else {
      const db = await connect(url, { schema: kind === 'single' ? `${schema}_single` : schema });
      const m = await db.Mutex.create({ name: `own-${n}` });
      await go;
      while (!stopping) (await (await m.acquire()).release(), pairs++);
      await db.close();
    }
    return { pairs };
  }
  if (what === 'waiter') {
    const db = await connect(url, { schema });
    const e = await db.Event.create({ name: 'wake' });
    const ack = await db.Event.create({ name: 'ack' });
    await go;
    const latencies = [];
    for (let i = 0; i < n; i++) {
      const waiting = e.wait();
      await ack.set(); // queued: the setter may go
      await waiting;
      latencies.push(now());
    }
    await db.close();
    return { latencies };
  }
  if (what === 'holder') {
    const c = await contender(kind, 'abandon', 4343);
    await go;
    await c.acquire();
    return { holding: true }; // and is killed holding it
  }
  throw new Error(`unknown role ${role}`);
}

let start;
const go = new Promise((resolve) => (start = resolve));
process.on('message', (m) => (m.stop ? (stopping = true) : start()));
main(go).then(
  (result) => process.send(result, () => (result.holding ? undefined : process.disconnect())),
  (error) => {
    process.send({ error: String(error.stack ?? error) }, () => process.exit(1));
  },
);
process.send({ ready: true });
