// 5. Scale: distinct objects pending, and many awaiters on few objects: memory, threads,
// time to set up, time to wake all. Times are taken here, case after case; memory in a
// fresh process per case (bench/helpers/scale-memory.mjs), where full collections
// before and after leave only what the pending awaiters hold.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Event, Semaphore } from '@waitables/async';
import { waitPool } from '@waitables/async/internal';
import { pause } from '../lib/stats.mjs';

const memoryHelper = fileURLToPath(new URL('../helpers/scale-memory.mjs', import.meta.url));
// Below this many awaiters the difference drowns in the heap's own movement between two
// idle collections (tens of KB): no figure rather than a wrong one.
const MEMORY_MIN_N = 1000;

/** The memory of `n` pending awaiters in a fresh `node --expose-gc`: see scale-memory.mjs. */
async function memory(mode, n, objects = n) {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', memoryHelper, mode, String(n), String(objects)]);
  return JSON.parse(stdout);
}

async function distinct(n) {
  await pause(50);
  globalThis.gc?.(); // with npm run bench's --expose-gc: no collection of earlier garbage inside the timing
  const start = performance.now();
  const events = [];
  try {
    for (let i = 0; i < n; i++) events.push(Event.create());
    const pending = events.map((e) => e.wait());
    await pause(0);
    var setupMs = performance.now() - start;
    var threads = waitPool().stats().batchThreads;
    const wake = performance.now();
    for (const e of events) e.core.set();
    await Promise.all(pending);
    var wakeMs = performance.now() - wake;
  } finally {
    events.forEach((e) => e.close());
  }
  const mem = n >= MEMORY_MIN_N ? await memory('distinct', n) : null;
  return { label: `${n} distinct events`, n, setupMs, wakeMs, threads, mem };
}

async function awaiters(n, objects) {
  await pause(50);
  globalThis.gc?.(); // with npm run bench's --expose-gc: no collection of earlier garbage inside the timing
  const start = performance.now();
  const sems = Array.from({ length: objects }, () => Semaphore.create({ initialCount: 0, maximumCount: n }));
  const pending = Array.from({ length: n }, (_, i) => sems[i % objects].acquire());
  await pause(0);
  const setupMs = performance.now() - start;
  const threads = waitPool().stats().batchThreads;
  const wake = performance.now();
  for (const s of sems) s.release(Math.ceil(n / objects));
  const permits = await Promise.all(pending);
  const wakeMs = performance.now() - wake;
  permits.forEach((p) => p.release());
  sems.forEach((s) => s.close());
  const mem = await memory('awaiters', n, objects);
  // The objects are 10 here: their figure per object is noise; only the awaiters' counts.
  return { label: `${n} awaiters on ${objects} semaphores`, n, setupMs, wakeMs, threads, mem: { ...mem, jsPerObject: null } };
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
  const bytesPerAwaiter = big.mem.jsPerAwaiter;
  const d = rows.filter((r) => r.label.includes('distinct'));
  // Linear or better: the cost per object of the largest run at most twice that of the 64-object run.
  const perObject = (r) => (r.setupMs + r.wakeMs) / r.n;
  const growth = perObject(d[d.length - 1]) / perObject(d[1]);
  const dash = (v) => v ?? '—';
  return {
    id: 'scale',
    title: 'Scale: pending objects and awaiters',
    target:
      'cost linear or better in the number of objects; under 2 KB of memory per pending awaiter ' +
      '(JS memory: V8 heap without compiled code, plus external memory, in a fresh node --expose-gc, after full collections before and after creating the awaiters)',
    met: growth <= 2 && bytesPerAwaiter < 2048,
    headline: `${bytesPerAwaiter.toFixed(0)} bytes of JS memory per pending awaiter (${big.n} awaiters, fresh process, full GCs; RSS grew ${big.mem.rssPerAwaiter.toFixed(0)} bytes per awaiter); per-object cost at ${d[d.length - 1].n} objects is ${growth.toFixed(2)}x that at 64`,
    table: {
      columns: [
        'case',
        'setup ms',
        'wake all ms',
        'wait threads',
        'wait threads (fresh process)',
        'JS bytes per object',
        'JS bytes per awaiter',
        'RSS growth per awaiter (with wait threads)',
      ],
      rows: rows.map((r) => [
        r.label,
        r.setupMs,
        r.wakeMs,
        r.threads,
        dash(r.mem?.threads),
        dash(r.mem?.jsPerObject),
        dash(r.mem?.jsPerAwaiter),
        dash(r.mem?.rssPerAwaiter),
      ]),
    },
    ratios: { growth, bytesPerAwaiter, rssBytesPerAwaiter: big.mem.rssPerAwaiter },
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
