// Waiter of the abandon-latency bench (bench/scenarios/abandon-latency.mjs forks it),
// in one of two modes (argv[2]):
//   'sync':  @waitables/core wait() with no timeout, the thread blocked in the OS wait
//   'async': @waitables/async `await acquire()`, a wait thread blocked for it
// For each {name, kind} it opens that mutex (kind 'mutex') or crash-safe semaphore (kind
// 'permit'), says {waiting} just before it waits, and when the wait returns records the
// time (process.hrtime, CLOCK_MONOTONIC: one clock for every process) and answers
// {outcome, woke}, having released and closed the object. {stop}: exits. A permit comes
// back as a plain grant: its outcome is 'recovered' if the semaphore counts it so.
import { Mutex as CoreMutex, Semaphore as CoreSemaphore } from '@waitables/core';
import { Mutex, Semaphore } from '@waitables/async';

const now = () => Number(process.hrtime.bigint()) / 1000;
const mode = process.argv[2];

function waitSync(name, kind) {
  const object = kind === 'permit' ? CoreSemaphore.open(name) : CoreMutex.open(name);
  // The blocking wait starts once the {waiting} message is written, not before.
  process.send({ waiting: true }, () => {
    let outcome = object.wait();
    const woke = now();
    if (kind === 'permit' && outcome === 'signaled' && object.query().recovered > 0) outcome = 'recovered';
    object.release();
    object.close();
    process.send({ outcome, woke });
  });
}

async function waitAsync(name, kind) {
  const object = kind === 'permit' ? Semaphore.open(name) : Mutex.open(name);
  const acquiring = object.acquire();
  process.send({ waiting: true });
  const held = await acquiring;
  const woke = now();
  let outcome = held.abandoned ? 'abandoned' : 'signaled';
  if (kind === 'permit' && object.core.query().recovered > 0) outcome = 'recovered';
  await held[Symbol.asyncDispose]();
  object.close();
  process.send({ outcome, woke });
}

process.on('message', (message) => {
  if (message.stop) process.disconnect();
  else if (mode === 'sync') waitSync(message.name, message.kind);
  else waitAsync(message.name, message.kind).catch((error) => process.send({ error: String(error.stack ?? error) }));
});
process.send({ ready: true });
