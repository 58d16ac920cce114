// 3. Uncontended acquire + release throughput of a named semaphore and mutex.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Mutex as AsyncMutex } from 'async-mutex';
import { AsyncSemaphore } from '@esfx/async-semaphore';
import lockfile from 'proper-lockfile';
import { Mutex, Semaphore } from '@waitables/async';
import { rate } from '../lib/stats.mjs';

export async function run({ quick, progress }) {
  const n = quick ? 20_000 : 200_000;
  const tag = `${process.pid}-${Date.now()}`;
  const sem = Semaphore.create({ name: `Local\\bench-tp-sem-${tag}`, initialCount: 1, maximumCount: 1 });
  const mutex = Mutex.create({ name: `Local\\bench-tp-mutex-${tag}` });
  const amutex = new AsyncMutex();
  const esem = new AsyncSemaphore(1);
  const dir = mkdtempSync(join(tmpdir(), 'bench-lockfile-'));
  const file = join(dir, 'target');
  writeFileSync(file, '');
  const rows = [];
  const add = async (label, count, op, kind) => {
    progress(label);
    await rate(Math.ceil(count / 10), op);
    rows.push({ label, opsPerSec: await rate(count, op), kind });
  };
  await add('raw core call: sem.wait(0) + release (sync floor)', n, () => (sem.core.wait(0), sem.core.release()), 'floor');
  await add('ours: await Semaphore.acquire() + release (named)', n, async () => (await sem.acquire()).release(), 'ours-sem');
  await add('ours: await Mutex.acquire() + release (named)', n, async () => (await mutex.acquire()).release(), 'ours-mutex');
  await add('@esfx/async-semaphore (in-process only)', n, async () => (await esem.wait(), esem.release()), 'esfx');
  await add('async-mutex (in-process only)', n, async () => (await amutex.acquire())(), 'async-mutex');
  await add(
    'proper-lockfile lock + unlock (cross-process)',
    quick ? 100 : 1000,
    async () => await (await lockfile.lock(file, { realpath: false }))(),
    'lockfile',
  );
  rmSync(dir, { recursive: true, force: true });
  sem.close();
  mutex.close();
  const by = (kind) => rows.find((r) => r.kind === kind).opsPerSec;
  const ours = Math.min(by('ours-sem'), by('ours-mutex'));
  const ratios = { ofEsfx: ours / by('esfx'), ofAsyncMutex: ours / by('async-mutex'), ofLockfile: ours / by('lockfile') };
  return {
    id: 'throughput',
    title: 'Uncontended acquire + release (operations per second)',
    target: 'at least 10% of @esfx/async-semaphore, 3x async-mutex and 300x proper-lockfile',
    met: ratios.ofEsfx >= 0.1 && ratios.ofAsyncMutex >= 3 && ratios.ofLockfile >= 300,
    headline: `${(ratios.ofEsfx * 100).toFixed(0)}% of @esfx/async-semaphore, ${ratios.ofAsyncMutex.toFixed(2)}x async-mutex, ${ratios.ofLockfile.toFixed(0)}x proper-lockfile`,
    table: { columns: ['contender', 'ops/s'], rows: rows.map((r) => [r.label, r.opsPerSec]) },
    ratios,
    charts: [
      {
        file: 'throughput.svg',
        kind: 'bar',
        spec: {
          title: 'Uncontended acquire + release',
          unit: 'ops/s',
          log: true,
          bars: rows.map((r) => ({ label: r.label, value: r.opsPerSec, highlight: r.kind.startsWith('ours') })),
        },
      },
    ],
  };
}
