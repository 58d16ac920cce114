// The scale-out measurements: @waitables/postgres against a raw pg_advisory_lock loop and
// the advisory-lock npm package, on one PostgreSQL server, in one run. Each host is a
// process with its own connection (bench/lib/pg-contender.mjs). Used by
// bench/scenarios/scale-out.mjs and packages/postgres/bench/scale-out.mjs.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import pg from 'pg';
import advisoryLockModule from 'advisory-lock';
import { connect, waitAll } from '@waitables/postgres';
import { summarize } from './stats.mjs';

const contenderFile = new URL('./pg-contender.mjs', import.meta.url);
// advisory-lock is CommonJS with its function as `exports.default`.
const advisoryLock = advisoryLockModule.default ?? advisoryLockModule;
const now = () => performance.timeOrigin + performance.now();
const KINDS = ['ours', 'raw', 'package'];

function child(url, schema, role, n = 0) {
  const proc = fork(contenderFile, [], {
    env: { ...process.env, BENCH_URL: url, BENCH_SCHEMA: schema, BENCH_ROLE: role, BENCH_N: String(n) },
  });
  const messages = [];
  let waiting = null;
  const exited = once(proc, 'exit');
  proc.on('message', (m) => (waiting ? (waiting(m), (waiting = null)) : messages.push(m)));
  proc.on('exit', (code) => waiting?.({ error: `${role} exited with ${code}` }));
  const next = async () => {
    const m = messages.length ? messages.shift() : await new Promise((r) => (waiting = r));
    if (m.error) throw new Error(`bench process ${role}: ${m.error}`);
    return m;
  };
  return { proc, next, exited, go: () => proc.send({ go: true }), stop: () => proc.send({ stop: true }) };
}

/** Starts `count` processes of `role`, lets them go at once; the seconds until all are done. */
async function together(url, schema, role, count, n) {
  const kids = Array.from({ length: count }, () => child(url, schema, role, n));
  await Promise.all(kids.map((k) => k.next()));
  const start = now();
  kids.forEach((k) => k.go());
  await Promise.all(kids.map((k) => k.next()));
  const seconds = (now() - start) / 1000;
  await Promise.all(kids.map((k) => k.exited));
  return seconds;
}

/**
 * Runs every measurement against `url` and returns rows of
 * { measure, unit, ours, raw, package, note } (null where a contender has no such thing).
 */
export async function measure(url, { quick = false, progress = () => {} } = {}) {
  const schema = `bench_${process.pid}_${Date.now() % 100000}`;
  const db = await connect(url, { schema });
  const raw = new pg.Client({ connectionString: url });
  await raw.connect();
  const pkg = advisoryLock(url);
  const rows = [];
  const row = (measure, unit, values, note = '') => rows.push({ measure, unit, ours: null, raw: null, package: null, ...values, note });
  try {
    progress('uncontended lock');
    {
      const n = quick ? 100 : 500;
      const timeOf = async (op) => {
        const t = now();
        for (let i = 0; i < n; i++) await op();
        return ((now() - t) * 1000) / n;
      };
      const m = await db.Mutex.create({ name: 'uncontended' });
      const p = pkg('bench-uncontended');
      row(
        'uncontended acquire + release',
        'µs/op',
        {
          ours: await timeOf(async () => (await m.acquire()).release()),
          raw: await timeOf(
            async () => (await raw.query('select pg_advisory_lock(4241)'), await raw.query('select pg_advisory_unlock(4241)')),
          ),
          package: await timeOf(async () => (await p.lock())()),
        },
        'advisory-lock opens a connection per lock()',
      );
    }

    for (const procs of quick ? [2] : [2, 4, 8]) {
      progress(`hand-over between ${procs} processes`);
      const each = quick ? 30 : 100;
      const values = {};
      for (const kind of KINDS) values[kind] = (procs * each) / (await together(url, schema, `handoff:${kind}`, procs, each));
      row(`hand-over between ${procs} processes`, 'ops/s', values, 'higher is better');
    }

    progress('fairness across processes');
    {
      const values = {};
      const counts = {};
      for (const kind of KINDS) {
        const kids = Array.from({ length: 4 }, () => child(url, schema, `fair:${kind}`));
        await Promise.all(kids.map((k) => k.next()));
        kids.forEach((k) => k.go());
        await new Promise((r) => setTimeout(r, quick ? 1000 : 4000));
        kids.forEach((k) => k.stop());
        const grants = (await Promise.all(kids.map((k) => k.next()))).map((m) => m.grants);
        await Promise.all(kids.map((k) => k.exited));
        values[kind] = Math.min(...grants) / Math.max(1, ...grants);
        counts[kind] = grants.join('/');
      }
      row(
        'fairness, 4 processes (min/max grants per process)',
        'ratio',
        values,
        `ours: 2-unit semaphore; baselines: one lock (no semaphores); grants ${KINDS.map((k) => counts[k]).join(' | ')}; 1 is fair`,
      );
    }

    progress('event wake-up latency');
    {
      const rounds = quick ? 30 : 100;
      const e = await db.Event.create({ name: 'wake' });
      const ack = await db.Event.create({ name: 'ack' });
      const k = child(url, schema, 'waiter', rounds);
      await k.next();
      k.go();
      const sent = [];
      for (let i = 0; i < rounds; i++) {
        await ack.wait();
        sent.push(now());
        await e.set();
      }
      const { latencies } = await k.next();
      await k.exited;
      const ours = summarize(latencies.map((at, i) => (at - sent[i]) * 1000));
      // Raw: a bare NOTIFY to a LISTENing connection of another process would be fairer
      // still; in this process it is the floor of any pushed wake-up.
      const listener = new pg.Client({ connectionString: url });
      await listener.connect();
      await listener.query('listen bench_wake');
      const base = [];
      for (let i = 0; i < rounds; i++) {
        const got = new Promise((r) => listener.once('notification', () => r(now())));
        const at = now();
        await raw.query('notify bench_wake');
        base.push(((await got) - at) * 1000);
      }
      await listener.end();
      const b = summarize(base);
      row(
        'event wake-up across processes, p50',
        'µs',
        { ours: ours.p50, raw: b.p50 },
        'raw: a bare NOTIFY to a LISTENing connection; advisory-lock has no events',
      );
      row('event wake-up across processes, p99', 'µs', { ours: ours.p99, raw: b.p99 });
    }

    progress('abandonment detection after kill -9');
    {
      const values = {};
      let abandoned = false;
      for (const kind of KINDS) {
        const k = child(url, schema, `holder:${kind}`);
        await k.next();
        k.go();
        await k.next(); // it holds the lock
        let waiting;
        if (kind === 'ours') {
          const m = await db.Mutex.create({ name: 'abandon' });
          waiting = m.acquire();
        } else if (kind === 'raw') {
          waiting = raw.query('select pg_advisory_lock(4343)');
        } else {
          waiting = pkg('abandon').lock();
        }
        await new Promise((r) => setTimeout(r, 200)); // the waiter queued (its request is on the wire)
        const killed = now();
        k.proc.kill('SIGKILL');
        const got = await waiting;
        values[kind] = now() - killed;
        if (kind === 'ours') ((abandoned = got.abandoned), await got.release());
        else if (kind === 'raw') await raw.query('select pg_advisory_unlock(4343)');
        else await got();
        await k.exited;
      }
      row(
        'abandonment detected after kill -9 of the holder',
        'ms',
        values,
        `ours reports it (abandoned: ${abandoned}), bound: reapInterval 1000 ms; the baselines cannot tell`,
      );
    }

    progress('wait-all against one by one');
    {
      const n = quick ? 30 : 150;
      const ms = [];
      for (let i = 0; i < 4; i++) ms.push(await db.Mutex.create({ name: `all-${i}` }));
      const timeOf = async (op) => {
        const t = now();
        for (let i = 0; i < n; i++) await op();
        return ((now() - t) * 1000) / n;
      };
      const locks = [0, 1, 2, 3].map((i) => pkg(`bench-all-${i}`));
      const all = await timeOf(async () => {
        for (const l of (await waitAll(ms)).locks) await l.release();
      });
      const oneByOne = await timeOf(async () => {
        const held = [];
        for (const m of ms) held.push(await m.acquire());
        for (const l of held) await l.release();
      });
      row(
        '4 mutexes: our wait-all, against one by one',
        'µs/op',
        {
          ours: all,
          raw: await timeOf(async () => {
            for (let k = 0; k < 4; k++) await raw.query(`select pg_advisory_lock(${4400 + k})`);
            for (let k = 0; k < 4; k++) await raw.query(`select pg_advisory_unlock(${4400 + k})`);
          }),
          package: await timeOf(async () => {
            const unlocks = [];
            for (const l of locks) unlocks.push(await l.lock());
            for (const u of unlocks) await u();
          }),
        },
        `ours one by one: ${oneByOne.toFixed(0)} µs/op; only wait-all is atomic (no deadlock between processes taking them in other orders)`,
      );
    }
  } finally {
    await db.close();
    await raw.query(`drop schema if exists ${schema} cascade`).catch(() => undefined);
    await raw.end();
  }
  return rows;
}
