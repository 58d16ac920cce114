// A demo worker process; see demo.mjs.
import { Event, Mutex, Semaphore } from '@waitables/core';

const [role, ...args] = process.argv.slice(2);
// The demo's clock: milliseconds since it started (demo.mjs passes its start).
const start = Number(process.env.WAITABLES_DEMO_START ?? Date.now());
const now = () => `${String(Date.now() - start).padStart(5)} ms`;

if (role === 'slot') {
  const [n, goName, slotsName, readyName] = args;
  const go = Event.open(goName);
  const slots = Semaphore.open(slotsName);
  Semaphore.open(readyName).release();
  go.wait();
  slots.wait();
  console.log(`${now()}  worker ${n} (pid ${process.pid}): holds a slot`);
  const until = Date.now() + 300;
  while (Date.now() < until); // work, holding the slot
  console.log(`${now()}  worker ${n} (pid ${process.pid}): releases it`);
  slots.release();
  process.exit(10 + Number(n));
} else if (role === 'release') {
  Semaphore.open(args[0]).release();
  process.exit(7);
} else if (role === 'hold') {
  const lock = Mutex.open(args[0]);
  lock.wait();
  console.log(`${now()}  holder (pid ${process.pid}): owns the mutex and never releases it`);
  Event.open(args[1]).set();
  setInterval(() => {}, 1000);
}
