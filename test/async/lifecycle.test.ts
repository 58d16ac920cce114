import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { Event, Mutex, PoolClosedError, Semaphore, WaitThreadError, closeWaitPool } from '@waitables/async';
import { waitPool } from '@waitables/async/internal';
import { Event as CoreEvent, WAIT_OBJECT_0 } from '@waitables/core';
import { useActors } from '../helpers/actors.js';
import { settle } from '../helpers/async.js';
import { countOf } from '../helpers/counts.js';
import { uniqueName } from '../helpers/names.js';

const { thread } = useActors();
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

function run(script: string, args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [fixture(script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  child.stdout.on('data', (chunk) => (text += String(chunk)));
  return { child, output: () => text };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await settle(10);
}

describe('the process', () => {
  test('is kept alive by a pending wait, and exits once it resolves', async () => {
    const name = uniqueName('keepalive');
    using e = CoreEvent.create({ name });
    const { child, output } = run('async-pending.mjs', [name, 'true']);
    await until(() => output().includes('waiting'));
    await settle(300);
    expect(child.exitCode).toBeNull(); // nothing but the wait keeps it alive
    e.set();
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
    expect(output()).toContain('resolved');
  });

  test('is not kept alive by a wait with ref: false', async () => {
    const name = uniqueName('unref');
    using _e = CoreEvent.create({ name });
    const { child, output } = run('async-pending.mjs', [name, 'false']);
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
    expect(output()).toContain('waiting');
    expect(output()).not.toContain('resolved');
  });

  test('is kept alive by an acquire queued behind a lock this process holds, until it is granted', async () => {
    const { child, output } = run('async-mutex-pending.mjs', ['true', '300']);
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
    expect(output()).toBe('waiting\nresolved\n');
  });

  test('is not kept alive by an acquire with ref: false queued behind a lock this process holds', async () => {
    const { child, output } = run('async-mutex-pending.mjs', ['false', '600000']);
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
    expect(output()).toBe('waiting\n');
  });

  test('exits on its own when the pool is idle', async () => {
    const { child, output } = run('async-idle.mjs', []);
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
    expect(output()).toContain('done with 1 thread');
  });
});

describe('the pool', () => {
  test('closed, rejects pending waits with PoolClosedError; a later wait starts a new pool', async () => {
    const e = Event.create();
    const rejected = expect(e.wait()).rejects.toBeInstanceOf(PoolClosedError);
    await settle(20);
    await closeWaitPool();
    await rejected;
    const next = e.wait();
    e.core.set();
    await next;
    e.close();
  });

  test('closed, releases the mutexes its wait threads own for locks (not abandoned)', async () => {
    const m = Mutex.create();
    const owner = await thread();
    await owner.call('waitForMultipleObjects', [m.core.handle], false, 0, false);
    const pending = m.acquire(); // through a wait thread, since another thread owns it
    await owner.call('releaseMutex', m.core.handle);
    const lock = await pending;
    await closeWaitPool();
    expect(lock.released).toBe(true);
    expect(await owner.call('waitForMultipleObjects', [m.core.handle], false, 0, false)).toBe(WAIT_OBJECT_0);
    await owner.call('releaseMutex', m.core.handle);
    m.close();
  });

  test('a wait thread that died rejects every wait it held with WaitThreadError and its cause; later waits get a fresh thread', async () => {
    const s = Semaphore.create({ initialCount: 0, maximumCount: 10 });
    const pool = waitPool();
    const failuresBefore = pool.stats().threadFailures;
    const pending = Array.from({ length: 5 }, () =>
      s.acquire().then(
        () => 'granted',
        (error: unknown) => error,
      ),
    );
    await until(() => pool.stats().batchThreads === 1 && pool.warm);
    await pool.killThreadForTesting(0);
    const outcomes = await Promise.all(pending);
    for (const error of outcomes) {
      expect(error).toBeInstanceOf(WaitThreadError);
      expect(error).toMatchObject({ code: 'ERR_WAIT_THREAD_DIED', cause: expect.any(Error) as Error });
    }
    expect(pool.stats()).toMatchObject({ pending: 0, slots: 0, threadFailures: failuresBefore + 1 });
    expect(countOf(s.core)).toBe(0); // nothing was taken
    const later = s.acquire();
    s.core.release(1);
    void (await later).release();
    expect(countOf(s.core)).toBe(1);
    s.close();
  });
});

describe('scale', () => {
  test('1,000 distinct objects pending use as many wait threads as their batches need, and all resolve', async () => {
    const events = Array.from({ length: 1000 }, () => Event.create());
    const pending = events.map((e) => e.wait());
    await settle(50);
    const pool = waitPool();
    expect(pool.stats()).toMatchObject({ slots: 1000, pending: 1000, batchThreads: Math.ceil(1000 / pool.batchCapacity) });
    for (const e of events) e.core.set();
    await Promise.all(pending);
    await settle(50);
    expect(pool.stats()).toMatchObject({ slots: 0, pending: 0, batchThreads: 1 });
    for (const e of events) e.close();
  }, 60_000);
});
