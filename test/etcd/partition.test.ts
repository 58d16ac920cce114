// A member cut off from the other two by its network (a namespace of its own, joined by a
// veth pair whose link goes down: no FIN, no RST) is a minority: a client that reaches only
// that member cannot be granted anything, while the majority goes on granting. When the
// link comes back the cut-off client is served after the majority's holder, in order.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect } from '@waitables/postgres';
import { Actor, freshPrefix, queued, until, useEtcd } from './helpers.js';

const n = process.pid % 250;
const ns = `wtetcd${process.pid}`;
const hostSide = `wte${n}`;
const nsSide = `wtf${n}`;
const hostAddress = `10.214.${n}.1`;
const nsAddress = `10.214.${n}.2`;

function ip(...args: string[]): void {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${result.stderr}`);
}

function removeNamespace(): void {
  spawnSync('ip', ['netns', 'del', ns]);
  spawnSync('ip', ['link', 'del', hostSide]);
}

// The namespace must exist before the members listen on its addresses.
beforeAll(() => {
  removeNamespace();
  ip('netns', 'add', ns);
  ip('link', 'add', hostSide, 'type', 'veth', 'peer', 'name', nsSide);
  ip('link', 'set', nsSide, 'netns', ns);
  ip('addr', 'add', `${hostAddress}/30`, 'dev', hostSide);
  ip('link', 'set', hostSide, 'up');
  ip('netns', 'exec', ns, 'ip', 'addr', 'add', `${nsAddress}/30`, 'dev', nsSide);
  ip('netns', 'exec', ns, 'ip', 'link', 'set', nsSide, 'up');
  ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
});
// Members 1 and 2 on this side of the link, member 3 in the namespace.
const etcd = useEtcd(() => ({ addresses: [hostAddress, hostAddress, nsAddress], netns: [undefined, undefined, ns] }));
afterAll(() => {
  ip('link', 'set', hostSide, 'up');
  etcd.cluster?.stop();
  removeNamespace();
});

interface Grant {
  key: number;
  fence: number;
  abandoned: boolean;
}

it('a partitioned minority cannot grant: the majority takes the mutex meanwhile, and the cut-off client is served after it', async () => {
  const schema = freshPrefix();
  const [m1, m2, m3] = etcd.cluster.endpoints.map((e) => e.slice('http://'.length));
  const db = await connect(`etcd://${m1},${m2}`, { schema });
  // A client that reaches only member 3, from inside its namespace.
  const cutOff = await Actor.start(`etcd://${m3}`, schema, {}, ns);
  try {
    const m = await db.Mutex.create({ name: 'm' });
    await cutOff.call('sessionId');

    ip('link', 'set', hostSide, 'down');
    const minority = cutOff.call<Grant>('acquire', 'mutex', 'm');
    let granted = false;
    void minority.then(() => (granted = true));
    // The majority elects a leader if it must, and grants the free mutex.
    const lock = await m.acquire({ timeout: 60_000 });
    expect((await db.list()).find((o) => o.name === 'm')).toMatchObject({ ownerSession: db.sessionId });
    expect(granted).toBe(false);

    ip('link', 'set', hostSide, 'up');
    // The cut-off client's wait reaches the majority only now: it queues behind the holder.
    await until(async () => (await queued(db, 'm')) === 1, 'the cut-off client queued once its link is back', 60_000);
    await lock.release();
    const grant = await minority;
    expect(grant.abandoned).toBe(false);
    expect(grant.fence).toBeGreaterThan(lock.fence);
    expect(cutOff.lost).toEqual([]);
  } finally {
    await cutOff.stop();
    await db.close();
  }
});
