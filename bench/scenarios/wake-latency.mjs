// 1. Wake latency across threads and processes, as round trips: the awaiting code on the
// main thread resumes after another thread or process was woken and answered.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { Event as CoreEvent } from '@waitables/core';
import { Event } from '@waitables/async';
import { summarize } from '../lib/stats.mjs';

const helper = (name) => fileURLToPath(new URL(`../helpers/${name}`, import.meta.url));

const now = () => Number(process.hrtime.bigint()) / 1000;

/** One-way samples: `trigger()` starts a wake and resolves with the time the waker recorded; measured when the awaiting code runs. */
async function measure(samples, warmup, trigger) {
  const out = [];
  for (let i = 0; i < samples + warmup; i++) {
    const woke = await trigger();
    const arrived = now();
    if (i >= warmup) out.push(arrived - woke());
  }
  return out;
}

function shared() {
  const buffer = new SharedArrayBuffer(16);
  return { buffer, words: new Int32Array(buffer, 0, 2), time: new Float64Array(buffer, 8, 1) };
}

async function atomicsFloor(samples, warmup) {
  const { buffer, words, time } = shared();
  const worker = new Worker(helper('echo-worker.mjs'), { workerData: { mode: 'atomics', buffer } });
  await once(worker, 'online');
  const out = await measure(samples, warmup, async () => {
    Atomics.store(words, 1, 0);
    // Waiting before the worker is told, as ours waits before the set: otherwise a worker
    // quicker than this thread leaves waitAsync nothing to wait for, and no wake is timed.
    const r = Atomics.waitAsync(words, 1, 0);
    Atomics.store(words, 0, 1);
    Atomics.notify(words, 0);
    if (r.async) await r.value;
    return () => time[0];
  });
  Atomics.store(words, 0, 2);
  Atomics.notify(words, 0);
  await worker.terminate();
  return out;
}

async function portFloor(samples, warmup) {
  const worker = new Worker(helper('echo-worker.mjs'), { workerData: { mode: 'port' } });
  await once(worker, 'online');
  const out = await measure(samples, warmup, async () => {
    const reply = once(worker, 'message');
    worker.postMessage(1);
    const [t] = await reply;
    return () => t;
  });
  await worker.terminate();
  return out;
}

async function pipeFloor(samples, warmup) {
  const child = spawn(process.execPath, [helper('pipe-echo-child.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdout.setEncoding('utf8');
  await once(child.stdout, 'data'); // ready
  const out = await measure(samples, warmup, async () => {
    const reply = once(child.stdout, 'data');
    child.stdin.write('x');
    const t = Number(await reply);
    return () => t;
  });
  child.stdin.end();
  await once(child, 'exit');
  return out;
}

async function piscinaTask(samples, warmup) {
  const pool = new Piscina({ filename: helper('piscina-task.mjs'), minThreads: 1, maxThreads: 1 });
  const out = await measure(samples, warmup, async () => {
    const t = await pool.run(null);
    return () => t;
  });
  await pool.destroy();
  return out;
}

async function blockingFloor(samples) {
  const { buffer } = shared();
  const ping = CoreEvent.create();
  const pong = CoreEvent.create();
  const data = { buffer, ping: ping.handle, pong: pong.handle, samples };
  const waiter = new Worker(helper('echo-worker.mjs'), { workerData: { mode: 'blocking', ...data } });
  const waiterExit = once(waiter, 'exit');
  await once(waiter, 'message');
  const setter = new Worker(helper('echo-worker.mjs'), { workerData: { mode: 'setter', ...data } });
  // Listen for the exits now: the setter may be gone before the samples arrive.
  const setterExit = once(setter, 'exit');
  const [out] = await once(waiter, 'message');
  await Promise.all([waiterExit, setterExit]);
  ping.close();
  pong.close();
  return out;
}

async function oursThread(samples, warmup) {
  const { buffer, time } = shared();
  const ping = CoreEvent.create();
  const pong = Event.create();
  const stop = CoreEvent.create({ manualReset: true });
  const partner = new Worker(helper('echo-worker.mjs'), {
    workerData: { mode: 'core', buffer, ping: ping.handle, pong: pong.core.handle, stop: stop.handle },
  });
  await once(partner, 'message');
  const out = await measure(samples, warmup, async () => {
    const woken = pong.wait();
    ping.set();
    await woken;
    return () => time[0];
  });
  stop.set();
  await once(partner, 'exit');
  for (const e of [ping, pong, stop]) e.close();
  return out;
}

async function oursProcess(samples, warmup) {
  const tag = `${process.pid}-${Date.now()}`;
  const names = [`Local\\bench-ping-${tag}`, `Local\\bench-pong-${tag}`, `Local\\bench-stop-${tag}`];
  const ping = CoreEvent.create({ name: names[0] });
  const pong = Event.create({ name: names[1] });
  const stop = CoreEvent.create({ name: names[2], manualReset: true });
  const child = spawn(process.execPath, [helper('echo-child.mjs'), ...names], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  while (!output.includes('ready')) await new Promise((r) => setTimeout(r, 5));
  const arrivals = [];
  // Shaped as measure()'s trigger, so that the awaiting code runs after as many turns as the floors'.
  const trigger = async () => {
    const woken = pong.wait();
    ping.set();
    await woken;
  };
  for (let i = 0; i < samples + warmup; i++) {
    await trigger();
    arrivals.push(now());
  }
  stop.set();
  await once(child, 'exit');
  const sent = JSON.parse(output.slice(output.indexOf('\n') + 1));
  for (const e of [ping, pong, stop]) e.close();
  return arrivals.slice(warmup).map((t, i) => t - sent[i + warmup]);
}

export async function run({ quick, progress }) {
  const samples = quick ? 400 : 3000;
  // Steady state, as in a long-running service: every contender first wakes this many
  // times, unmeasured, so that V8 has compiled its path (a colder run of ours shows the
  // compiler's background work as millisecond tails, while the floors' few lines are warm
  // after a handful of wakes).
  const warmup = quick ? 3000 : 10000;
  const rows = {};
  const step = async (label, fn) => {
    progress(label);
    rows[label] = await fn();
  };
  await step('Atomics.waitAsync, worker to main (floor)', () => atomicsFloor(samples, warmup));
  await step('MessagePort, worker to main (floor)', () => portFloor(samples, warmup));
  await step('pipe, child process to main (floor)', () => pipeFloor(samples, warmup));
  await step('piscina task result, worker to main', () => piscinaTask(samples, warmup));
  await step('blocking WaitForSingleObject, worker to worker', () => blockingFloor(samples));
  await step('ours: Event.wait(), woken by a worker thread', () => oursThread(samples, warmup));
  await step('ours: Event.wait(), woken by another process', () => oursProcess(samples, warmup));
  const summary = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, summarize(v)]));
  const bestOf = (keys) => ({
    p50: Math.min(...keys.map((k) => summary[k].p50)),
    p99: Math.min(...keys.map((k) => summary[k].p99)),
  });
  const ratioTo = (key, floor) => ({ p50: summary[key].p50 / floor.p50, p99: summary[key].p99 / floor.p99 });
  const atomics = 'Atomics.waitAsync, worker to main (floor)';
  // From a thread: the best main-thread floor. From a process: the best floor a Node
  // process can cross processes with (Atomics.waitAsync cannot), measured the same way.
  const thread = ratioTo('ours: Event.wait(), woken by a worker thread', bestOf([atomics, 'MessagePort, worker to main (floor)']));
  const proc = ratioTo('ours: Event.wait(), woken by another process', bestOf(['pipe, child process to main (floor)']));
  const procVsAtomics = ratioTo('ours: Event.wait(), woken by another process', summary[atomics]);
  const meets = (r) => r.p50 <= 1.3 && r.p99 <= 2;
  const piscinaVsPort = summary['piscina task result, worker to main'].p50 / summary['MessagePort, worker to main (floor)'].p50;
  const x = (v) => `${v.toFixed(2)}x`;
  return {
    id: 'wake-latency',
    title: `Wake latency across threads and processes (one way, µs: from the wake to the awaiting code running; after ${warmup} unmeasured wakes each)`,
    target:
      'p50 within 1.3x and p99 within 2x of the floor, both from a worker thread (the best main-thread floor: Atomics.waitAsync, MessagePort) ' +
      'and from another process (the cross-process floor: a pipe from a child process, as Atomics.waitAsync cannot cross processes); met only if both are',
    met: meets(thread) && meets(proc),
    headline:
      `thread: p50 ${x(thread.p50)}, p99 ${x(thread.p99)} the best main-thread floor (${meets(thread) ? 'met' : 'not met'}); ` +
      `process: p50 ${x(proc.p50)}, p99 ${x(proc.p99)} the pipe floor (${meets(proc) ? 'met' : 'not met'}; ` +
      `${x(procVsAtomics.p50)} / ${x(procVsAtomics.p99)} the Atomics.waitAsync floor); piscina's round trip is ${x(piscinaVsPort)} a plain MessagePort's`,
    table: {
      columns: ['contender', 'p50 µs', 'p99 µs', 'max µs', 'n'],
      rows: Object.entries(summary).map(([k, s]) => [k, s.p50, s.p99, s.max, s.n]),
    },
    ratios: {
      p50: thread.p50,
      p99: thread.p99,
      processP50: proc.p50,
      processP99: proc.p99,
      processVsAtomicsP50: procVsAtomics.p50,
      processVsAtomicsP99: procVsAtomics.p99,
      piscinaVsPort,
    },
    charts: [
      {
        file: 'wake-latency-cdf.svg',
        kind: 'line',
        spec: {
          title: 'Wake latency: share of wakes under x µs (one way)',
          xLabel: 'µs (log10)',
          yLabel: 'fraction of samples',
          series: Object.entries(rows).map(([name, values]) => {
            const sorted = [...values].sort((a, b) => a - b);
            const points = [];
            for (let q = 0; q <= 100; q += 2)
              points.push([Math.log10(sorted[Math.min(sorted.length - 1, Math.floor((q / 100) * sorted.length))]), q / 100]);
            return { name: name.replace(' (floor)', ''), points };
          }),
        },
      },
    ],
  };
}
