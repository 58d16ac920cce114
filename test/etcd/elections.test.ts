// The cluster itself failing under the objects: kill -9 of the leader while locks are
// held and waits are queued (nothing lost, nothing granted twice, fences increasing
// across the election, the waits resume), and a member stopped and started again.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, type Database } from '@waitables/postgres';
import { Actor, freshPrefix, queued, until, useEtcd } from './helpers.js';

const etcd = useEtcd();
let schema: string;
let db: Database;
const actors: Actor[] = [];

async function actor(options: object = {}): Promise<Actor> {
  const started = await Actor.start(etcd.cluster.url, schema, options);
  actors.push(started);
  return started;
}

beforeEach(async () => {
  schema = freshPrefix();
  db = await connect(etcd.cluster.url, { schema });
});
afterEach(async () => {
  await Promise.all(actors.splice(0).map((a) => a.stop()));
  await db.close();
});

const inQueue = (name: string, n: number) => until(async () => (await queued(db, name)) === n, `${n} waits queued on ${name}`, 60_000);

interface Grant {
  key: number;
  fence: number;
  abandoned: boolean;
}

describe('the cluster under the objects', () => {
  it('kill -9 of the leader with a mutex held and waits queued: the waits resume in order, fences keep increasing, nothing is lost', async () => {
    await db.Mutex.create({ name: 'm' });
    await db.Semaphore.create({ name: 's', initialCount: 1, maximumCount: 1 });
    const holder = await actor();
    const first = await actor();
    const second = await actor();
    const sessionBefore = db.sessionId;
    const held = await holder.call<Grant>('acquire', 'mutex', 'm');
    const unit = await holder.call<Grant>('acquire', 'semaphore', 's');
    const firstGrant = first.call<Grant>('acquire', 'mutex', 'm');
    await inQueue('m', 1);
    const secondGrant = second.call<Grant>('acquire', 'mutex', 'm');
    await inQueue('m', 2);
    const unitGrant = second.call<Grant>('acquire', 'semaphore', 's');
    await inQueue('s', 1);

    const leader = await etcd.cluster.leader();
    await etcd.cluster.kill(leader);
    // Released during (or right after) the election: the call goes to another member.
    await holder.call('release', held.key);
    await holder.call('release', unit.key);

    const g1 = await firstGrant;
    expect(g1.abandoned).toBe(false);
    expect(g1.fence).toBeGreaterThan(held.fence);
    const u = await unitGrant;
    expect(u.fence).toBeGreaterThan(unit.fence);
    expect(await etcd.cluster.leader()).not.toBe(leader);
    // The second waiter is still queued: the first grant went to one waiter only.
    expect(await queued(db, 'm')).toBe(1);
    await first.call('release', g1.key);
    const g2 = await secondGrant;
    expect(g2.fence).toBeGreaterThan(g1.fence);
    await second.call('release', g2.key);
    await second.call('release', u.key);

    // Every session lived through the election.
    expect([holder.lost, first.lost, second.lost]).toEqual([[], [], []]);
    expect(db.sessionId).toBe(sessionBefore);

    await etcd.cluster.start(leader);
    const after = await (await db.Mutex.open('m')).acquire({ timeout: 30_000 });
    expect(after.fence).toBeGreaterThan(g2.fence);
    await after.release();
  });

  it('a member stopped and started again rejoins: with it back, the cluster survives the loss of another', async () => {
    const m = await db.Mutex.create({ name: 'm' });
    const waiter = await actor();
    const leader = await etcd.cluster.leader();
    const follower = (leader + 1) % 3;
    const other = (leader + 2) % 3;

    await etcd.cluster.kill(follower);
    const a = await m.acquire();
    const next = waiter.call<Grant>('acquire', 'mutex', 'm');
    await inQueue('m', 1);
    await etcd.cluster.start(follower);
    await a.release();
    const b = await next;
    expect(b.fence).toBeGreaterThan(a.fence);

    // Two of three are a quorum only if the restarted member has really rejoined.
    await etcd.cluster.kill(other);
    const c = m.acquire({ timeout: 60_000 });
    await inQueue('m', 1);
    await waiter.call('release', b.key);
    const lock = await c;
    expect(lock.fence).toBeGreaterThan(b.fence);
    await lock.release();
    await etcd.cluster.start(other);
    expect(await etcd.cluster.healthy()).toBe(true);
    expect(waiter.lost).toEqual([]);
  });

  it('two of three members down (no quorum): a release waits for the quorum, then hands the mutex over once', async () => {
    const m = await db.Mutex.create({ name: 'm' });
    const held = await m.acquire();
    const waiter = await actor();
    const next = waiter.call<Grant>('acquire', 'mutex', 'm');
    await inQueue('m', 1);
    const leader = await etcd.cluster.leader();
    const [a, b] = [(leader + 1) % 3, (leader + 2) % 3];
    await etcd.cluster.kill(a);
    await etcd.cluster.kill(b);
    // Nothing can commit now: the release keeps trying (the lease of 15 s outlasts this outage).
    const releasing = held.release();
    await etcd.cluster.start(a);
    await releasing;
    const grant = await next;
    expect(grant.abandoned).toBe(false);
    expect(grant.fence).toBeGreaterThan(held.fence);
    expect((await db.list()).find((o) => o.name === 'm')).toMatchObject({
      waiters: 0,
      ownerSession: await waiter.call<number>('sessionId'),
    });
    expect(waiter.lost).toEqual([]);
    await etcd.cluster.start(b);
  });
});
