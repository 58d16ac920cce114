// The etcd scale-out measurements: @waitables/postgres on an etcd cluster against the raw
// etcd lock recipe (lease + put + watch of the predecessor, bench/lib/etcd-contender.mjs),
// on one three-member cluster, in one run: hand-over of one mutex between 2, 4 and 8
// processes; abandonment seen by a queued waiter after kill -9 of the holder (bounded by
// the lease's TTL); the time from kill -9 of the leader to the next grant of a mutex
// handed over continuously. Used by bench/scenarios/etcd-scale-out.mjs.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { summarize } from './stats.mjs';

const contenderFile = new URL('./etcd-contender.mjs', import.meta.url);
const now = () => performance.timeOrigin + performance.now();
const KINDS = ['ours', 'raw'];

// No step of a bench process may take longer than this: a client that hangs (a gRPC call
// or a watch left on a killed member) is killed and the step fails loudly, not the run.
const STEP_DEADLINE_MS = 120_000;

function child(url, schema, role, n = 0, lease = 15_000) {
  const proc = fork(contenderFile, [], {
    env: { ...process.env, BENCH_URL: url, BENCH_SCHEMA: schema, BENCH_ROLE: role, BENCH_N: String(n), BENCH_LEASE: String(lease) },
  });
  const messages = [];
  const grants = [];
  let waiting = null;
  const exited = once(proc, 'exit');
  proc.on('message', (m) => {
    if (m.grant !== undefined) grants.push(m.grant);
    else if (waiting) (waiting(m), (waiting = null));
    else messages.push(m);
  });
  proc.on('exit', (code) => waiting?.({ error: `${role} exited with ${code}` }));
  const next = async (deadline = STEP_DEADLINE_MS) => {
    let timer;
    const m = messages.length
      ? messages.shift()
      : await new Promise((r) => {
          waiting = r;
          timer = setTimeout(() => r({ error: `no answer within ${deadline} ms (killed)` }), deadline);
        });
    clearTimeout(timer);
    if (m.error) {
      proc.kill('SIGKILL');
      throw new Error(`bench process ${role}: ${m.error}`);
    }
    return m;
  };
  /** Asks a stream to stop; one that does not end within `ms` is killed. True if it stopped by itself. */
  const finish = async (ms) => {
    proc.send({ stop: true });
    const timer = setTimeout(() => proc.kill('SIGKILL'), ms);
    const [code, signal] = await exited;
    clearTimeout(timer);
    return code === 0 && signal === null;
  };
  return { proc, next, exited, grants, finish, go: () => proc.send({ go: true }) };
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
 * `cluster`: a started three-member cluster (scripts/etcd-cluster.mjs). Returns rows
 * `{ measure, unit, ours, raw, note }`.
 */
export async function measure(cluster, { quick = false, progress = () => {} } = {}) {
  const url = cluster.url;
  const schema = `bench_${process.pid}_${Date.now() % 100000}`;
  const rows = [];
  const row = (measure, unit, values, note = '') => rows.push({ measure, unit, ours: null, raw: null, ...values, note });

  for (const procs of quick ? [2] : [2, 4, 8]) {
    progress(`hand-over between ${procs} processes`);
    const each = quick ? 20 : 60;
    const values = {};
    for (const kind of KINDS) values[kind] = (procs * each) / (await together(url, schema, `handoff:${kind}`, procs, each));
    row(`hand-over between ${procs} processes`, 'ops/s', values, 'higher is better');
  }

  // Abandonment: the holder (lease 2 s) is killed with a waiter queued behind it.
  const kills = quick ? 1 : 5;
  const ttl = 2_000;
  const abandon = {};
  const reported = {};
  for (const kind of KINDS) {
    progress(`abandonment after kill -9 (${kind}, ${kills} kills, lease ${ttl} ms)`);
    const delays = [];
    let flagged = 0;
    for (let i = 0; i < kills; i++) {
      const name = `${kind}-${i}`;
      const holder = child(url, schema, `holder:${kind}`, name, ttl);
      await holder.next();
      holder.go();
      await holder.next(); // holding
      const waiter = child(url, schema, `waiter:${kind}`, name, ttl);
      await waiter.next();
      waiter.go();
      await waiter.next(); // queued
      const killed = now();
      holder.proc.kill('SIGKILL');
      await holder.exited;
      const { at, abandoned } = await waiter.next();
      await waiter.exited;
      delays.push(at - killed);
      if (abandoned) flagged++;
    }
    abandon[kind] = summarize(delays);
    reported[kind] = flagged;
  }
  row(
    'abandonment seen by a queued waiter after kill -9 of the holder, p50 (max)',
    'ms',
    { ours: abandon.ours.p50, raw: abandon.raw.p50 },
    `lease TTL ${ttl / 1000} s on both; ours max ${abandon.ours.max.toFixed(0)} ms, reported abandoned ${reported.ours}/${kills}; raw max ${abandon.raw.max.toFixed(0)} ms, not reported`,
  );

  // The leader killed while two processes hand one mutex over continuously.
  const gaps = {};
  const hung = {};
  for (const kind of KINDS) {
    progress(`kill -9 of the leader during hand-over (${kind})`);
    const kids = [child(url, schema, `stream:${kind}`), child(url, schema, `stream:${kind}`)];
    await Promise.all(kids.map((k) => k.next()));
    kids.forEach((k) => k.go());
    await new Promise((r) => setTimeout(r, 1_500));
    const leader = await cluster.leader();
    const killed = now();
    await cluster.kill(leader);
    const window = quick ? 3_000 : 6_000;
    await new Promise((r) => setTimeout(r, window));
    const ended = now();
    const stoppedByThemselves = await Promise.all(kids.map((k) => k.finish(10_000)));
    const grants = kids.flatMap((k) => k.grants);
    hung[kind] = stoppedByThemselves.filter((ok) => !ok).length;
    // The longest pause in grants from the kill on (a grant just after the kill may have
    // been committed before it: the pause that the election causes comes later).
    const sorted = grants.sort((x, y) => x - y);
    let stall = null;
    for (let i = 0; i < sorted.length; i++) {
      if (sorted[i] <= killed) continue;
      const from = Math.max(killed, i > 0 ? sorted[i - 1] : killed);
      stall = Math.max(stall ?? 0, sorted[i] - from);
    }
    // The pause still going on when the window closed counts too (all of it, when no
    // grant came after the kill at all).
    gaps[kind] = Math.max(stall ?? 0, ended - Math.max(killed, sorted.at(-1) ?? killed));
    await cluster.start(leader);
  }
  row(
    'kill -9 of the leader during hand-over: longest pause between grants',
    'ms',
    gaps,
    `two processes handing one mutex over continuously; the longest time without a grant from the kill on; election timeout 2 s, heartbeat 200 ms; ` +
      `processes that did not stop when asked (killed): ours ${hung.ours}/2, raw ${hung.raw}/2`,
  );
  return rows;
}
