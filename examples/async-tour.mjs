// The tour of packages/async/README.md, kept identical to it by test/async/readme.test.ts.
import { spawn } from 'node:child_process';
import { Event, Mutex, Semaphore, processExit, ticks, waitAny } from '@waitables/async';

// A named semaphore caps work across every process of the fleet.
const slots = Semaphore.create({ name: 'Local\\gpu-slots', initialCount: 2, maximumCount: 2 });
const permit = await slots.acquire({ signal: AbortSignal.timeout(10_000) });
try {
  console.log('holding a slot', permit.released);
} finally {
  permit.release();
}
// The same as a callback: the unit is released however the function ends.
console.log(await slots.run(() => 'ran holding a slot', { timeout: 10_000 }));

// A named mutex around a device; released on the right thread when the callback ends.
const device = Mutex.create({ name: 'Local\\device' });
await device.runExclusive(
  (lock) => {
    if (lock.abandoned) console.warn('the previous holder died while holding the device');
    console.log('using the device');
  },
  { timeout: 5_000 },
);

// An event set by a C++ or Python service; whichever comes first.
const shutdown = Event.create({ name: 'Local\\shutdown', manualReset: true });
const work = Event.create({ name: 'Local\\work' });
work.set();
const first = await waitAny([shutdown, work], { timeout: 1_000 });
console.log(first.object === work ? 'work to do' : 'shutting down');
// waitAny / waitAll give a `lock` for a mutex and a `permit` for a semaphore they took,
// as @waitables/postgres does; `release()` returns a promise on both engines.

// Every signal of an event; `break` cancels the wait in progress.
work.set();
for await (const n of work) {
  console.log('signal', n);
  break;
}

// Ticks that do not drift: tick n is due at start + n × 10 ms.
for await (const tick of ticks(10)) {
  console.log('tick', tick.index, (tick.actual - tick.scheduled).toFixed(2), 'ms late');
  if (tick.index >= 3) break;
}

// A process's exit as a promise (pid-reuse safe).
const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 100)']);
await processExit(child.pid, { timeout: 10_000 });
console.log('the child exited');
