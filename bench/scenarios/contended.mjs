// 4. Contended cross-process mutex hand-over with 2, 4 and 8 processes started together
// (lib/start-barrier.mjs: one common window, every contender running, for every
// contender kind alike, after a common warm-up): awaited acquire() against proper-lockfile, and against our own
// blocking wait() of the same run (what the awaited path costs on top of the engine).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Mutex } from '@waitables/core';
import { runTogether } from '../lib/start-barrier.mjs';

const contender = fileURLToPath(new URL('../helpers/contender.mjs', import.meta.url));
const syncContender = fileURLToPath(new URL('../helpers/sync-contender.mjs', import.meta.url));

export async function run({ quick, progress }) {
  const ms = quick ? 1000 : 4000;
  // Uncounted contention first, for every contender kind alike (lib/start-barrier.mjs: the JIT).
  const warmupMs = quick ? 3000 : 6000;
  const counts = quick ? [2, 4] : [2, 4, 8];
  const tag = `${process.pid}-${Date.now()}`;
  const name = `Local\\bench-contended-${tag}`;
  const keep = Mutex.create({ name });
  const dir = mkdtempSync(join(tmpdir(), 'bench-contended-'));
  const file = join(dir, 'counter');
  writeFileSync(file, '0');
  const rows = [];
  for (const n of counts) {
    progress(`${n} processes, started together`);
    const ours = (await runTogether(n, process.execPath, [contender, 'ours', name], ms, warmupMs)).perSecond;
    const blocking = (await runTogether(n, process.execPath, [syncContender, name], ms, warmupMs)).perSecond;
    const lock = (await runTogether(n, process.execPath, [contender, 'lockfile', file], ms, warmupMs)).perSecond;
    rows.push({ n, ours, blocking, lock, ratio: ours / lock, ofBlocking: ours / blocking });
  }
  keep.close();
  rmSync(dir, { recursive: true, force: true });
  const worst = Math.min(...rows.map((r) => r.ratio));
  const worstOfBlocking = Math.min(...rows.map((r) => r.ofBlocking));
  return {
    id: 'contended',
    title: 'Contended cross-process mutex hand-overs per second (processes started together)',
    target: 'awaited at least 100x proper-lockfile, and at least 0.5x our blocking hand-over, at every process count',
    met: worst >= 100 && worstOfBlocking >= 0.5,
    headline:
      `awaited: ${worst.toFixed(0)}x proper-lockfile and ${worstOfBlocking.toFixed(2)}x our blocking hand-over at worst ` +
      `(${rows.map((r) => `${r.n} processes: ${r.ratio.toFixed(0)}x, ${r.ofBlocking.toFixed(2)}x`).join('; ')})`,
    table: {
      columns: [
        'processes',
        'ours awaited hand-overs/s',
        'ours blocking hand-overs/s',
        'proper-lockfile hand-overs/s',
        'awaited / lockfile',
        'awaited / blocking',
      ],
      rows: rows.map((r) => [r.n, r.ours, r.blocking, r.lock, r.ratio, r.ofBlocking]),
    },
    ratios: { worst, worstOfBlocking },
    charts: [
      {
        file: 'contended.svg',
        kind: 'line',
        spec: {
          title: 'Contended handoffs per second by process count',
          xLabel: 'processes',
          yLabel: 'handoffs/s',
          logY: true,
          series: [
            { name: 'ours, awaited (named Mutex)', points: rows.map((r) => [r.n, r.ours]) },
            { name: 'ours, blocking wait()', points: rows.map((r) => [r.n, r.blocking]) },
            { name: 'proper-lockfile', points: rows.map((r) => [r.n, r.lock]) },
          ],
        },
      },
    ],
  };
}
