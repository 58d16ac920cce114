import { runTogether } from '/work/main/bench/lib/start-barrier.mjs';
import { Mutex } from '@waitables/core';
const name = `Local\\probe-contend-${process.pid}`;
const keep = Mutex.create({ name });
const ms = Number(process.argv[2] ?? 2000);
for (const n of (process.argv[3] ?? '2,4,8').split(',').map(Number)) {
  const ours = await runTogether(n, process.execPath, ['/work/main/bench/helpers/sync-contender.mjs', name], ms);
  const c = await runTogether(n, '/work/main/.cache/bench-c/baselines', ['fifo', `/tmp/fifo-${process.pid}-${n}`], ms);
  const f = (r) => `${Math.round(r.perSecond)}/s cpu ${r.cpuMicrosPerHandover?.toFixed(1)}µs sw ${r.switchesPerHandover?.toFixed(2)} (vol ${r.voluntaryPerHandover?.toFixed(2)})`;
  console.log(n, 'ours', f(ours), '| C', f(c), '| ratio', (ours.perSecond / c.perSecond).toFixed(3));
}
keep.close();
