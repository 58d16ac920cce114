// Liveness across processes, randomized: several processes share named semaphores, a
// mutex and events, some blocking in core waits, others with many async awaiters mixing
// acquire(), waitAny, waitAll and event waits, with random timeouts, aborts and waits
// with no timeout at all; some start as `node -e` one-liners. Whatever the interleaving:
// no wait outlives its timeout, two holders never overlap, every process ends on its
// own, and afterwards every unit is back and the mutex is free.
//
// The size in the test command is modest; WAITABLES_LIVENESS_ROUNDS and
// WAITABLES_LIVENESS_MS make it a soak (for example 50 rounds of 20 s).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { Event, Mutex, Semaphore } from '@waitables/core';
import { countOf } from '../helpers/counts.js';
import { uniqueName } from '../helpers/names.js';

const wine = process.platform === 'win32';
const ROUNDS = Number(process.env.WAITABLES_LIVENESS_ROUNDS ?? 1);
const MS = Number(process.env.WAITABLES_LIVENESS_MS ?? (wine ? 2_000 : 3_000));
const SLOTS = 3;
const actorFile = fileURLToPath(new URL('../fixtures/liveness-actor.cjs', import.meta.url));
const actorSource = readFileSync(actorFile, 'utf8');
const root = fileURLToPath(new URL('../../', import.meta.url));

interface Report {
  ops: number;
  timeouts: number;
  aborts: number;
  violations: string[];
}

/** How each process starts: from the file, or as a one-liner. */
const STARTS: Record<string, (settings: string) => string[]> = {
  file: () => [actorFile],
  eval: () => ['-e', actorSource],
  module: () => ['--input-type=module', '-e', actorSource],
};

interface Actor {
  start: keyof typeof STARTS;
  blocking: boolean;
  awaiters: number;
}

const ACTORS: Actor[] = wine
  ? [
      { start: 'file', blocking: false, awaiters: 8 },
      { start: 'eval', blocking: false, awaiters: 8 },
      { start: 'file', blocking: true, awaiters: 0 },
    ]
  : [
      { start: 'file', blocking: false, awaiters: 12 },
      { start: 'eval', blocking: false, awaiters: 12 },
      { start: 'module', blocking: false, awaiters: 6 },
      { start: 'file', blocking: true, awaiters: 0 },
      { start: 'eval', blocking: true, awaiters: 0 },
    ];

async function runActor(actor: Actor, settings: object): Promise<{ code: number | null; report: Report | null; stderr: string }> {
  const env = {
    ...process.env,
    NODE_OPTIONS: '',
    LIVENESS: JSON.stringify({ ...settings, awaiters: actor.awaiters, blocking: actor.blocking }),
  };
  const child = spawn(process.execPath, STARTS[actor.start]!(''), { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += String(chunk)));
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  // A process that does not end on its own is a failure: it is killed, and said so.
  const deadline = setTimeout(() => {
    stderr += '\n[the process did not end on its own: killed]';
    child.kill('SIGKILL');
  }, MS + 60_000);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(deadline);
  const line = stdout.trim().split('\n').pop() ?? '';
  return { code, report: line.startsWith('{') ? (JSON.parse(line) as Report) : null, stderr };
}

describe('processes sharing semaphores, a mutex and events at random', () => {
  test.each(Array.from({ length: ROUNDS }, (_, i) => i + 1))(
    `round %i: every process ends, no holders overlap, no wait outlives its timeout, and everything is back`,
    async (round) => {
      const names = {
        slots: uniqueName('live-slots'),
        mutex: uniqueName('live-mutex'),
        token: uniqueName('live-token'),
        flag: uniqueName('live-flag'),
        mutexInside: uniqueName('live-mutex-inside'),
        slotsInside: uniqueName('live-slots-inside'),
      };
      using slots = Semaphore.create({ name: names.slots, initialCount: SLOTS, maximumCount: SLOTS });
      using mutex = Mutex.create({ name: names.mutex });
      using token = Event.create({ name: names.token, initialState: true });
      using _flag = Event.create({ name: names.flag, manualReset: true });
      using mutexInside = Semaphore.create({ name: names.mutexInside, initialCount: 1, maximumCount: 1 });
      using slotsInside = Semaphore.create({ name: names.slotsInside, initialCount: SLOTS, maximumCount: SLOTS });
      const seed = Number(process.env.WAITABLES_LIVENESS_SEED ?? Date.now() % 1_000_000) + round * 7919;
      const results = await Promise.all(ACTORS.map((actor, i) => runActor(actor, { names, seed: seed + i, ms: MS })));
      results.forEach(({ code, report, stderr }, i) => {
        const who = `process ${i} (${ACTORS[i]!.start}${ACTORS[i]!.blocking ? ', blocking' : ''}), seed ${seed + i}`;
        expect(code, `${who} exit code; stderr: ${stderr}`).toBe(0);
        expect(report, `${who} printed no report; stderr: ${stderr}`).not.toBeNull();
        expect(report!.violations, who).toEqual([]);
        expect(report!.ops, who).toBeGreaterThan(0);
      });
      expect(countOf(slots)).toBe(SLOTS);
      expect(countOf(slotsInside)).toBe(SLOTS);
      expect(countOf(mutexInside)).toBe(1);
      expect(mutex.wait(0)).toBe('signaled'); // free, and not abandoned
      mutex.release();
      expect(token.wait(0)).toBe('signaled');
      if (process.env.WAITABLES_LIVENESS_LOG)
        console.log(
          round,
          results.map((r) => r.report),
        );
    },
    MS + 120_000,
  );
});
