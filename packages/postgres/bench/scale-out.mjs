// The scale-out benchmark of @waitables/postgres, ratios against raw PostgreSQL measured
// in the same run on the same server:
//   node packages/postgres/bench/scale-out.mjs <postgres-url> [--quick]
// uncontended lock (vs pg_advisory_lock + unlock), hand-over between 2 and 4 processes
// (vs processes blocking in pg_advisory_lock), semaphore fairness, event wake-up across
// processes (vs a bare NOTIFY to a LISTENing connection), abandonment detection after
// kill -9, and wait-all of 4 mutexes (vs acquiring them one by one).
import { fork } from 'node:child_process';
import pg from 'pg';
import { connect, waitAll } from '@waitables/postgres';

const [url, ...flags] = process.argv.slice(2);
const quick = flags.includes('--quick');
const schema = `bench_${process.pid}`;
const now = () => performance.timeOrigin + performance.now();
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

// ---- child roles ----------------------------------------------------------------------
if (process.env.WAITABLES_BENCH_ROLE) {
  const role = process.env.WAITABLES_BENCH_ROLE;
  const n = Number(process.env.WAITABLES_BENCH_N);
  const childSchema = process.env.WAITABLES_BENCH_SCHEMA;
  process.on('message', async () => {
    if (role === 'handoff') {
      const db = await connect(url, { schema: childSchema });
      const m = await db.Mutex.open('handoff');
      for (let i = 0; i < n; i++) await (await m.acquire()).release();
      await db.close();
      process.send({ done: true }, () => process.disconnect());
    } else if (role === 'advisory') {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      for (let i = 0; i < n; i++) {
        await c.query('select pg_advisory_lock(4242)');
        await c.query('select pg_advisory_unlock(4242)');
      }
      await c.end();
      process.send({ done: true }, () => process.disconnect());
    } else if (role === 'fair') {
      const db = await connect(url, { schema: childSchema });
      const s = await db.Semaphore.open('fair');
      const stop = await db.Event.open('fair-stop');
      let grants = 0;
      for (;;) {
        const { index, permit } = await db.waitAny([stop, s]);
        if (index === 0) break;
        grants++;
        await permit.release();
      }
      await db.close();
      process.send({ grants }, () => process.disconnect());
    } else if (role === 'waiter') {
      const db = await connect(url, { schema: childSchema });
      const e = await db.Event.open('wake');
      const ack = await db.Event.open('ack');
      const latencies = [];
      for (let i = 0; i < n; i++) {
        const waiting = e.wait();
        await ack.set(); // queued: the setter may go
        await waiting;
        latencies.push(now());
      }
      await db.close();
      process.send({ latencies }, () => process.disconnect());
    } else if (role === 'holder') {
      const db = await connect(url, { schema: childSchema });
      await (await db.Mutex.open('abandon')).acquire();
      process.send({ holding: true });
    }
  });
  process.send({ ready: true });
} else {
  await main();
}

function child(role, n) {
  const proc = fork(new URL(import.meta.url), [url], {
    env: { ...process.env, WAITABLES_BENCH_ROLE: role, WAITABLES_BENCH_N: String(n), WAITABLES_BENCH_SCHEMA: schema },
  });
  const messages = [];
  let notify = null;
  proc.on('message', (m) => (notify ? (notify(m), (notify = null)) : messages.push(m)));
  const next = () => (messages.length ? Promise.resolve(messages.shift()) : new Promise((r) => (notify = r)));
  return { proc, next, start: () => proc.send({ go: true }) };
}

async function main() {
  const db = await connect(url, { schema });
  const raw = new pg.Client({ connectionString: url });
  await raw.connect();
  const rows = [];
  const report = (scenario, ours, baseline, unit, note = '') => {
    rows.push({
      scenario,
      ours: `${ours.toFixed(1)} ${unit}`,
      baseline: baseline === null ? '-' : `${baseline.toFixed(1)} ${unit}`,
      ratio: baseline === null ? '-' : `${(ours / baseline).toFixed(2)}x`,
      note,
    });
  };

  // 1. Uncontended lock.
  const cycles = quick ? 100 : 500;
  const m = await db.Mutex.create({ name: 'uncontended' });
  let t = now();
  for (let i = 0; i < cycles; i++) await (await m.acquire()).release();
  const ours = ((now() - t) * 1000) / cycles;
  t = now();
  for (let i = 0; i < cycles; i++) {
    await raw.query('select pg_advisory_lock(4241)');
    await raw.query('select pg_advisory_unlock(4241)');
  }
  report('uncontended acquire + release', ours, ((now() - t) * 1000) / cycles, 'µs/op');

  // 2. Hand-over between processes.
  await db.Mutex.create({ name: 'handoff' });
  for (const procs of quick ? [2] : [2, 4]) {
    const each = quick ? 50 : 150;
    const run = async (role) => {
      const kids = [...Array(procs)].map(() => child(role, each));
      await Promise.all(kids.map((k) => k.next()));
      const start = now();
      kids.forEach((k) => k.start());
      await Promise.all(kids.map((k) => k.next()));
      const ops = (procs * each) / ((now() - start) / 1000);
      await Promise.all(kids.map((k) => new Promise((r) => (k.proc.exitCode !== null ? r() : k.proc.once('exit', r)))));
      return ops;
    };
    report(`hand-over, ${procs} processes`, await run('handoff'), await run('advisory'), 'ops/s', 'higher is better');
  }

  // 3. Semaphore fairness: 4 processes, 2 units, FIFO.
  {
    await db.Semaphore.create({ name: 'fair', initialCount: 2, maximumCount: 2 });
    const stop = await db.Event.create({ name: 'fair-stop', manualReset: true });
    const kids = [...Array(4)].map(() => child('fair', 0));
    await Promise.all(kids.map((k) => k.next()));
    kids.forEach((k) => k.start());
    await new Promise((r) => setTimeout(r, quick ? 1000 : 3000));
    await stop.set();
    const grants = (await Promise.all(kids.map((k) => k.next()))).map((m) => m.grants);
    report(
      'semaphore fairness, 4 processes / 2 units (min/max grants)',
      Math.min(...grants) / Math.max(...grants),
      null,
      '',
      `grants ${grants.join(', ')}`,
    );
  }

  // 4. Event wake-up across processes.
  {
    const rounds = quick ? 30 : 100;
    const e = await db.Event.create({ name: 'wake' });
    const ack = await db.Event.create({ name: 'ack' });
    const k = child('waiter', rounds);
    await k.next();
    k.start();
    const sent = [];
    for (let i = 0; i < rounds; i++) {
      await ack.wait();
      sent.push(now());
      await e.set();
    }
    const { latencies } = await k.next();
    const ours = latencies.map((at, i) => (at - sent[i]) * 1000);
    const listener = new pg.Client({ connectionString: url });
    await listener.connect();
    await listener.query('listen bench_wake');
    const base = [];
    for (let i = 0; i < rounds; i++) {
      const got = new Promise((r) => listener.once('notification', () => r(now())));
      const at = now();
      await raw.query(`notify bench_wake`);
      base.push(((await got) - at) * 1000);
    }
    await listener.end();
    report('event wake-up across processes, p50', pct(ours, 50), pct(base, 50), 'µs');
    report('event wake-up across processes, p99', pct(ours, 99), pct(base, 99), 'µs');
  }

  // 5. Abandonment detection after kill -9 (a waiter already queued: the reaper's bound).
  {
    await db.Mutex.create({ name: 'abandon' });
    const k = child('holder', 0);
    await k.next();
    k.start();
    await k.next();
    const waiting = (await db.Mutex.open('abandon')).acquire();
    await new Promise((r) => setTimeout(r, 200));
    const killed = now();
    k.proc.kill('SIGKILL');
    const lock = await waiting;
    report('abandonment detected after kill -9 (reapInterval 1000 ms)', now() - killed, null, 'ms', `abandoned: ${lock.abandoned}`);
    await lock.release();
  }

  // 6. Wait-all of 4 mutexes against acquiring them one by one.
  {
    const ms = [];
    for (let i = 0; i < 4; i++) ms.push(await db.Mutex.create({ name: `all-${i}` }));
    const n = quick ? 50 : 200;
    t = now();
    for (let i = 0; i < n; i++) for (const l of (await waitAll(ms)).locks) await l.release();
    const all = ((now() - t) * 1000) / n;
    t = now();
    for (let i = 0; i < n; i++) {
      const locks = [];
      for (const x of ms) locks.push(await x.acquire());
      for (const l of locks) await l.release();
    }
    report('wait-all of 4 mutexes vs one by one', all, ((now() - t) * 1000) / n, 'µs/op');
  }

  await db.close();
  await raw.query(`drop schema ${schema} cascade`);
  await raw.end();
  console.log('| scenario | @waitables/postgres | raw PostgreSQL baseline | ratio | note |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.scenario} | ${r.ours} | ${r.baseline} | ${r.ratio} | ${r.note} |`);
}
