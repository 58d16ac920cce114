// The scale-out measurements: @waitables/postgres against a raw pg_advisory_lock loop and
// the advisory-lock npm package, on one PostgreSQL server, in one run. Each host is a
// process with its own connection (bench/lib/pg-contender.mjs). Used by
// bench/scenarios/scale-out.mjs and packages/postgres/bench/scale-out.mjs.
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import pg from 'pg';
import advisoryLockModule from 'advisory-lock';
import { connect, waitAll } from '@waitables/postgres';
import { summarize } from './stats.mjs';
import { postgresBin } from '../../scripts/postgres-binaries.mjs';
import { protocolV1, schemaV1 } from './pg-layout1.mjs';

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
 * Starts `count` processes of `role` (process i gets n = i), lets them go at once, counts
 * for `seconds` and stops them together: the sum of what they report as `key`, per second.
 */
async function window(url, schema, role, count, seconds, key) {
  const kids = Array.from({ length: count }, (_, i) => child(url, schema, role, i));
  await Promise.all(kids.map((k) => k.next()));
  kids.forEach((k) => k.go());
  await new Promise((r) => setTimeout(r, seconds * 1000));
  kids.forEach((k) => k.stop());
  const counts = (await Promise.all(kids.map((k) => k.next()))).map((m) => m[key]);
  await Promise.all(kids.map((k) => k.exited));
  return counts.reduce((a, b) => a + b, 0) / seconds;
}

/**
 * The design before layout version 2, for comparison in the same run: a schema whose
 * every transition takes the one schema lock, held through commit, as version 1 did
 * (its lock_objects() takes serialize() first).
 */
async function singleLockSchema(url, schema) {
  const db = await connect(url, { schema: `${schema}_single` });
  await db.close();
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const s = `${schema}_single`;
  await c.query(`create or replace function ${s}.lock_objects(p_objects bigint[], p_global boolean) returns boolean
    language plpgsql as $$ begin
      perform ${s}.serialize();
      perform 1 from ${s}.objects where id = any(p_objects) order by id for no key update;
      return true;
    end $$`);
  // The hot paths (wait, release_mutex) do not call lock_objects: the same functions, behind the one lock.
  await c.query(`alter function ${s}.wait(int, bigint[], boolean, boolean, boolean, boolean) rename to wait_per_object`);
  await c.query(`create function ${s}.wait(p_session int, p_objects bigint[], p_all boolean, p_shared boolean, p_enqueue boolean, p_global boolean,
    out r_status int, out r_wait bigint, out r_index int, out r_abandoned boolean, out r_fences bigint[])
    language plpgsql as $$ begin
      perform ${s}.serialize();
      select * into r_status, r_wait, r_index, r_abandoned, r_fences
        from ${s}.wait_per_object(p_session, p_objects, p_all, p_shared, p_enqueue, p_global);
    end $$`);
  await c.query(`alter function ${s}.release_mutex(int, bigint, bigint, boolean) rename to release_mutex_per_object`);
  await c.query(`create function ${s}.release_mutex(p_session int, p_object bigint, p_grant bigint, p_global boolean) returns int
    language plpgsql as $$ begin
      perform ${s}.serialize();
      return ${s}.release_mutex_per_object(p_session, p_object, p_grant, p_global);
    end $$`);
  // Layout 1 as it shipped, for pgbench (its functions are called directly).
  await c.query(`create schema ${schema}_layout1`);
  await c.query(schemaV1(`${schema}_layout1`) + protocolV1(`${schema}_layout1`, 4711));
  await c.query(`create schema ${schema}_plain`);
  await c.query(`create table ${schema}_plain.rows (id int primary key, owner int, fence bigint not null default 0)`);
  await c.query(`insert into ${schema}_plain.rows (id) select generate_series(0, 63)`);
  await c.end();
}

/**
 * The same distinct-objects loop driven by pgbench (a C client: what the server's side
 * of the protocol costs, without Node in the way), over sessions and mutexes made for it:
 * client i is session `base_sid + i` and takes mutex `base_oid + i`. tps = pairs/s.
 */
let pgbenchRuns = 0;

async function pgbenchPairs(url, client, schema, kind, clients, seconds) {
  const dir = mkdtempSync(join(tmpdir(), 'waitables-pgbench-'));
  try {
    const s = kind === 'single' ? `${schema}_single` : kind === 'layout1' ? `${schema}_layout1` : schema;
    let script;
    const vars = [];
    if (kind === 'update') {
      script = [
        '\\set id :client_id',
        `update ${schema}_plain.rows set owner = 1, fence = fence + 1 where id = :id returning fence;`,
        `update ${schema}_plain.rows set owner = null where id = :id returning fence;`,
      ];
    } else {
      // Sessions without a backend of their own: nobody reaps while this runs (no wait is queued).
      const sessions = await client.query(
        `insert into ${s}.sessions (pid, lease_until, label) select 0, now() + interval '1 day', 'pgbench' from generate_series(1, $1) returning id`,
        [clients],
      );
      const objects = await client.query(
        `insert into ${s}.objects (name, kind) select 'pgbench-' || i || '-' || $2, 'mutex' from generate_series(1, $1) i returning id`,
        [clients, ++pgbenchRuns],
      );
      vars.push('-D', `base_sid=${sessions.rows[0].id}`, '-D', `base_oid=${objects.rows[0].id}`);
      // Layout 1's functions have no p_global argument, nor (before layout 3) p_shared.
      const global = kind === 'layout1' ? '' : ', false';
      const shared = kind === 'layout1' ? '' : 'false, ';
      script = [
        '\\set sid :base_sid + :client_id',
        '\\set oid :base_oid + :client_id',
        `select r_wait from ${s}.wait(:sid, array[:oid]::bigint[], false, ${shared}true${global}) \\gset`,
        `select ${s}.release_mutex(:sid, :oid, :r_wait${global});`,
      ];
    }
    writeFileSync(join(dir, 'script.sql'), script.join('\n') + '\n');
    const out = execFileSync(
      join(postgresBin(), 'pgbench'),
      [
        '-n',
        '-M',
        'prepared',
        '-c',
        String(clients),
        '-j',
        String(clients),
        '-T',
        String(seconds),
        ...vars,
        '-f',
        join(dir, 'script.sql'),
        url,
      ],
      { encoding: 'utf8' },
    );
    const tps = /tps = ([\d.]+)/.exec(out);
    if (!tps) throw new Error(`pgbench said: ${out}`);
    return Number(tps[1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs each measurement `rounds` times, interleaved; the median of each. */
async function medianOfRounds(rounds, measures) {
  const samples = Object.fromEntries(Object.keys(measures).map((k) => [k, []]));
  for (let round = 0; round < rounds; round++) for (const [k, run] of Object.entries(measures)) samples[k].push(await run());
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.sort((a, b) => a - b)[Math.floor(v.length / 2)]]));
}

/** The server's durability settings, for the report. */
async function durability(client) {
  const names = ['fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method'];
  const values = [];
  for (const name of names) values.push(`${name}=${(await client.query(`show ${name}`)).rows[0][name]}`);
  return values.join(', ');
}

/**
 * Runs every measurement against `url` and returns rows of
 * { measure, unit, ours, raw, package, single, note } (null where a contender has no
 * such thing). `raw` is a raw pg_advisory_lock loop, except in the distinct-objects rows
 * where it is a plain UPDATE loop; `single` is our own single-lock design.
 */
export async function measure(url, { quick = false, progress = () => {}, only } = {}) {
  // `only`: a comma-separated list of distinct, uncontended, handoff, fairness, wake, abandon, waitall.
  const want = (id) => !only || only.split(',').includes(id);
  const schema = `bench_${process.pid}_${Date.now() % 100000}`;
  const db = await connect(url, { schema });
  const raw = new pg.Client({ connectionString: url });
  await raw.connect();
  const pkg = advisoryLock(url);
  const rows = [];
  const row = (measure, unit, values, note = '') =>
    rows.push({ measure, unit, ours: null, raw: null, package: null, single: null, ...values, note });
  try {
    const settings = await durability(raw);
    if (want('distinct') || want('pgbench')) await singleLockSchema(url, schema);
    if (want('distinct')) {
      progress(`distinct objects (server: ${settings})`);
      const seconds = quick ? 1 : 2;
      const rounds = quick ? 1 : 3;
      for (const clients of quick ? [1, 8] : [1, 2, 4, 8]) {
        // Interleaved rounds, the median of each: a change in the machine's load (or in
        // its disk's flush time) falls on all three alike.
        const values = await medianOfRounds(rounds, {
          ours: () => window(url, schema, 'distinct:ours', clients, seconds, 'pairs'),
          raw: () => window(url, schema, 'distinct:update', clients, seconds, 'pairs'),
          single: () => window(url, schema, 'distinct:single', clients, seconds, 'pairs'),
        });
        row(
          `${clients} client${clients > 1 ? 's' : ''}, each its own mutex: acquire + release`,
          'pairs/s',
          values,
          `median of ${rounds} interleaved ${seconds} s windows; raw: two plain UPDATE … RETURNING of the same shape, one row per client; single-lock: ours with every transition under one schema-wide lock (layout 1's design); ${settings}`,
        );
      }
    }

    if (want('pgbench')) {
      progress('distinct objects with pgbench');
      const seconds = quick ? 1 : 2;
      const rounds = quick ? 1 : 3;
      for (const clients of quick ? [1, 8] : [1, 2, 4, 8]) {
        const values = await medianOfRounds(rounds, {
          ours: () => pgbenchPairs(url, raw, schema, 'ours', clients, seconds),
          raw: () => pgbenchPairs(url, raw, schema, 'update', clients, seconds),
          single: () => pgbenchPairs(url, raw, schema, 'single', clients, seconds),
          layout1: () => pgbenchPairs(url, raw, schema, 'layout1', clients, seconds),
        });
        row(
          `pgbench, ${clients} client${clients > 1 ? 's' : ''}, each its own mutex: wait() + release_mutex()`,
          'pairs/s',
          values,
          `median of ${rounds} interleaved ${seconds} s runs; the protocol's functions called by pgbench -M prepared (no Node); raw: two plain UPDATE … RETURNING; single-lock: the same functions behind one schema-wide lock; layout 1 (as shipped): ${values.layout1.toFixed(0)} pairs/s, ours ${(values.ours / values.layout1).toFixed(2)}x; ${settings}`,
        );
      }
    }

    if (want('uncontended')) {
      progress('uncontended lock');
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

    if (want('handoff'))
      for (const procs of quick ? [2] : [2, 4, 8]) {
        progress(`hand-over between ${procs} processes`);
        const each = quick ? 30 : 100;
        const values = {};
        for (const kind of [...KINDS, 'durable'])
          values[kind] = (procs * each) / (await together(url, schema, `handoff:${kind}`, procs, each));
        row(
          `hand-over between ${procs} processes`,
          'ops/s',
          values,
          `higher is better; ours with durableCommits (each transition waits for the WAL flush): ${values.durable.toFixed(0)} ops/s`,
        );
      }

    if (want('fairness')) {
      progress('fairness across processes');
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

    if (want('wake')) {
      progress('event wake-up latency');
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

    if (want('abandon')) {
      progress('abandonment detection after kill -9');
      const rounds = quick ? 3 : 11;
      const samples = { ours: [], raw: [], package: [] };
      let abandoned = 0;
      for (let round = 0; round < rounds; round++) {
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
          samples[kind].push(now() - killed);
          if (kind === 'ours') ((abandoned += got.abandoned ? 1 : 0), await got.release());
          else if (kind === 'raw') await raw.query('select pg_advisory_unlock(4343)');
          else await got();
          await k.exited;
        }
      }
      const p50 = (kind) => summarize(samples[kind]).p50;
      row(
        'abandonment detected after kill -9 of the holder, p50',
        'ms',
        { ours: p50('ours'), raw: p50('raw'), package: p50('package') },
        `${rounds} kills each; ours reported abandoned ${abandoned}/${rounds} times, seen by the waiter's watcher (the reaper, every 1000 ms, is the backstop), max ${summarize(samples.ours).max.toFixed(0)} ms; the baselines cannot tell`,
      );
    }

    if (want('waitall')) {
      progress('wait-all against one by one');
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
    for (const s of [schema, `${schema}_single`, `${schema}_plain`, `${schema}_layout1`])
      await raw.query(`drop schema if exists ${s} cascade`).catch(() => undefined);
    await raw.end();
  }
  return rows;
}
