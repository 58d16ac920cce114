// 8. Against C (Linux): the mechanisms waitables stands on, measured without it in the
// same run, compiled here with the machine's C compiler: flock(2) lock + unlock pairs
// against our uncontended named semaphore wait(0) + release(), and a strict-FIFO futex
// lock's handoffs between processes against our named mutex's (blocking waits, no event
// loop). The contended runs start their processes together (lib/start-barrier.mjs: one
// common window, every contender running), ours and the C lock alike, and report CPU
// time and context switches per hand-over. Without a C compiler the C half is reported
// missing, not guessed.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Mutex, Semaphore } from '@waitables/core';
import { runTogether } from '../lib/start-barrier.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const source = join(here, '..', 'c', 'baselines.c');
const contender = join(here, '..', 'helpers', 'sync-contender.mjs');

/** Compiles the C baselines; null (with the reason) where no C compiler works. */
function compile() {
  const out = join(here, '..', '..', '.cache', 'bench-c');
  mkdirSync(out, { recursive: true });
  const binary = join(out, 'baselines');
  for (const cc of [process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean)) {
    try {
      execFileSync(cc, ['-O2', '-o', binary, source], { stdio: 'pipe' });
      return { binary, compiler: cc };
    } catch {
      // try the next one
    }
  }
  return { binary: null, compiler: 'no C compiler found (cc, gcc, clang)' };
}

/** CPU time and context switches per hand-over, for the table. */
function perHandover(r) {
  return `${r.cpuMicrosPerHandover?.toFixed(1) ?? 'n/a'} µs, ${r.switchesPerHandover?.toFixed(2) ?? 'n/a'}`;
}

/** Runs `count` processes of `command` for `ms`; their summed count per second. */
async function perSecond(count, command, args, ms) {
  const children = Array.from({ length: count }, () => spawn(command, [...args, String(ms)], { stdio: ['ignore', 'pipe', 'inherit'] }));
  const counts = await Promise.all(
    children.map((c) => {
      let text = '';
      c.stdout.on('data', (d) => (text += d));
      return once(c, 'exit').then(([code]) => {
        if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}`);
        return Number(text.trim());
      });
    }),
  );
  return counts.reduce((s, v) => s + v, 0) / (ms / 1000);
}

export async function run({ quick, progress }) {
  if (process.platform !== 'linux') throw new Error('c-baselines runs on Linux');
  const ms = quick ? 500 : 3000;
  // Uncounted contention first, for ours and C alike (lib/start-barrier.mjs: the JIT).
  const warmupMs = quick ? 3000 : 6000;
  const counts = [2, 4, 8];
  const { binary, compiler } = compile();
  const dir = mkdtempSync(join(tmpdir(), 'bench-c-'));
  const tag = `${process.pid}-${Date.now()}`;
  try {
    progress('ours: uncontended named semaphore wait(0) + release()');
    const sem = Semaphore.create({ name: `Local\\bench-c-sem-${tag}`, initialCount: 1, maximumCount: 1 });
    for (let i = 0; i < 20_000; i++) (sem.wait(0), sem.release());
    const start = performance.now();
    let pairs = 0;
    while (performance.now() - start < ms) for (let i = 0; i < 1000; i++, pairs++) (sem.wait(0), sem.release());
    const oursPairs = pairs / ((performance.now() - start) / 1000);
    sem.close();
    progress('C: flock(2) pairs');
    const flockPairs = binary ? await perSecond(1, binary, ['flock', join(dir, 'flock')], ms) : null;

    const mutexName = `Local\\bench-c-mutex-${tag}`;
    const keep = Mutex.create({ name: mutexName });
    const contended = [];
    for (const n of counts) {
      progress(`${n} processes, started together: ours, then the C FIFO lock`);
      const ours = await runTogether(n, process.execPath, [contender, mutexName], ms, warmupMs);
      const c = binary ? await runTogether(n, binary, ['fifo', join(dir, `fifo-${n}`)], ms, warmupMs) : null;
      contended.push({ n, ours, c });
    }
    keep.close();

    const at = (n) => contended.find((r) => r.n === n);
    const ofC = (n) => (at(n).c ? at(n).ours.perSecond / at(n).c.perSecond : null);
    const ratios = {
      uncontendedOfFlock: flockPairs ? oursPairs / flockPairs : null,
      contended4OfC: ofC(4),
      contended8OfC: ofC(8),
      contended8Of2: at(8).ours.perSecond / at(2).ours.perSecond,
    };
    const met =
      ratios.uncontendedOfFlock !== null && ratios.uncontendedOfFlock >= 1 && ratios.contended4OfC >= 0.5 && ratios.contended8OfC >= 0.5;
    const f = (v, unit = 'x') => (v === null ? 'n/a (no C compiler)' : `${v.toFixed(2)}${unit}`);
    return {
      id: 'c-baselines',
      title: 'Against C: uncontended pairs and contended handoffs per second (blocking calls)',
      target:
        'uncontended wait(0) + release() at least 1x flock(2) pairs; contended hand-overs (processes started together) at 4 and at 8 processes at least 0.5x a C strict-FIFO futex lock',
      met,
      headline: `uncontended ${f(ratios.uncontendedOfFlock)} flock(2); started together, at 4 processes ${f(ratios.contended4OfC)} and at 8 ${f(ratios.contended8OfC)} the C FIFO lock (C: ${compiler})`,
      table: {
        columns: [
          'what',
          'ours per second',
          'C per second',
          'ours / C',
          'ours: CPU µs, switches per hand-over',
          'C: CPU µs, switches per hand-over',
        ],
        rows: [
          [
            'uncontended: semaphore wait(0) + release() / flock(2) lock + unlock',
            oursPairs,
            flockPairs ?? 'n/a',
            f(ratios.uncontendedOfFlock, ''),
            '',
            '',
          ],
          ...contended.map((r) => [
            `contended mutex hand-overs, ${r.n} processes started together / C FIFO futex lock`,
            r.ours.perSecond,
            r.c?.perSecond ?? 'n/a',
            f(r.c ? r.ours.perSecond / r.c.perSecond : null, ''),
            perHandover(r.ours),
            r.c ? perHandover(r.c) : 'n/a',
          ]),
        ],
      },
      ratios,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
