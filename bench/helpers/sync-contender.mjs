// One process of the blocking contended hand-over (c-baselines, crash-safe): through the
// start barrier, take the named mutex (or a unit of the named semaphore) with a blocking
// wait and release it, as often as it can in the common window; reports how many times
// it held it.
//   node sync-contender.mjs <name> [mutex|semaphore]
import { Mutex, Semaphore } from '@waitables/core';
import { report, startTogether } from '../lib/barrier-child.mjs';

const mutex = process.argv[3] === 'semaphore' ? Semaphore.open(process.argv[2]) : Mutex.open(process.argv[2]);
const window = await startTogether();
while (window.running()) {
  mutex.wait();
  window.count();
  mutex.release();
}
report(window);
