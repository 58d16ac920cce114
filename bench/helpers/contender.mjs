// One process of the contended-mutex benchmark: for `ms` milliseconds, take the lock,
// touch the shared counter file, release; prints how many times it held the lock.
//   node contender.mjs ours <mutex-name> <ms> | lockfile <file> <ms>
import { readFileSync, writeFileSync } from 'node:fs';
import lockfile from 'proper-lockfile';
import { Mutex } from '@waitables/async';

const [kind, target, msArg] = process.argv.slice(2);
const until = Date.now() + Number(msArg);
let held = 0;
if (kind === 'ours') {
  const mutex = Mutex.open(target);
  while (Date.now() < until) {
    const lock = await mutex.acquire();
    held++;
    lock.release();
  }
} else {
  while (Date.now() < until) {
    const release = await lockfile.lock(target, { realpath: false, retries: { retries: 1000, minTimeout: 1, maxTimeout: 20 } });
    writeFileSync(target, String(Number(readFileSync(target, 'utf8') || 0) + 1));
    held++;
    await release();
  }
}
process.stdout.write(`${held}\n`);
