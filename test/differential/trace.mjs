// Runs a random but seeded sequence of operations on the backend from several threads
// and processes, one operation at a time, and writes what each returned (a value or a
// Win32 error code) to a JSON file. Run on two platforms with the same seed, the
// traces must be identical.
//   node trace.mjs <seed> <out.json> [operations]
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { getBackend, EVENT_ALL_ACCESS, MUTEX_ALL_ACCESS, SEMAPHORE_ALL_ACCESS, TIMER_ALL_ACCESS, SYNCHRONIZE } from '@waitables/core';

const [seedArg, outFile, countArg] = process.argv.slice(2);
const seed = Number(seedArg);
const operations = Number(countArg ?? 300);
const actorScript = fileURLToPath(new URL('../fixtures/actor.mjs', import.meta.url));

// mulberry32: a small seeded generator, the same on every platform.
let state = seed >>> 0;
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];
const int = (n) => Math.floor(random() * n);

/** An actor runs backend calls in its own thread or process: { call(method, ...args) }. */
function channel(endpoint, send) {
  let next = 1;
  const waiting = new Map();
  endpoint.on('message', (m) => {
    if (m.id === undefined || m.started) return;
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    w?.(m);
  });
  return {
    call(method, ...args) {
      const id = next++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        send({ id, method, args: args.map((a) => (typeof a === 'bigint' ? { bigint: String(a) } : a)) });
      });
    },
    end: () => send({ id: next++, method: 'exit', args: [0] }),
  };
}
function ready(endpoint) {
  return new Promise((resolve) => endpoint.on('message', (m) => m.ready && resolve()));
}

const backend = getBackend();
const local = {
  call: async (method, ...args) => {
    try {
      return { value: backend[method](...args) };
    } catch (error) {
      return { error: { errno: error.errno } };
    }
  },
  end() {},
};
const worker1 = new Worker(actorScript);
const worker2 = new Worker(actorScript);
const child = fork(actorScript, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
await Promise.all([ready(worker1), ready(worker2), ready(child)]);
// Threads 0-2 share this process's handles; thread 3 is another process.
const actors = [
  { process: 0, ...local },
  { process: 0, ...channel(worker1, (m) => worker1.postMessage(m)) },
  { process: 0, ...channel(worker2, (m) => worker2.postMessage(m)) },
  { process: 1, ...channel(child, (m) => child.send(m)) },
];
const handles = [new Map(), new Map()]; // per process: object number -> raw handle

const run = `${process.pid}-${Date.now()}`;
const nameOf = (i) => `Local\\diff-${run}-${i}`;
const kinds = ['event', 'mutex', 'semaphore', 'timer'];
const allAccess = { event: EVENT_ALL_ACCESS, mutex: MUTEX_ALL_ACCESS, semaphore: SEMAPHORE_ALL_ACCESS, timer: TIMER_ALL_ACCESS };
const objects = 6;
const trace = [];

function outcome(reply) {
  if (reply.error) return { error: reply.error.errno };
  const v = reply.value;
  if (v && typeof v === 'object' && 'handle' in v) return { existed: v.existed };
  return { value: v ?? null };
}

for (let step = 0; step < operations; step++) {
  const actorIndex = int(actors.length);
  const actor = actors[actorIndex];
  const table = handles[actor.process];
  const i = int(objects);
  const owned = [...table.keys()];
  const h = table.get(i);
  const op = pick(['create', 'create', 'open', 'signal', 'signal', 'release', 'release', 'wait', 'wait', 'wait', 'close', 'timer']);
  let entry;
  if (op === 'create' || op === 'open') {
    if (h !== undefined) continue;
    const kind = pick(kinds);
    const name = nameOf(i);
    let reply;
    if (op === 'open') {
      const access = pick([allAccess[kind], SYNCHRONIZE, allAccess[kind] & ~SYNCHRONIZE]);
      const method = { event: 'openEvent', mutex: 'openMutex', semaphore: 'openSemaphore', timer: 'openWaitableTimer' }[kind];
      reply = await actor.call(method, name, access, false);
      if (!reply.error) table.set(i, reply.value);
      entry = { op, kind, i, access };
    } else {
      const args = {
        event: { name, manualReset: random() < 0.5, initialState: random() < 0.5, access: EVENT_ALL_ACCESS },
        mutex: { name, initialOwner: random() < 0.5, access: MUTEX_ALL_ACCESS },
        semaphore: { name, initialCount: int(4) - 1, maximumCount: int(4), access: SEMAPHORE_ALL_ACCESS },
        timer: { name, manualReset: random() < 0.5, highResolution: false, access: TIMER_ALL_ACCESS },
      }[kind];
      const method = { event: 'createEvent', mutex: 'createMutex', semaphore: 'createSemaphore', timer: 'createWaitableTimer' }[kind];
      reply = await actor.call(method, args);
      if (!reply.error) table.set(i, reply.value.handle);
      entry = { op, kind, i, args: { ...args, name: undefined } };
    }
    // Handle values differ between platforms: an open records only that it succeeded.
    trace.push({ ...entry, actor: actorIndex, result: op === 'open' && !reply.error ? { opened: true } : outcome(reply) });
    continue;
  }
  if (h === undefined) continue;
  let reply;
  if (op === 'signal') {
    const method = pick(['setEvent', 'resetEvent', 'pulseEvent']);
    reply = await actor.call(method, h);
    entry = { op: method, i };
  } else if (op === 'release') {
    if (random() < 0.5) {
      const count = pick([-1, 0, 1, 1, 2, 5]);
      reply = await actor.call('releaseSemaphore', h, count);
      entry = { op: 'releaseSemaphore', i, count };
    } else {
      reply = await actor.call('releaseMutex', h);
      entry = { op: 'releaseMutex', i };
    }
  } else if (op === 'timer') {
    if (random() < 0.5) {
      // Far in the future (relative) or long past (absolute): no timing in the outcome.
      const due = pick([-36_000_000_000n, 1n, 116_444_736_000_000_000n]);
      // A period after a past due time would make the outcome depend on timing.
      const period = due < 0n ? pick([0, 10, -1]) : pick([0, -1]);
      reply = await actor.call('setWaitableTimer', h, due, period, false);
      entry = { op: 'setWaitableTimer', i, due: String(due), period };
    } else {
      reply = await actor.call('cancelWaitableTimer', h);
      entry = { op: 'cancelWaitableTimer', i };
    }
  } else if (op === 'wait') {
    const n = 1 + int(Math.min(4, owned.length));
    const list = Array.from({ length: n }, () => pick(owned));
    const waitAll = random() < 0.4;
    reply = await actor.call(
      'waitForMultipleObjects',
      list.map((k) => table.get(k)),
      waitAll,
      0,
      false,
    );
    entry = { op: waitAll ? 'waitAll' : 'waitAny', list };
  } else {
    reply = await actor.call('closeHandle', h);
    table.delete(i);
    entry = { op: 'close', i };
  }
  trace.push({ ...entry, actor: actorIndex, result: outcome(reply) });
}

for (const a of actors) a.end();
await Promise.all([
  new Promise((r) => worker1.once('exit', r)),
  new Promise((r) => worker2.once('exit', r)),
  new Promise((r) => child.once('exit', r)),
]);
writeFileSync(outFile, JSON.stringify(trace));
