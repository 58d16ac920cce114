// The Linux namespace lives for years of uptime: process and thread churn, a process
// that exits with a hundred thousand handles, registrations cut short, and tables
// filled with the dead never make it unusable. Every test runs against a namespace of
// its own, with real processes and real threads. WAITABLES_SOAK_LIFETIMES sets the
// number of process lifetimes of the soak (default 1,200: well past the 256 process
// slots and the 1,024 thread slots).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { describe, expect, test } from 'vitest';
import { uniqueName } from '../helpers/names.js';
import { fixture, layout, privateNamespaceDir, region, runFixture } from '../helpers/region.js';

const LIFETIMES = Number(process.env.WAITABLES_SOAK_LIFETIMES ?? 1200);
const CONCURRENCY = 4;
const { H, P, T, LIMITS, THREAD_CLAIMED, THREAD_LIVE, processWord, threadWord } = layout;

interface Snapshot {
  processes: { pid: number; alive: boolean }[];
  threads: { pid: number; tid: number }[];
  objects: { name: string | null; kind: string }[];
}

/** A snapshot of namespace `dir`, taken by a new process (which must be able to attach). */
async function snapshotOf(dir: string): Promise<Snapshot & { pid: number }> {
  const r = await runFixture(dir, 'inspect.mjs');
  expect(r, r.stderr).toMatchObject({ code: 0 });
  return JSON.parse(r.stdout) as Snapshot & { pid: number };
}

/** Only the inspecting process itself is left: every other entry belonged to the dead. */
function expectOnlyTheInspector(snapshot: Snapshot & { pid: number }, prefix: string) {
  expect(snapshot.processes).toEqual([{ pid: snapshot.pid, alive: true }]);
  expect(snapshot.threads.every((t) => t.pid === snapshot.pid)).toBe(true);
  expect(snapshot.objects.filter((o) => o.name?.includes(prefix.replace('Local\\', '')))).toEqual([]);
}

/** A child that works in the namespace until it is killed at a random moment, from its first instruction on. */
async function killedAtRandom(dir: string, name: string): Promise<void> {
  const child = spawn(process.execPath, [fixture('lifetime.mjs'), 'busy', name], {
    env: { ...process.env, WAITABLES_SHM_DIR: dir },
    stdio: 'ignore',
  });
  const exited = once(child, 'exit');
  setTimeout(() => child.kill('SIGKILL'), Math.random() * 150);
  await exited;
}

describe('process churn', () => {
  test(`${LIFETIMES} process lifetimes of every kind in a row (anonymous objects, named objects, timers and ticks(), killed at random) leave only live entries`, async () => {
    const dir = await privateNamespaceDir();
    const prefix = uniqueName('churn');
    const kinds = ['anonymous', 'named', 'timer', 'killed'] as const;
    let next = 0;
    const failures: string[] = [];
    const worker = async () => {
      while (next < LIFETIMES) {
        const i = next++;
        const kind = kinds[i % kinds.length]!;
        if (kind === 'killed') {
          await killedAtRandom(dir, `${prefix}-k${i % 8}`);
          continue;
        }
        const r = await runFixture(dir, 'lifetime.mjs', [kind, `${prefix}-${i}`]);
        if (r.code !== 0 || !r.stdout.includes('done')) failures.push(`lifetime ${i} (${kind}): ${r.code ?? r.signal} ${r.stderr}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(failures.slice(0, 3)).toEqual([]);
    expectOnlyTheInspector(await snapshotOf(dir), prefix);
  }, 900_000);

  test('1,100 worker threads that each use the namespace and end, in one process, leave thread slots for more', async () => {
    const dir = await privateNamespaceDir();
    // The workers run in a process of their own so that this test's namespace is not theirs.
    const r = await runFixture(dir, 'thread-churn.mjs', ['1100'], 600_000);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('1100 threads');
    expectOnlyTheInspector(await snapshotOf(dir), 'none');
  }, 600_000);
});

describe('a big exit', () => {
  test('a process that exits with 100,000 open handles (10,000 of them named objects) leaves a namespace every process can use', async () => {
    const dir = await privateNamespaceDir();
    const prefix = uniqueName('big');
    const r = await runFixture(dir, 'lifetime.mjs', ['handles', prefix, '100000'], 600_000);
    expect(r.stderr).toBe('');
    expect(r).toMatchObject({ code: 0 });
    // Creating and opening by name, and a wait longer than a reclaim slice, all work in a new process.
    const after = await runFixture(dir, 'lifetime.mjs', ['named', `${prefix}-0`]);
    expect(after.stderr).toBe('');
    expect(after.code).toBe(0);
    const timer = await runFixture(dir, 'lifetime.mjs', ['timer', `${prefix}-t`]);
    expect(timer.code).toBe(0);
    expectOnlyTheInspector(await snapshotOf(dir), prefix);
  }, 600_000);
});

describe('tables full of the dead', () => {
  /** A pid that was just used and is gone. */
  async function deadPid(): Promise<number> {
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await once(child, 'exit');
    return child.pid!;
  }

  test('every thread slot claimed by a thread that died registering: a new process attaches', async () => {
    const dir = await privateNamespaceDir();
    expect((await runFixture(dir, 'namespace-probe.mjs')).stdout).toContain('"ok":true');
    const words = region(dir);
    const dead = await deadPid();
    for (let t = 0; t < LIMITS.threads; t++) {
      if (words.read(threadWord(t, T.state))[0] === 0) words.write(threadWord(t, T.state), [THREAD_CLAIMED | dead]);
    }
    expect((await runFixture(dir, 'namespace-probe.mjs')).stdout).toContain('"ok":true');
    expectOnlyTheInspector(await snapshotOf(dir), 'none');
  });

  test('every thread slot (the kept one too, as damage would) and every process slot held by dead processes: a new process attaches and frees them', async () => {
    const dir = await privateNamespaceDir();
    expect((await runFixture(dir, 'namespace-probe.mjs')).stdout).toContain('"ok":true');
    const words = region(dir);
    const dead = await deadPid();
    for (let p = 0; p < LIMITS.processes; p++) words.write(processWord(p, P.state), [1, dead, 0, 1]);
    for (let t = 0; t < LIMITS.threads; t++) {
      words.write(threadWord(t, 0), [THREAD_LIVE, t % LIMITS.processes, dead, 0, 1, -2, 0, 0, 0, dead]);
    }
    words.write(H.threadsHigh, [LIMITS.threads]);
    expect((await runFixture(dir, 'namespace-probe.mjs')).stdout).toContain('"ok":true');
    expectOnlyTheInspector(await snapshotOf(dir), 'none');
  });
});

describe('thread churn inside this process', () => {
  test('worker threads of a live process that ended are reclaimed while the process lives', async () => {
    // Uses this test file's own namespace: the workers and this thread share it.
    for (let i = 0; i < 40; i++) {
      const w = new Worker(fixture('thread-lifetime.mjs'));
      const [code] = (await once(w, 'exit')) as [number];
      expect(code).toBe(0);
    }
    const { inspectNamespace } = await import('@waitables/core');
    const tids = inspectNamespace().threads.filter((t) => t.pid === process.pid);
    // This thread, and wait threads of other tests of this file if any: never the 40 that ended.
    expect(tids.length).toBeLessThan(10);
  });
});
