// Processes killed with SIGKILL at random moments, many of them inside the namespace
// lock or half way through a change, must leave the others able to go on: no deadlock,
// no corrupted state, no duplicated semaphore unit, mutexes they owned abandoned, and
// their handles (and so their names) reclaimed. Linux backend only.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { ERROR_FILE_NOT_FOUND, Event, Mutex, Semaphore, inspectNamespace } from '@waitables/core';
import { countOf } from '../helpers/counts.js';
import { expectWin32Error } from '../helpers/expect-error.js';
import { faultObjects, killAndWait } from '../helpers/fault-objects.js';
import { uniqueName } from '../helpers/names.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

function start(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, [fixture(script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
}

const outputs = new WeakMap<ChildProcess, { text: string }>();

/** Resolves once the child has printed `line` (at any time since it started). */
function printed(child: ChildProcess, line: string): Promise<void> {
  let output = outputs.get(child);
  if (!output) {
    const o = { text: '' };
    child.stdout!.on('data', (chunk) => (o.text += String(chunk)));
    outputs.set(child, (output = o));
  }
  const seen = output;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (seen.text.includes(`${line}\n`)) {
        child.stdout!.off('data', check);
        child.off('exit', exited);
        resolve();
      }
    };
    const exited = () =>
      setImmediate(() => (seen.text.includes(`${line}\n`) ? resolve() : reject(new Error(`child exited before printing ${line}`))));
    child.stdout!.on('data', check);
    child.once('exit', exited);
    check();
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('kill -9', () => {
  test('hundreds of processes killed at random points of heavy traffic leave every object usable and consistent', async () => {
    const maximum = 3;
    using objects = faultObjects('fault', maximum);
    const { names, event } = objects;
    const before = inspectNamespace();
    const victims = new Set<ChildProcess>();
    const ownNames: string[] = [];
    const spawnVictim = async () => {
      const own = uniqueName('fault-own');
      ownNames.push(own);
      const child = start('fault-worker.mjs', [names.sem, names.mutex, names.event, own]);
      victims.add(child);
      await printed(child, 'ready');
      return child;
    };
    await Promise.all([spawnVictim(), spawnVictim(), spawnVictim(), spawnVictim()]);

    const kills = 200;
    for (let i = 0; i < kills; i++) {
      await pause(Math.random() * 15);
      const victim = [...victims][Math.floor(Math.random() * victims.size)]!;
      victims.delete(victim);
      await killAndWait(victim);
      await spawnVictim();
    }
    await Promise.all([...victims].map(killAndWait));

    objects.expectSoundAfterKills();
    // Events still work.
    event.set();
    expect(event.wait(0)).toBe('signaled');
    // The dead held their own names only: all gone.
    for (const own of ownNames) expectWin32Error(() => Event.open(own), ERROR_FILE_NOT_FOUND, 'OpenEvent');

    const after = inspectNamespace();
    expect(after.processes.every((p) => p.alive)).toBe(true);
    expect(after.processes.length).toBeLessThanOrEqual(before.processes.length);
    const ours = after.objects.filter((o) => o.name !== null && Object.values(names).includes(o.name));
    expect(ours.map((o) => o.references).sort()).toEqual([1, 1, 1]);
    expect(after.waiting).toBe(before.waiting);
    // Some kills did land inside the lock: the takeover path ran.
    expect(after.lockTakeovers).toBeGreaterThan(before.lockTakeovers);
  }, 240_000);

  test('units released while the waiters that would get them are dead go to the living', async () => {
    const name = uniqueName('fault-blocked');
    using sem = Semaphore.create({ name, initialCount: 0, maximumCount: 10 });
    const waiters = [start('blocked-waiter.mjs', [name]), start('blocked-waiter.mjs', [name]), start('blocked-waiter.mjs', [name])];
    await Promise.all(waiters.map((w) => printed(w, 'waiting')));
    // Hand-shake through the namespace: all three are registered waiters of the semaphore.
    while (inspectNamespace().objects.find((o) => o.name === name)?.waiters !== 3) await pause(5);
    await Promise.all(waiters.map(killAndWait));
    expect(sem.release(2)).toBe(0);
    expect(countOf(sem)).toBe(2);
    const snapshot = inspectNamespace().objects.find((o) => o.name === name);
    expect(snapshot).toMatchObject({ waiters: 0, references: 1, count: 2 });
  });

  test('a mutex owned by a killed process is abandoned to a waiter already blocked on it', async () => {
    const name = uniqueName('fault-owned');
    using m = Mutex.create({ name });
    const holder = start('fault-holder.mjs', [name]);
    await printed(holder, 'owned');
    const waiter = start('blocked-mutex-waiter.mjs', [name]);
    await printed(waiter, 'waiting');
    while (inspectNamespace().objects.find((o) => o.name === name)?.waiters !== 1) await pause(5);
    await killAndWait(holder);
    await printed(waiter, 'abandoned');
    await once(waiter, 'exit');
    expect(m.wait(0)).toBe('signaled');
    m.release();
  });
});
