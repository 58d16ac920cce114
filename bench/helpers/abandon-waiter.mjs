// Waiter of the abandon-latency bench (bench/scenarios/abandon-latency.mjs forks it),
// in one of two modes (argv[2]):
//   'sync':  @waitables/core Mutex.wait() with no timeout, the thread blocked in the OS wait
//   'async': @waitables/async `await mutex.acquire()`, a wait thread blocked for it
// For each {name} it opens that mutex, says {waiting} just before it waits, and when the
// wait returns records the time (process.hrtime, CLOCK_MONOTONIC: one clock for every
// process) and answers {outcome, woke}, having released and closed the mutex. {stop}: exits.
import { Mutex as CoreMutex } from '@waitables/core';
import { Mutex } from '@waitables/async';

const now = () => Number(process.hrtime.bigint()) / 1000;
const mode = process.argv[2];

function waitSync(name) {
  const mutex = CoreMutex.open(name);
  // The blocking wait starts once the {waiting} message is written, not before.
  process.send({ waiting: true }, () => {
    const outcome = mutex.wait();
    const woke = now();
    mutex.release();
    mutex.close();
    process.send({ outcome, woke });
  });
}

async function waitAsync(name) {
  const mutex = Mutex.open(name);
  const acquiring = mutex.acquire();
  process.send({ waiting: true });
  const lock = await acquiring;
  const woke = now();
  const outcome = lock.abandoned ? 'abandoned' : 'signaled';
  await lock[Symbol.asyncDispose]();
  mutex.close();
  process.send({ outcome, woke });
}

process.on('message', (message) => {
  if (message.stop) process.disconnect();
  else if (mode === 'sync') waitSync(message.name);
  else waitAsync(message.name).catch((error) => process.send({ error: String(error.stack ?? error) }));
});
process.send({ ready: true });
