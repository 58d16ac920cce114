// One process of the contended-mutex benchmark, through the start barrier
// (lib/start-barrier.mjs): take the lock, touch the shared counter file (proper-lockfile)
// or nothing (ours), release, as often as it can in the common window; reports how many
// times it held the lock.
//   node contender.mjs ours <mutex-name> | lockfile <file>
import { readFileSync, writeFileSync } from 'node:fs';
import lockfile from 'proper-lockfile';
import { Mutex } from '@waitables/async';
import { report, startTogether } from '../lib/barrier-child.mjs';

const [kind, target] = process.argv.slice(2);
const mutex = kind === 'ours' ? Mutex.open(target) : null;
const window = await startTogether();
if (mutex) {
  while (window.running()) {
    const lock = await mutex.acquire();
    window.count();
    lock.release();
  }
} else {
  while (window.running()) {
    const release = await lockfile.lock(target, { realpath: false, retries: { retries: 1000, minTimeout: 1, maxTimeout: 20 } });
    writeFileSync(target, String(Number(readFileSync(target, 'utf8') || 0) + 1));
    window.count();
    await release();
  }
}
report(window);
