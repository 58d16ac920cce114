// 4. Contended cross-process mutex handoff with 2, 4 and 8 processes.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Mutex } from '@waitables/core';

const contender = fileURLToPath(new URL('../helpers/contender.mjs', import.meta.url));

async function race(processes, kind, target, ms) {
  const children = Array.from({ length: processes }, () =>
    spawn(process.execPath, [contender, kind, target, String(ms)], { stdio: ['ignore', 'pipe', 'inherit'] }),
  );
  const outputs = children.map((c) => {
    let text = '';
    c.stdout.on('data', (d) => (text += d));
    return once(c, 'exit').then(() => Number(text.trim()));
  });
  const counts = await Promise.all(outputs);
  return counts.reduce((s, v) => s + v, 0) / (ms / 1000);
}

export async function run({ quick, progress }) {
  const ms = quick ? 1000 : 4000;
  const counts = quick ? [2, 4] : [2, 4, 8];
  const tag = `${process.pid}-${Date.now()}`;
  const name = `Local\\bench-contended-${tag}`;
  const keep = Mutex.create({ name });
  const dir = mkdtempSync(join(tmpdir(), 'bench-contended-'));
  const file = join(dir, 'counter');
  writeFileSync(file, '0');
  const rows = [];
  for (const n of counts) {
    progress(`${n} processes`);
    const ours = await race(n, 'ours', name, ms);
    const lock = await race(n, 'lockfile', file, ms);
    rows.push({ n, ours, lock, ratio: ours / lock });
  }
  keep.close();
  rmSync(dir, { recursive: true, force: true });
  const worst = Math.min(...rows.map((r) => r.ratio));
  return {
    id: 'contended',
    title: 'Contended cross-process mutex handoffs per second',
    target: 'at least 100x proper-lockfile',
    met: worst >= 100,
    headline: `${worst.toFixed(0)}x proper-lockfile at worst (${rows.map((r) => `${r.n} processes: ${r.ratio.toFixed(0)}x`).join(', ')})`,
    table: {
      columns: ['processes', 'ours handoffs/s', 'proper-lockfile handoffs/s', 'ratio'],
      rows: rows.map((r) => [r.n, r.ours, r.lock, r.ratio]),
    },
    ratios: { worst },
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
            { name: 'ours (named Mutex)', points: rows.map((r) => [r.n, r.ours]) },
            { name: 'proper-lockfile', points: rows.map((r) => [r.n, r.lock]) },
          ],
        },
      },
    ],
  };
}
