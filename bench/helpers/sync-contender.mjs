// One process of the c-baselines scenario's contended run: for `ms` milliseconds, take
// the named mutex with a blocking wait and release it; prints how many times it held it.
//   node sync-contender.mjs <mutex-name> <ms>
import { Mutex } from '@waitables/core';

const [name, ms] = process.argv.slice(2);
const mutex = Mutex.open(name);
const until = Date.now() + Number(ms);
let held = 0;
while (Date.now() < until) {
  for (let i = 0; i < 100; i++, held++) {
    mutex.wait();
    mutex.release();
  }
}
process.stdout.write(`${held}\n`);
