// Fairness across processes: a busy process whose many local awaiters take a named
// semaphore, mutex or auto-reset event in turn (so nearly every release finds a local
// awaiter to hand over to) must not starve another process's async waiter. Each turn of
// the other process is counted in acquisitions of the busy one between its request and
// its grant ("bypasses"), over thousands of the busy process's handoffs.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { Event, Mutex, Semaphore, waitPool } from '@waitables/async';
import { Semaphore as CoreSemaphore, getBackend } from '@waitables/core';
import { useActors } from '../helpers/actors.js';
import { uniqueName } from '../helpers/names.js';

const busyScript = fileURLToPath(new URL('../fixtures/busy-process.mjs', import.meta.url));
const { process: actorProcess } = useActors();
/** Turns the other process takes while the busy process runs. */
const TURNS = 200;
/** Async workers of the busy process. */
const WORKERS = 20;
/**
 * Bypasses allowed per turn. Linux: the busy process hands over locally only while no
 * other process waits, so it passes a new waiter at most once (its wait thread's older
 * registration); Windows: at most two streaks of 16 handoffs. On top, acquisitions the
 * busy process made while this process's request was on its way to being queued (its
 * wait thread's hop), which load stretches: the slack.
 */
const BOUND = process.platform === 'win32' ? 2 * 16 + 24 : 1 + 24;

type Kind = 'semaphore' | 'mutex' | 'event';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

async function startBusy(kind: Kind, name: string, tallyName: string): Promise<{ stop(): Promise<number> }> {
  const child = spawn(process.execPath, [busyScript, kind, name, tallyName, String(WORKERS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += String(chunk);
      if (output.includes('busy')) resolve();
    });
    child.once('exit', () => reject(new Error(`the busy process ended: ${output}`)));
  });
  return {
    async stop() {
      const exited = once(child, 'exit');
      child.stdin.write('stop\n');
      await exited;
      return Number(/done (\d+)/.exec(output)?.[1] ?? NaN);
    },
  };
}

/** Takes TURNS turns of the object while the busy process runs; returns the bypasses of each turn. */
async function turnsAgainstBusy(kind: Kind): Promise<{ bypasses: number[]; busyAcquisitions: number }> {
  const name = uniqueName(`fair-${kind}`);
  const tallyName = uniqueName('fair-tally');
  using tally = CoreSemaphore.create({ name: tallyName, initialCount: 0, maximumCount: 0x7fffffff });
  const object =
    kind === 'semaphore'
      ? Semaphore.create({ name, initialCount: 1, maximumCount: 1 })
      : kind === 'mutex'
        ? Mutex.create({ name })
        : Event.create({ name, initialState: true });
  await waitPool().warmUp(); // a wait thread's start-up is not a matter of fairness
  const busy = await startBusy(kind, name, tallyName);
  const bypasses: number[] = [];
  for (let turn = 0; turn < TURNS; turn++) {
    await new Promise((resolve) => setTimeout(resolve, 4)); // the busy process runs on its own meanwhile
    const before = tally.query().count;
    if (object instanceof Event) {
      await object.wait({ timeout: 20_000 });
      bypasses.push(tally.query().count - before);
      object.set(); // the token goes back
    } else {
      const held = await object.acquire({ timeout: 20_000 });
      bypasses.push(tally.query().count - before);
      await held[Symbol.asyncDispose]();
    }
  }
  const busyAcquisitions = await busy.stop();
  object.close();
  return { bypasses, busyAcquisitions };
}

describe.each(['semaphore', 'mutex', 'event'] as const)('a %s taken in turn by a busy process', (kind) => {
  test(`another process's async waiter gets each of its ${TURNS} turns within ${BOUND} of the busy process's acquisitions`, async () => {
    const { bypasses, busyAcquisitions } = await turnsAgainstBusy(kind);
    if (process.env.WAITABLES_FAIRNESS_LOG) console.log(kind, busyAcquisitions, bypasses.join(' '));
    expect(bypasses).toHaveLength(TURNS);
    expect(Math.max(...bypasses)).toBeLessThanOrEqual(BOUND);
    expect(busyAcquisitions).toBeGreaterThan(300 + TURNS); // it was busy, handing over locally, all along
  }, 120_000);
});

describe.runIf(process.platform === 'linux')('FIFO across processes (Linux)', () => {
  test('two other processes queued one after the other are served in that order while the busy process runs', async () => {
    const name = uniqueName('fair-fifo');
    const tallyName = uniqueName('fair-fifo-tally');
    using _tally = CoreSemaphore.create({ name: tallyName, initialCount: 0, maximumCount: 0x7fffffff });
    const sem = Semaphore.create({ name, initialCount: 1, maximumCount: 1 });
    const busy = await startBusy('semaphore', name, tallyName);
    const [first, second] = await Promise.all([actorProcess(), actorProcess()]);
    const pids = [await first.pid(), await second.pid()];
    const handles = [await first.call('openSemaphore', name, 0x1f0003, false), await second.call('openSemaphore', name, 0x1f0003, false)];
    const registered = (pid: number) => getBackend().inspect!().threads.some((t) => t.pid === pid && t.waiting);
    const order: number[] = [];
    const firstWait = first.start('waitForMultipleObjects', [handles[0]!], false, 20_000, false);
    void firstWait.result.then(() => order.push(0));
    while (!registered(pids[0]!)) await new Promise((r) => setTimeout(r, 1));
    const secondWait = second.start('waitForMultipleObjects', [handles[1]!], false, 20_000, false);
    void secondWait.result.then(() => order.push(1));
    while (!registered(pids[1]!)) await new Promise((r) => setTimeout(r, 1));
    expect(await firstWait.result).toBe(0);
    // The second is still queued (the first holds the unit): the busy process cannot pass it.
    await first.call('releaseSemaphore', handles[0]!, 1);
    expect(await secondWait.result).toBe(0);
    await second.call('releaseSemaphore', handles[1]!, 1);
    expect(order).toEqual([0, 1]);
    await busy.stop();
    sem.close();
  }, 60_000);
});
