// Nothing is lost when a process ends: real child processes take named mutexes and
// semaphores through the wait pool (granted on wait threads, since this test holds them
// first) and end in every way the README promises to be safe. Afterwards no mutex may be
// abandoned and every unit must be back.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { Mutex, Semaphore } from '@waitables/core';
import { countOf } from '../helpers/counts.js';
import { uniqueName } from '../helpers/names.js';

/**
 * Child processes per scenario. Each is a real process start (slow under Wine), so the
 * default keeps a file well under a minute on a loaded 2-core machine;
 * WAITABLES_EXIT_RUNS=500 runs the long version.
 */
const RUNS = Number(process.env.WAITABLES_EXIT_RUNS ?? (process.platform === 'win32' ? 4 : 16));
/** Children alive at once. */
const CONCURRENCY = 4;
const scenarioScript = fileURLToPath(new URL('../fixtures/exit-scenario.mjs', import.meta.url));

type Scenario = 'dispose' | 'release' | 'abort' | 'close' | 'exit';

interface Outcome {
  code: number | null;
  output: string;
  abandoned: number;
  taken: number;
}

/** One child: it queues on objects this thread holds, we release them (and, for some, tell it to go at once), it ends. */
async function runOnce(scenario: Scenario, mutexCount: number, semaphoreCount: number): Promise<Outcome> {
  const mutexNames = Array.from({ length: mutexCount }, () => uniqueName('exit-m'));
  const semaphoreNames = Array.from({ length: semaphoreCount }, () => uniqueName('exit-s'));
  const mutexes = mutexNames.map((name) => Mutex.create({ name, initialOwner: true }));
  const semaphores = semaphoreNames.map((name) => Semaphore.create({ name, initialCount: 0, maximumCount: 1 }));
  try {
    const racing = scenario === 'abort' || scenario === 'exit';
    const child = spawn(process.execPath, [scenarioScript, scenario, mutexNames.join(','), semaphoreNames.join(',')], {
      stdio: [racing ? 'pipe' : 'ignore', 'pipe', 'inherit'],
    });
    let output = '';
    let queued!: () => void;
    const isQueued = new Promise<void>((resolve) => (queued = resolve));
    child.stdout!.on('data', (chunk) => {
      output += String(chunk);
      if (output.includes('queued')) queued();
    });
    // 'close', not 'exit': the child's last output may still be in its stdout pipe at 'exit'.
    const exited = once(child, 'close') as Promise<[number | null]>;
    await Promise.race([isQueued, exited]);
    // The line and the releases race the child's aborts, exit or first grants.
    if (racing) child.stdin!.write('go\n');
    for (const m of mutexes) m.release();
    for (const s of semaphores) s.release(1);
    const [code] = await exited;
    let abandoned = 0;
    for (const m of mutexes) {
      const outcome = m.wait(0);
      if (outcome === 'abandoned') abandoned++;
      if (outcome === 'timeout') throw new Error('a mutex is still owned after its process ended');
      m.release();
    }
    const taken = semaphores.reduce((sum, s) => sum + (1 - countOf(s)), 0);
    return { code, output, abandoned, taken };
  } finally {
    for (const o of [...mutexes, ...semaphores]) o.close();
  }
}

/** RUNS children, CONCURRENCY at a time; every one must end cleanly with nothing left taken. */
async function runMany(scenario: Scenario, mutexCount: number, semaphoreCount: number): Promise<void> {
  let next = 0;
  const failures: string[] = [];
  let abandoned = 0;
  let taken = 0;
  const worker = async () => {
    while (next < RUNS) {
      next++;
      const outcome = await runOnce(scenario, mutexCount, semaphoreCount);
      abandoned += outcome.abandoned;
      taken += outcome.taken;
      if (outcome.code !== 0 || !outcome.output.includes('after'))
        failures.push(`code ${outcome.code}, output ${JSON.stringify(outcome.output)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  expect({ failures: failures.slice(0, 3), abandoned, taken }).toEqual({ failures: [], abandoned: 0, taken: 0 });
}

const TIMEOUT = 300_000;

describe(`a process that ends normally (${RUNS} child processes each)`, () => {
  test(
    'right after `await lock[Symbol.asyncDispose]()` of locks granted on a wait thread: the code after it runs, nothing abandoned',
    () => runMany('dispose', 4, 0),
    TIMEOUT,
  );

  test('with a plain release() as its last statement: nothing abandoned, every unit back', () => runMany('release', 4, 4), TIMEOUT);

  test(
    'right after aborting 16 waits at the moment the objects are released: nothing abandoned, every unit back',
    () => runMany('abort', 8, 8),
    TIMEOUT,
  );

  test(
    'right after `await closeWaitPool()` with locks held and a wait pending: it settles, nothing abandoned',
    () => runMany('close', 4, 4),
    TIMEOUT,
  );

  test(
    'through process.exit() while waits with ref: false are being granted: nothing abandoned, every unit back',
    () => runMany('exit', 8, 8),
    TIMEOUT,
  );
});
