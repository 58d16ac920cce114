// The tour of packages/async/README.md, kept identical to it by test/async/readme.test.ts.
import { Event, Mutex, Semaphore, processExit, ticks, waitAny } from '@waitables/async';

// A named semaphore caps work across every process of the fleet.
const slots = Semaphore.create({ name: 'Local\\gpu-slots', initialCount: 2, maximumCount: 2 });
{
  using permit = await slots.acquire({ signal: AbortSignal.timeout(10_000) });
  console.log('holding a slot', permit.released);
}

// A named mutex around a device; `await using` releases it on the right thread.
const device = Mutex.create({ name: 'Local\\device' });
{
  await using lock = await device.acquire({ timeout: 5_000 });
  if (lock.abandoned) console.warn('the previous holder died while holding the device');
}

// An event set by a C++ or Python service; whichever comes first.
const shutdown = Event.create({ name: 'Local\\shutdown', manualReset: true });
const work = Event.create({ name: 'Local\\work' });
work.set();
const first = await waitAny([shutdown, work], { timeout: 1_000 });
console.log(first.object === work ? 'work to do' : 'shutting down');

// Every signal of an event; `break` cancels the wait in progress.
work.set();
for await (const n of work) {
  console.log('signal', n);
  break;
}

// Ticks that do not drift: tick n is due at start + n × 10 ms.
for await (const tick of ticks(10)) {
  console.log(tick.index, (tick.actual - tick.scheduled).toFixed(2), 'ms late', tick.missed, 'missed');
  if (tick.index >= 3) break;
}

// A process's exit as a promise.
console.log('exit code', await processExit(process.pid, { timeout: 10 }).catch((e: Error) => e.name));
