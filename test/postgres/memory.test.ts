// The in-process engine (`connect('memory:<name>')`): the same objects without a
// database, for tests. Its semantics are compared operation by operation with the local
// backend in differential.test.ts; here, what only sessions show.
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
