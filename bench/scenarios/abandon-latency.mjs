// 10. Abandonment latency: a process that owns a named mutex is killed (-9) while another
// process is blocked waiting for it; how long until that wait returns WAIT_ABANDONED.
// One way, in ms, from the parent's clock reading just before kill() to the waiter's just
// after its wait returned (process.hrtime: CLOCK_MONOTONIC, one clock for every process).
// Rows: a blocking @waitables/core wait (the verdict), and @waitables/async's awaited
// acquire(), which reports abandonment as `lock.abandoned`. Then the same for a
// crash-safe semaphore of one unit (issue 22): its holder killed, how long until the
// unit is back for the blocked waiter.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { inspectNamespace } from '@waitables/core';
import { pause } from '../lib/stats.mjs';

const helper = (name) => fileURLToPath(new URL(`../helpers/${name}`, import.meta.url));
const now = () => Number(process.hrtime.bigint()) / 1000;
const TRIAL_TIMEOUT_MS = 10_000;
let sequence = 0;

/** The messages of a forked process, one at a time; an {error} or an exit rejects. */
function channel(proc, what) {
  const queue = [];
  let waiting = null;
  const deliver = (m) => (waiting ? (waiting(m), (waiting = null)) : queue.push(m));
  proc.on('message', deliver);
  proc.on('exit', (code, signal) => deliver({ error: `${what} exited (${signal ?? code})` }));
  return async (timeoutMs = TRIAL_TIMEOUT_MS) => {
    let timer;
    const m = queue.length
      ? queue.shift()
      : await new Promise((resolve) => {
          waiting = resolve;
          timer = setTimeout(() => resolve({ error: `${what}: no answer within ${timeoutMs} ms` }), timeoutMs);
        });
    clearTimeout(timer);
    if (m.error) throw new Error(m.error);
    return m;
  };
}

/**
 * Until the mutex shows a blocked waiter (Linux: the shared namespace counts the threads
 * registered on it; elsewhere there is no such view), then a random 50–100 ms more, so
 * that the waiter is in its OS wait and the kill lands anywhere in the cycle of a
 * periodic check of the owner, if the engine has one.
 */
async function untilBlocked(name) {
  for (let i = 0; i < 200; i++) {
    let object;
    try {
      object = inspectNamespace().objects.find((o) => o.name === name);
    } catch {
      break; // no namespace to inspect
    }
    if (object?.waiters > 0) break;
    await pause(5);
  }
  await pause(50 + Math.random() * 50);
}

/** `trials` kills of a holder of a `kind` object, the waiter in `mode`; latencies in ms (the first, warming up, dropped). */
async function measure(mode, kind, trials) {
  const waiter = fork(helper('abandon-waiter.mjs'), [mode]);
  const fromWaiter = channel(waiter, `the ${mode} waiter`);
  const latencies = [];
  try {
    await fromWaiter();
    for (let i = 0; i <= trials; i++) {
      const name = `Local\\bench-abandon-${process.pid}-${sequence++}`;
      const holder = fork(helper('abandon-holder.mjs'), [name, kind]);
      const holderExit = once(holder, 'exit');
      try {
        await channel(holder, 'the holder')();
        waiter.send({ name, kind });
        await fromWaiter();
        await untilBlocked(name);
        const killed = now();
        holder.kill('SIGKILL');
        const { outcome, woke } = await fromWaiter();
        const expected = kind === 'permit' ? 'recovered' : 'abandoned';
        if (outcome !== expected) throw new Error(`the ${mode} waiter's wait returned ${outcome}, not ${expected}`);
        if (i > 0) latencies.push((woke - killed) / 1000);
      } finally {
        holder.kill('SIGKILL');
        await holderExit;
      }
    }
    waiter.send({ stop: true });
    await once(waiter, 'exit');
  } finally {
    waiter.kill('SIGKILL');
  }
  return latencies;
}

function quantiles(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { n: sorted.length, p50: at(0.5), p90: at(0.9), worst: sorted[sorted.length - 1] };
}

export async function run({ quick, progress }) {
  const trials = quick ? 8 : 40;
  const rows = [];
  for (const [mode, kind, label] of [
    ['sync', 'mutex', 'blocking Mutex.wait() (@waitables/core): WAIT_ABANDONED'],
    ['async', 'mutex', 'await mutex.acquire() (@waitables/async): lock.abandoned'],
    ['sync', 'permit', 'crash-safe permit: blocking Semaphore.wait(), the unit back'],
    ['async', 'permit', 'crash-safe permit: await semaphore.acquire(), the unit back'],
  ]) {
    progress(`${label}, ${trials} kills`);
    rows.push({ label, ...quantiles(await measure(mode, kind, trials)) });
  }
  const [sync, awaited, permit, awaitedPermit] = rows;
  return {
    id: 'abandon-latency',
    title: "Abandonment: owner killed (-9), a blocked waiter in another process sees WAIT_ABANDONED, or gets the dead holder's permit (ms)",
    target:
      'p50 ≤ 2 ms, worst ≤ 10 ms, for the blocking wait on a mutex and on a crash-safe semaphore (the awaited rows are reported beside them)',
    met: sync.p50 <= 2 && sync.worst <= 10 && permit.p50 <= 2 && permit.worst <= 10,
    headline:
      `mutex, blocking wait: p50 ${sync.p50.toFixed(2)} ms, p90 ${sync.p90.toFixed(2)} ms, worst ${sync.worst.toFixed(2)} ms; awaited acquire(): p50 ${awaited.p50.toFixed(2)} ms, worst ${awaited.worst.toFixed(2)} ms; ` +
      `crash-safe permit, blocking: p50 ${permit.p50.toFixed(2)} ms, worst ${permit.worst.toFixed(2)} ms; awaited: p50 ${awaitedPermit.p50.toFixed(2)} ms, worst ${awaitedPermit.worst.toFixed(2)} ms (${sync.n} kills each)`,
    table: {
      columns: ['waiter', 'p50 ms', 'p90 ms', 'worst ms', 'kills'],
      rows: rows.map((r) => [r.label, r.p50, r.p90, r.worst, String(r.n)]),
    },
    ratios: {
      p50: sync.p50,
      worst: sync.worst,
      awaitedP50: awaited.p50,
      awaitedWorst: awaited.worst,
      permitP50: permit.p50,
      permitWorst: permit.worst,
      awaitedPermitP50: awaitedPermit.p50,
      awaitedPermitWorst: awaitedPermit.worst,
    },
  };
}
