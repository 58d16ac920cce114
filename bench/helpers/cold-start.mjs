// One fresh process of the cold-start bench (bench/scenarios/cold-start.mjs): where its
// first moments go. Prints one JSON line of milliseconds:
//   importCore / importAsync: `import` of each package (the first includes koffi only when
//     a backend is first used, see below);
//   create: the first object (loads this platform's backend and attaches the namespace);
//   firstWait / secondWait: an awaited Event.wait() that must block, from the call to the
//     resume, on an event this process sets 5 ms after the call (the first starts the
//     wait thread, and is tried on the main thread while it starts; the second finds it
//     running);
//   threadSpawn / threadLoad / threadAttach / threadReport: the first wait's thread, from
//     `new Worker` to its isolate's start, loading its modules (Node's worker bootstrap and
//     the imports), attaching the backend, and its ready report read by the pool;
//   workerFloor: a bare worker_threads Worker from `new` to its first message (what any
//     thread costs to start here), measured after the rest.
import { Worker } from 'node:worker_threads';

const at = () => performance.now();
const t0 = at();
await import('@waitables/core');
const t1 = at();
const { Event } = await import('@waitables/async');
const { waitPool } = await import('@waitables/async/internal');
const t2 = at();
const event = Event.create({ name: `Local\\bench-cold-${process.pid}` });
const t3 = at();
const timed = async () => {
  const setter = setTimeout(() => event.core.set(), 5);
  const start = at();
  await event.wait();
  clearTimeout(setter);
  return at() - start;
};
const firstWait = await timed();
// The thread the first wait started, once it runs (the first wait may be served before:
// startup-bridge.ts), and where its start went (wait-thread.ts: startup).
await waitPool().warmUp();
const thread = waitPool().stats().startups[0];
const secondWait = await timed();
event.close();
const w0 = at();
const worker = new Worker("require('node:worker_threads').parentPort.postMessage(0)", { eval: true });
await new Promise((resolve) => worker.once('message', resolve));
const workerFloor = at() - w0;
await worker.terminate();
process.stdout.write(
  `${JSON.stringify({
    nodeBoot: t0,
    importCore: t1 - t0,
    importAsync: t2 - t1,
    create: t3 - t2,
    firstWait,
    threadSpawn: thread.spawnMs,
    threadLoad: thread.loadMs,
    threadAttach: thread.attachMs,
    threadReport: thread.reportMs,
    secondWait,
    workerFloor,
  })}\n`,
);
process.exit(0);
