// A transition whose answer is lost on the way (the member died after committing, the
// leader changed mid-call) is looked up in the session's receipt, never applied twice:
// here the client's Txn call commits and then fails, as such a call does.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, type Database } from '@waitables/postgres';
import { freshPrefix, queued, until, useEtcd } from './helpers.js';

const etcd = useEtcd();
let schema: string;
let db: Database;
let other: Database;

interface Txn {
  txn(request: unknown, options?: unknown): Promise<unknown>;
}

/** Makes the next `count` Txn calls of `database`'s session commit, then reject as if the answer had been lost. */
async function loseAnswers(database: Database, count: number): Promise<() => number> {
  // The engine session's etcd client (internal: reached for this test only).
  const session = (await (database as unknown as { session(): Promise<{ engine: { client: { kv: Txn } } }> }).session()).engine;
  const kv = session.client.kv;
  const original = kv.txn.bind(kv);
  let lost = 0;
  kv.txn = async (request, options) => {
    const response = await original(request, options);
    if (lost < count) {
      lost++;
      throw new Error('14 UNAVAILABLE: the answer was lost (injected by the test)');
    }
    return response;
  };
  return () => lost;
}

beforeEach(async () => {
  schema = freshPrefix();
  db = await connect(etcd.cluster.url, { schema });
  other = await connect(etcd.cluster.url, { schema });
});
afterEach(async () => {
  await other.close();
  await db.close();
});

describe('an answer lost on the way', () => {
  it('a queued wait whose answer was lost is queued once, and granted once', async () => {
    const m = await db.Mutex.create({ name: 'm' });
    const held = await m.acquire();
    const lost = await loseAnswers(other, 1);
    const next = (await other.Mutex.open('m')).acquire();
    await until(async () => (await queued(db, 'm')) === 1, 'the wait is queued');
    expect(lost()).toBe(1);
    await held.release();
    const lock = await next;
    expect(lock.fence).toBeGreaterThan(held.fence);
    expect((await db.list()).find((o) => o.name === 'm')).toMatchObject({ waiters: 0, ownerSession: other.sessionId });
    await lock.release();
  });

  it('a release whose answer was lost releases once: the next waiter gets the mutex, the one after keeps waiting', async () => {
    const m = await db.Mutex.create({ name: 'm' });
    const held = await m.acquire();
    const first = (await other.Mutex.open('m')).acquire();
    await until(async () => (await queued(db, 'm')) === 1, 'the first waiter is queued');
    const second = m.acquire();
    await until(async () => (await queued(db, 'm')) === 2, 'the second waiter is queued');
    const lost = await loseAnswers(db, 1);
    await held.release();
    expect(lost()).toBe(1);
    const lock = await first;
    expect(await queued(db, 'm')).toBe(1);
    await lock.release();
    await (await second).release();
  });

  it('a semaphore release(count) whose answer was lost adds its count once', async () => {
    const s = await db.Semaphore.create({ name: 's', initialCount: 0, maximumCount: 4 });
    await loseAnswers(db, 1);
    expect(await s.release(2)).toBe(0);
    expect((await db.list()).find((o) => o.name === 's')?.count).toBe(2);
  });
});
