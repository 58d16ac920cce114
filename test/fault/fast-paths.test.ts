// The fast paths (Linux: operations done without the namespace lock while an object's
// gate is open) against everything else: threads that take one token by every path at
// once never hold it together, processes killed with SIGKILL in the middle of fast
// paths leave the objects exact and usable, and an owner's death reaches a blocked
// waiter through the kernel (its life word on its robust futex list). Linux backend only.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { ERROR_TOO_MANY_POSTS, Event, Mutex, Semaphore, inspectNamespace } from '@waitables/core';
import { expectWin32Error } from '../helpers/expect-error.js';
import { faultObjects, killAndWait } from '../helpers/fault-objects.js';
import { uniqueName } from '../helpers/names.js';
import { layout, lines, privateNamespaceDir, region, startFixture } from '../helpers/region.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe.each(['semaphore', 'mutex'] as const)('a %s taken by four threads through every path at once', (kind) => {
  test('is never held by two of them, and is left as it was', async () => {
    const token = uniqueName(`exclusion-${kind}`);
    const always = uniqueName('exclusion-always');
    using object = kind === 'mutex' ? Mutex.create({ name: token }) : Semaphore.create({ name: token, initialCount: 1, maximumCount: 1 });
    using alwaysSet = Event.create({ name: always, manualReset: true, initialState: true });
    const inside = new SharedArrayBuffer(4);
    const results = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const worker = new Worker(fixture('exclusion-worker.mjs'), { workerData: { kind, token, always, inside, rounds: 4000 } });
        const [result] = (await once(worker, 'message')) as [{ overlaps: number; taken: number }];
        await worker.terminate();
        return result;
      }),
    );
    expect(results.map((r) => r.overlaps)).toEqual([0, 0, 0, 0]);
    // Every thread got its turns (a lost wake would have left blocking waits to time out).
    for (const r of results) expect(r.taken).toBeGreaterThan(1000);
    expect(object.wait(0)).toBe('signaled');
    if (object instanceof Semaphore) expectWin32Error(() => object.release(2), ERROR_TOO_MANY_POSTS, 'ReleaseSemaphore');
    object.release();
    void alwaysSet;
  }, 120_000);
});

describe.each(['semaphore', 'mutex', 'event'] as const)('a %s that a thread waits for', (kind) => {
  test('is handed to that thread by the release, not taken by a wait(0) that comes after it', async () => {
    const name = uniqueName(`handed-${kind}`);
    using object =
      kind === 'mutex'
        ? Mutex.create({ name, initialOwner: true })
        : kind === 'semaphore'
          ? Semaphore.create({ name, initialCount: 0, maximumCount: 1 })
          : Event.create({ name });
    const worker = new Worker(fixture('one-waiter-thread.mjs'), { workerData: { kind, name } });
    const messages: string[] = [];
    const outcome = new Promise<string>((resolve) =>
      worker.on('message', (m: string) => (messages.push(m), m !== 'waiting' && resolve(m))),
    );
    await once(worker, 'message');
    // Registered: its wait names the object (the gate is closed from then on).
    while (inspectNamespace().objects.find((o) => o.name === name)?.waiters !== 1) await new Promise((r) => setTimeout(r, 5));
    if (object instanceof Event) object.set();
    else object.release();
    expect(object.wait(0)).toBe('timeout');
    expect(await outcome).toBe('signaled');
    await worker.terminate();
  }, 60_000);
});

describe('kill -9 in the middle of fast paths', () => {
  test('leaves the semaphore count exact up to the units the dead held, the mutex free or abandoned, and all usable', async () => {
    const maximum = 4;
    using objects = faultObjects('fast', maximum);
    const { names, mutex, event } = objects;
    const victims = new Set<ChildProcess>();
    const spawnVictim = async () => {
      const child = spawn(process.execPath, [fixture('fast-path-victim.mjs'), names.sem, names.mutex, names.event], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      victims.add(child);
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        child.once('exit', () => reject(new Error('a victim ended before it was ready')));
      });
    };
    await Promise.all([spawnVictim(), spawnVictim(), spawnVictim()]);
    let kills = 0;
    // Meanwhile this thread takes the mutex with blocking waits: a wake lost to a fast path would strand it.
    let blockingTurns = 0;
    for (; kills < 150; kills++) {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10));
      if (kills % 5 === 0) {
        expect(['signaled', 'abandoned']).toContain(mutex.wait(30_000));
        mutex.release();
        blockingTurns++;
      }
      const victim = [...victims][Math.floor(Math.random() * victims.size)]!;
      victims.delete(victim);
      await killAndWait(victim);
      await spawnVictim();
    }
    await Promise.all([...victims].map(killAndWait));
    expect(blockingTurns).toBe(30);

    objects.expectSoundAfterKills();
    event.reset();
    expect(event.wait(0)).toBe('timeout');
    event.set();
    expect(event.wait(0)).toBe('signaled');
    expect(event.wait(0)).toBe('timeout');
  }, 240_000);
});

describe('an owner killed while a waiter is blocked on its mutex', () => {
  test('is marked dead by the kernel in its life word, and the waiter gets the mutex abandoned', async () => {
    const dir = await privateNamespaceDir();
    const name = uniqueName('life');
    const holder = startFixture(dir, 'namespace-user.mjs', [name]);
    children.push(holder);
    const holderSays = lines(holder);
    expect(await holderSays()).toBe('ready');
    holder.stdin!.write('own-mutex\n');
    expect(JSON.parse(await holderSays())).toMatchObject({ ok: true });
    const words = region(dir);
    const { T, LIMITS, LIFE_OWNER_DIED, LIFE_TID_MASK, threadWord } = layout;
    const slots = Array.from({ length: LIMITS.threads }, (_, t) => t).filter(
      (t) => words.read(threadWord(t, T.pid))[0] === holder.pid && words.read(threadWord(t, T.state))[0] === 1,
    );
    expect(slots.length).toBeGreaterThan(0);
    // Its main thread's life word holds its tid (the pid): it is on its robust list.
    expect(slots.map((t) => words.read(threadWord(t, T.life))[0]! & LIFE_TID_MASK)).toContain(holder.pid);

    const waiter = startFixture(dir, 'blocked-mutex-waiter.mjs', [`${name}-mutex`]);
    children.push(waiter);
    const waiterSays = lines(waiter);
    expect(await waiterSays()).toBe('waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await killAndWait(holder);
    expect(await waiterSays()).toBe('abandoned');
    const lives = slots.map((t) => words.read(threadWord(t, T.life))[0]!);
    expect(lives.some((life) => (life & LIFE_OWNER_DIED) !== 0)).toBe(true);
  }, 60_000);
});
