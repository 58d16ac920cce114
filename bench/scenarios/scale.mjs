// 5. Scale: distinct objects pending, and many awaiters on few objects: memory, threads,
// time to set up, time to wake all.
import { Event, Semaphore, waitPool } from '@waitables/async';
import { pause } from '../lib/stats.mjs';

function rss() {
  globalThis.gc?.();
  return process.memoryUsage().rss;
}

async function distinct(n) {
  await pause(50);
  const before = rss();
  const start = performance.now();
  const events = [];
  try {
    for (let i = 0; i < n; i++) events.push(Event.create());
    const pending = events.map((e) => e.wait());
    await pause(0);
    var setupMs = performance.now() - start;
    var threads = waitPool().stats().batchThreads;
    var memory = rss() - before;
    const wake = performance.now();
    for (const e of events) e.core.set();
    await Promise.all(pending);
    var wakeMs = performance.now() - wake;
  } finally {
    events.forEach((e) => e.close());
  }
  return { label: `${n} distinct events`, n, setupMs, wakeMs, threads, bytesPerWaiter: memory / n };
}

async function awaiters(n, objects) {
  await pause(50);
  const before = rss();
  const start = performance.now();
  const sems = Array.from({ length: objects }, () => Semaphore.create({ initialCount: 0, maximumCount: n }));
  const pending = Array.from({ length: n }, (_, i) => sems[i % objects].acquire());
  await pause(0);
  const setupMs = performance.now() - start;
  const threads = waitPool().stats().batchThreads;
  const memory = rss() - before;
  const wake = performance.now();
  for (const s of sems) s.release(Math.ceil(n / objects));
  const permits = await Promise.all(pending);
  const wakeMs = performance.now() - wake;
  permits.forEach((p) => p.release());
  sems.forEach((s) => s.close());
  return { label: `${n} awaiters on ${objects} semaphores`, n, setupMs, wakeMs, threads, bytesPerWaiter: memory / n };
}

export async function run({ quick, progress }) {
  const rows = [];
  for (const n of quick ? [1, 64, 1000] : [1, 64, 1000, 10_000]) {
    progress(`${n} distinct objects`);
    rows.push(await distinct(n));
  }
  progress('awaiters on few objects');
  rows.push(await awaiters(quick ? 10_000 : 100_000, 10));
  const big = rows[rows.length - 1];
  const d = rows.filter((r) => r.label.includes('distinct'));
  // Linear or better: the cost per object of the largest run at most twice that of the 64-object run.
  const perObject = (r) => (r.setupMs + r.wakeMs) / r.n;
  const growth = perObject(d[d.length - 1]) / perObject(d[1]);
  return {
    id: 'scale',
    title: 'Scale: pending objects and awaiters',
    target: 'cost linear or better in the number of objects; under 2 KB of memory per pending awaiter',
    met: growth <= 2 && big.bytesPerWaiter < 2048,
    headline: `${big.bytesPerWaiter.toFixed(0)} bytes per awaiter (${big.n} awaiters); per-object cost at ${d[d.length - 1].n} objects is ${growth.toFixed(2)}x that at 64`,
    table: {
      columns: ['case', 'setup ms', 'wake all ms', 'wait threads', 'bytes per waiter (RSS)'],
      rows: rows.map((r) => [r.label, r.setupMs, r.wakeMs, r.threads, r.bytesPerWaiter]),
    },
    ratios: { growth, bytesPerAwaiter: big.bytesPerWaiter },
    charts: [
      {
        file: 'scale.svg',
        kind: 'line',
        spec: {
          title: 'Time to set up and wake all, by distinct objects pending',
          xLabel: 'objects (log10)',
          yLabel: 'ms',
          series: [
            { name: 'set up', points: d.map((r) => [Math.log10(r.n), r.setupMs]) },
            { name: 'wake all', points: d.map((r) => [Math.log10(r.n), r.wakeMs]) },
          ],
        },
      },
    ],
  };
}
