// The waitables demo: named objects shared by real processes.
//   1. Three worker processes share two slots of a named semaphore, released together
//      by a named manual-reset event; the parent waits for all of them at once
//      (a wait-all on their process handles).
//   2. A process that holds a named mutex is killed; the next waiter is told the
//      mutex was abandoned, and owns it.
//   3. A periodic waitable timer ticks on schedule.
//   4. The same, awaited from the event loop with @waitables/async: an acquire that
//      a child process satisfies, a timeout through an AbortSignal, waitAny, ticks and
//      a process's exit as promises.
//   5. The waitables command: two processes sharing a lock, a semaphore of one unit, a
//      waiter woken by `waitables set` from another process, and ticks.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as awaitable from '@waitables/async';
import { fileURLToPath } from 'node:url';
import { Event, Mutex, Process, Semaphore, WaitableTimer, waitAll } from '@waitables/core';

// On Linux the demo's objects live in a namespace directory of its own (private, removed
// at the end), shared with its child processes through the environment: it neither
// leaves objects in your namespace nor depends on what another version left there.
// WAITABLES_SHM_DIR set by you wins. (The backend reads it at the first object.)
let ownNamespace = null;
if (process.platform === 'linux' && process.env.WAITABLES_SHM_DIR === undefined) {
  ownNamespace = mkdtempSync(join(tmpdir(), 'waitables-demo-'));
  process.env.WAITABLES_SHM_DIR = join(ownNamespace, 'ns');
}
const worker = fileURLToPath(new URL('./worker.mjs', import.meta.url));
const tag = `${process.pid}`;
const names = {
  go: `Local\\waitables-demo-go-${tag}`,
  slots: `Local\\waitables-demo-slots-${tag}`,
  lock: `Local\\waitables-demo-lock-${tag}`,
  ready: `Local\\waitables-demo-ready-${tag}`,
  held: `Local\\waitables-demo-held-${tag}`,
};
// One clock for every line of every process: milliseconds since the demo started
// (wall clock, so that child processes can print the same scale: see worker.mjs).
const start = Date.now();
const t = () => `${String(Date.now() - start).padStart(5)} ms`;
const run = (...args) =>
  spawn(process.execPath, [worker, ...args], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, WAITABLES_DEMO_START: String(start) },
  });

console.log(
  `waitables demo on ${process.platform} (pid ${process.pid}${ownNamespace ? `; objects in ${process.env.WAITABLES_SHM_DIR}` : ''})\n`,
);

console.log('1. three processes, two slots of a named semaphore');
{
  const go = Event.create({ name: names.go, manualReset: true });
  const slots = Semaphore.create({ name: names.slots, initialCount: 2, maximumCount: 2 });
  const ready = Semaphore.create({ name: names.ready, initialCount: 0, maximumCount: 3 });
  const children = [1, 2, 3].map((n) => run('slot', String(n), names.go, names.slots, names.ready));
  await Promise.all(children.map((c) => new Promise((resolve) => c.once('spawn', resolve))));
  const handles = children.map((c) => Process.open(c.pid));
  for (let i = 0; i < 3; i++) ready.wait(30_000); // each worker releases one unit once it is waiting for "go"
  ready.close();
  console.log(`${t()}  parent: setting "go"`);
  go.set();
  const done = waitAll(handles, 30_000);
  console.log(
    `${t()}  parent: all three exited (wait-all on process handles: ${done ? 'signaled' : 'timeout'}),`,
    `exit codes ${handles.map((h) => h.exitCode).join(', ')}`,
  );
  console.log(`${t()}  parent: both slots are free again: ${slots.wait(0)} ${slots.wait(0)}`);
  slots.release(2);
  [go, slots, ...handles].forEach((h) => h.close());
}

console.log('\n2. a holder of a named mutex is killed');
{
  const lock = Mutex.create({ name: names.lock });
  const held = Event.create({ name: names.held });
  const holder = run('hold', names.lock, names.held);
  held.wait(30_000); // the holder sets it once it owns the mutex
  console.log(`${t()}  parent: killing pid ${holder.pid} while it holds the mutex`);
  holder.kill('SIGKILL');
  console.log(`${t()}  parent: wait on the mutex -> ${lock.wait(10_000)} (the parent owns it now)`);
  lock.release();
  lock.close();
  held.close();
}

console.log('\n3. a waitable timer, 5 ticks of 20 ms');
{
  const timer = WaitableTimer.create();
  const t0 = performance.now();
  timer.set({ delayMs: 20 }, { periodMs: 20 });
  for (let i = 1; i <= 5; i++) {
    timer.wait();
    const late = performance.now() - t0 - 20 * i;
    console.log(`${t()}  tick ${i}: ${late >= 0 ? '+' : ''}${late.toFixed(1)} ms against its schedule (${20 * i} ms after the set)`);
  }
  timer.cancel();
  console.log(`  high-resolution timer: ${timer.highResolution}`);
  timer.close();
}
console.log('\n4. awaited from the event loop (@waitables/async)');
{
  const slots = awaitable.Semaphore.create({ name: names.slots, initialCount: 0, maximumCount: 1 });
  const go = awaitable.Event.create({ name: names.go, manualReset: true });
  const heartbeat = setInterval(() => undefined, 5); // the event loop keeps running meanwhile
  try {
    await slots.acquire({ signal: AbortSignal.timeout(50) });
  } catch (error) {
    console.log(`${t()}  acquire with AbortSignal.timeout(50): ${error.name}`);
  }
  const releaser = run('release', names.slots);
  const permit = await slots.acquire({ timeout: 30_000 });
  console.log(`${t()}  acquire resolved: pid ${releaser.pid} released a unit`);
  const exited = once(releaser, 'exit');
  const exitCode = await awaitable.processExit(releaser.pid, { timeout: 30_000 });
  // On Linux the OS keeps a child's exit code only until Node reaps the child, which it
  // may have done already: then Node's own record of it says the code.
  const code = exitCode ?? `${(await exited)[0]} (from Node's child_process: Node had reaped it)`;
  console.log(`${t()}  processExit(${releaser.pid}) -> exited with code ${code}`);
  setTimeout(() => go.set(), 20);
  const fired = await awaitable.waitAny([slots, go]);
  console.log(`${t()}  waitAny([slots, go]) -> index ${fired.index} (go, set 20 ms later; the slot is still held)`);
  permit.release();
  for await (const tick of awaitable.ticks(20)) {
    console.log(`${t()}  tick ${tick.index}: +${(tick.actual - tick.scheduled).toFixed(2)} ms against its schedule, ${tick.missed} missed`);
    if (tick.index >= 3) break;
  }
  clearInterval(heartbeat);
  slots.close();
  go.close();
}
console.log('\n5. the waitables command');
{
  const bin = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
  // The commands write to this terminal as they run, so lines come in the order they happen.
  const waitables = (...args) => {
    const quiet = args[0] === 'set'; // repeated below until it lands; its warnings would only repeat
    const child = spawn(process.execPath, [bin, ...args], { stdio: quiet ? 'ignore' : 'inherit' });
    return new Promise((resolve) => child.once('exit', (status) => resolve({ status })));
  };
  const say = (label, r) => console.log(`${t()}  ${label} -> exit status ${r.status}`);
  const work = (who) => [
    '--',
    process.execPath,
    '-e',
    `const t = () => String(Date.now() - ${start}).padStart(5) + ' ms';` +
      `console.log(t() + '  ${who}: in'); const end = Date.now() + 300; while (Date.now() < end);` +
      `console.log(t() + '  ${who}: out')`,
  ];
  const lockName = `demo-cli-lock-${tag}`;
  console.log(`${t()}  A and B run "waitables lock ${lockName}" at once: one waits for the other`);
  const [first, second] = await Promise.all([waitables('lock', lockName, ...work('A')), waitables('lock', lockName, ...work('B'))]);
  say(`waitables lock ${lockName} (A)`, first);
  say(`waitables lock ${lockName} (B)`, second);
  const semName = `demo-cli-sem-${tag}`;
  console.log(`${t()}  C and D run "waitables sem ${semName} --max 1" at once`);
  const sems = await Promise.all(['C', 'D'].map((who) => waitables('sem', semName, '--max', '1', ...work(who))));
  sems.forEach((r, i) => say(`waitables sem ${semName} --max 1 (${'CD'[i]})`, r));
  const eventName = `demo-cli-event-${tag}`;
  console.log(`${t()}  waitables wait ${eventName} --verbose, then another process runs waitables set ${eventName}`);
  const waiter = waitables('wait', eventName, '--verbose', '--timeout', '30s');
  // Set until the waiter has it: a set before the waiter opened the event would be lost.
  let woken = null;
  void waiter.then((r) => (woken = r));
  while (woken === null) {
    await waitables('set', eventName);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  say(`waitables wait ${eventName} (woken by waitables set ${eventName})`, woken);
  console.log(`${t()}  waitables ticks --period 10ms --count 5 (lateness of each tick against its schedule):`);
  say('waitables ticks --period 10ms --count 5', await waitables('ticks', '--period', '10ms', '--count', '5'));
}
console.log('\ndemo finished');
if (ownNamespace) {
  await awaitable.closeWaitPool();
  rmSync(ownNamespace, { recursive: true, force: true });
}
