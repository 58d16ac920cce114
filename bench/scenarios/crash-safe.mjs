// Crash-safe permits (issue 22): what recording each process's units costs. On Linux a
// crash-safe semaphore's every change is a transaction of the namespace (no lock-free
// fast path: it could not record the unit in the same step); on Windows a take is a
// wait-all with the ledger mutex and a release takes that mutex. Each row puts it beside
// a plain semaphore of the same run: uncontended blocking and awaited acquire + release,
// and a unit taken and released by two processes started together
// (lib/start-barrier.mjs). That last row flatters the plain semaphore: its lock-free fast
// path lets a process take back the unit it just released (no hand-over, no context
// switch), where the crash-safe one, always queued, hands each release to the waiter
// (FIFO). Runs natively and under Wine (full runs).
import { fileURLToPath } from 'node:url';
import { Semaphore } from '@waitables/async';
import { runTogether } from '../lib/start-barrier.mjs';
import { rate } from '../lib/stats.mjs';

const syncContender = fileURLToPath(new URL('../helpers/sync-contender.mjs', import.meta.url));

export async function run({ quick, progress }) {
  const n = quick ? 20_000 : 200_000;
  const windowMs = quick ? 1000 : 3000;
  const tag = `${process.pid}-${Date.now()}`;
  const semaphores = {
    plain: Semaphore.create({ name: `Local\\bench-cs-plain-${tag}`, initialCount: 1, maximumCount: 1 }),
    safe: Semaphore.create({ name: `Local\\bench-cs-safe-${tag}`, initialCount: 1, maximumCount: 1, crashSafe: true }),
  };
  const rows = [];
  const pair = async (label, measure) => {
    progress(label);
    const plain = await measure('plain');
    const safe = await measure('safe');
    rows.push({ label, plain, safe, ratio: plain / safe });
  };
  const uncontended = (op) => async (which) => {
    const sem = semaphores[which];
    await rate(Math.ceil(n / 10), () => op(sem));
    return rate(n, () => op(sem));
  };
  await pair(
    'uncontended blocking wait(0) + release()',
    uncontended((sem) => (sem.core.wait(0), sem.core.release())),
  );
  await pair(
    'uncontended await acquire() + release()',
    uncontended(async (sem) => (await sem.acquire()).release()),
  );
  await pair('handed over between 2 processes (blocking), per second', async (which) => {
    const name = `Local\\bench-cs-${which}-${tag}`;
    return (await runTogether(2, process.execPath, [syncContender, name, 'semaphore'], windowMs, windowMs)).perSecond;
  });
  for (const sem of Object.values(semaphores)) sem.close();
  const worst = Math.max(...rows.map((r) => r.ratio));
  return {
    id: 'crash-safe',
    title: 'Crash-safe permits: acquire + release against a plain semaphore, same run (operations per second)',
    target: 'a crash-safe acquire + release costs at most 1.5x a plain one, uncontended and handed over',
    met: worst <= 1.5,
    headline: `crash-safe costs ${rows.map((r) => `${r.ratio.toFixed(2)}x (${r.label})`).join(', ')}`,
    table: {
      columns: ['operation', 'plain /s', 'crash-safe /s', 'cost (plain / crash-safe)'],
      rows: rows.map((r) => [r.label, r.plain, r.safe, r.ratio]),
    },
    ratios: { worst },
  };
}
