// A holder on another "host" (a network namespace of its own, joined to this one by a
// veth pair) is cut off without a FIN or RST: its link goes down. Its lease is the bound:
// it is told its lock is lost, the waiter gets the mutex abandoned, and when the link
// comes back the old holder reconnects as a new session, with a larger fencing token.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect } from '@waitables/postgres';
import { freshSchema, PgActor, queued, until, usePostgres } from './helpers.js';

const n = process.pid % 250;
const ns = `wtpg${process.pid}`;
const hostSide = `wth${n}`;
const nsSide = `wtn${n}`;
const hostAddress = `10.213.${n}.1`;
const nsAddress = `10.213.${n}.2`;

function ip(...args: string[]): void {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${result.stderr}`);
}

function removeNamespace(): void {
  spawnSync('ip', ['netns', 'del', ns]);
  spawnSync('ip', ['link', 'del', hostSide]);
}

// The namespace must exist before the server listens on its host-side address.
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
const pgServer = usePostgres(() => ({ addresses: [hostAddress], clients: [`${nsAddress}/32`] }));
afterAll(removeNamespace);

it('a holder cut off by its network is told its lock is lost; the waiter gets it abandoned; the fence orders the comeback', async () => {
  const schema = freshSchema();
  const db = await connect(pgServer.server.url, { schema, reapInterval: 100 });
  const remoteUrl = pgServer.server.url.replace('127.0.0.1', hostAddress);
  const holder = await PgActor.start(remoteUrl, schema, { lease: 1500 }, ns);
  try {
    await db.Mutex.create({ name: 'm' });
    const held = await holder.call<{ key: number; fence: number }>('acquire', 'mutex', 'm');
    const waiting = (await db.Mutex.open('m')).acquire();
    await until(async () => (await queued(pgServer.server.url, schema, 'm')) === 1, 'the wait queued');

    ip('link', 'set', hostSide, 'down'); // no FIN, no RST: packets just stop

    const lock = await waiting;
    expect(lock.abandoned).toBe(true);
    expect(lock.fence).toBeGreaterThan(held.fence);
    await until(() => holder.lost.includes(held.key), 'the cut-off holder told its lock was lost');
    await expect(holder.call('release', held.key)).rejects.toMatchObject({ code: 'ERROR_NOT_OWNER' });

    ip('link', 'set', hostSide, 'up');
    const again = holder.call<{ fence: number; abandoned: boolean }>('acquire', 'mutex', 'm');
    await until(async () => (await queued(pgServer.server.url, schema, 'm')) === 1, 'the holder queued again through a new session');
    await lock.release();
    const regained = await again;
    expect(regained.abandoned).toBe(false);
    expect(regained.fence).toBeGreaterThan(lock.fence);
  } finally {
    await holder.stop();
    await db.close();
  }
});
