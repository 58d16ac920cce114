// Memory of pending awaiters for the scale bench, measured in a fresh process started
// with --expose-gc (bench/scenarios/scale.mjs runs one per case): a process that has
// run other cases holds garbage whose collection would make the difference meaningless.
//   node --expose-gc scale-memory.mjs distinct <n>            n events, one awaiter each
//   node --expose-gc scale-memory.mjs awaiters <n> <objects>  n awaiters on `objects` semaphores
// Prints one JSON line: JS bytes per object and per pending awaiter, the RSS growth per
// awaiter (thread stacks and the wait threads' own heaps show only there), and the wait
// threads running. JS bytes: the V8 heap in use without its code spaces (compiled code
// comes and goes by a few hundred KB between two idle collections) plus `external`
// (which includes array buffers).
import { getHeapSpaceStatistics } from 'node:v8';
import { Event, Semaphore } from '@waitables/async';
import { waitPool } from '@waitables/async/internal';

if (typeof globalThis.gc !== 'function') throw new Error('scale-memory.mjs needs node --expose-gc');
const [mode, nArg, objectsArg] = process.argv.slice(2);
const n = Number(nArg);
const objectCount = mode === 'distinct' ? n : Number(objectsArg);
const turn = () => new Promise((resolve) => setImmediate(resolve));
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Full collections until the heap stops shrinking; turns between them let finalizers run. */
async function settled() {
  let last = Infinity;
  for (let i = 0; i < 10; i++) {
    globalThis.gc();
    await turn();
    const { heapUsed } = process.memoryUsage();
    if (i >= 3 && heapUsed >= last) break;
    last = heapUsed;
  }
  const m = process.memoryUsage();
  const code = getHeapSpaceStatistics()
    .filter((space) => space.space_name.startsWith('code_'))
    .reduce((sum, space) => sum + space.space_used_size, 0);
  return { js: m.heapUsed - code + m.external, rss: m.rss };
}

function makeObjects(count) {
  return mode === 'distinct'
    ? Array.from({ length: count }, () => Event.create())
    : Array.from({ length: count }, () => Semaphore.create({ initialCount: 0, maximumCount: n }));
}

function makeAwaiters(objects, count) {
  return Array.from({ length: count }, (_, i) => (mode === 'distinct' ? objects[i].wait() : objects[i % objects.length].acquire()));
}

async function wakeAll(objects, pending) {
  if (mode === 'distinct') for (const e of objects) e.core.set();
  else for (const s of objects) s.release(Math.ceil(pending.length / objects.length));
  const results = await Promise.all(pending);
  if (mode !== 'distinct') results.forEach((permit) => permit.release());
  objects.forEach((o) => o.close());
}

// A small round of the same case first: code compiled, lazily built tables allocated,
// a wait thread up, so that the measured difference is the awaiters' own.
{
  const objects = makeObjects(Math.min(objectCount, 8));
  const pending = makeAwaiters(objects, Math.min(n, 8));
  await pause(20);
  await wakeAll(objects, pending);
}

const base = await settled();
const objects = makeObjects(objectCount);
const withObjects = await settled();
const pending = makeAwaiters(objects, n);
// Let the pool hand the waits to its threads (and start the threads it needs).
await pause(100);
const withAwaiters = await settled();
const threads = waitPool().stats().batchThreads;
await wakeAll(objects, pending);

process.stdout.write(
  `${JSON.stringify({
    n,
    objects: objectCount,
    jsPerObject: (withObjects.js - base.js) / objectCount,
    jsPerAwaiter: (withAwaiters.js - withObjects.js) / n,
    rssPerAwaiter: (withAwaiters.rss - withObjects.rss) / n,
    threads,
  })}\n`,
);
