// The in-process engine (`connect('memory:<name>')`): the same objects without a
// database, for tests. Its semantics are compared operation by operation with the local
// backend in differential.test.ts; here, what only sessions show.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { expect, it } from 'vitest';
import { connect, MemoryStore, SessionLostError, TimeoutError } from '@waitables/postgres';

it('hands a released mutex to the oldest waiter across connections of one name', async () => {
  const name = `fifo-${process.pid}`;
  await using a = await connect(`memory:${name}`);
  await using b = await connect(`memory:${name}`);
  const ma = await a.Mutex.create({ name: 'm' });
  const mb = await b.Mutex.open('m');
  const first = await ma.acquire();
  const order: string[] = [];
  const second = mb.acquire().then((l) => (order.push('b'), l));
  const third = ma.acquire().then((l) => (order.push('a'), l));
  await first.release();
  await (await second).release();
  await (await third).release();
  expect(order).toEqual(['b', 'a']);
  await expect(mb.acquire({ timeout: 0 })).resolves.toMatchObject({ fence: 4 });
});

it('a session ended as by a death: its mutex is abandoned to the waiter, its units come back, lost fires', async () => {
  const name = `death-${process.pid}`;
  await using a = await connect(`memory:${name}`);
  await using b = await connect(`memory:${name}`);
  const m = await a.Mutex.create({ name: 'm' });
  const s = await a.Semaphore.create({ name: 's', initialCount: 1, maximumCount: 1 });
  const lock = await m.acquire();
  const permit = await s.acquire();
  const waiting = (await b.Mutex.open('m')).acquire();
  const unit = (await b.Semaphore.open('s')).acquire();
  const pending = (await a.Event.create({ name: 'e' })).wait().catch((e: unknown) => e);
  MemoryStore.named(name).endSession(a.sessionId!, true);
  expect((await waiting).abandoned).toBe(true);
  await (await unit).release();
  expect(await pending).toBeInstanceOf(SessionLostError);
  expect(lock.lost.aborted && permit.lost.aborted).toBe(true);
  await expect(lock.release()).rejects.toMatchObject({ code: 'ERROR_NOT_OWNER' });
  // The next call opens a new session.
  await expect(m.acquire({ timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
});

it('a wait with ref: false and a long timeout lets the process exit on its own (a `node -e` program)', async () => {
  const program = `
    import('@waitables/postgres').then(async ({ connect }) => {
      const db = await connect('memory:unref');
      const e = await db.Event.create({ name: 'never' });
      e.wait({ ref: false, timeout: 600_000 }).catch(() => undefined);
      console.log('waiting');
    });`;
  const child = spawn(process.execPath, ['-e', program], {
    cwd: fileURLToPath(new URL('../../', import.meta.url)),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk) => (stdout += String(chunk)));
  const [code] = (await once(child, 'close')) as [number | null];
  expect(code).toBe(0);
  expect(stdout).toBe('waiting\n');
});

it('a lock or permit refuses to be cloned or posted, with a message that says what to do', async () => {
  await using db = await connect(`memory:clone-${process.pid}`);
  const m = await db.Mutex.create({ name: 'm' });
  const s = await db.Semaphore.create({ name: 's', initialCount: 1, maximumCount: 1 });
  await using lock = await m.acquire();
  await using permit = await s.acquire();
  expect(() => structuredClone(lock)).toThrow(
    /a Lock cannot be cloned or sent to another thread or process .*: release it here and acquire it there/,
  );
  const { port1 } = new MessageChannel();
  expect(() => port1.postMessage(permit)).toThrow(/a Permit cannot be cloned/);
  port1.close();
});
