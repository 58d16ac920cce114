// The `waitables` command with --connect etcd://...: real processes of the command sharing
// objects through a real three-member etcd cluster: two lock runs never overlap, sem
// --max 2 admits two at once, wait is woken by set from another process, Ctrl-C cancels a
// wait, ls --connect lists the cluster's objects, and a cluster nobody answers for is one
// line with status 1. Hand-shakes on the objects' queues, never sleeps.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Database } from '@waitables/postgres';
import { cli, nodeCommand } from '../helpers/cli.js';
import { queued, until, useEtcd } from './helpers.js';

const etcd = useEtcd();
const url = () => etcd.cluster.url;
// The command's key prefix (connect()'s default schema), seen through a session of the test's own.
let db: Database;
beforeAll(async () => {
  db = await connect(url());
});
const dirs: string[] = [];
afterAll(async () => {
  await db?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
/** A directory of the test's own for the commands' log and go-files, removed at the end. */
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'waitables-etcdcli-'));
  dirs.push(dir);
  return dir;
}
let names = 0;
const fresh = (what: string) => `cli-${what}-${process.pid}-${++names}`;
const inQueue = (name: string, n: number, what: string) => until(async () => (await queued(db, name)) === n, what, 60_000);

/** A command for lock/sem: logs `in TAG`, waits for the file `go-TAG`, logs `out TAG`. */
function guarded(dir: string, tag: string): string[] {
  const log = JSON.stringify(join(dir, 'log'));
  const go = JSON.stringify(join(dir, `go-${tag}`));
  return nodeCommand(
    `const fs=require('fs');fs.appendFileSync(${log},'in ${tag}\\n');` +
      `const t=setInterval(()=>{if(fs.existsSync(${go})){clearInterval(t);fs.appendFileSync(${log},'out ${tag}\\n')}},20)`,
  );
}
const logOf = (dir: string) => (existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8').trim().split('\n') : []);

describe('waitables --connect etcd://', () => {
  it('two `lock --connect` runs never overlap: the second runs only after the first released', async () => {
    const dir = scratch();
    const name = fresh('lock');
    const a = cli(['lock', '--connect', url(), name, ...guarded(dir, 'a')]);
    await until(() => logOf(dir).includes('in a'), 'a holds the lock', 60_000);
    const b = cli(['lock', '--connect', url(), name, ...guarded(dir, 'b')]);
    await inQueue(name, 1, 'b is queued on the mutex');
    expect(logOf(dir)).toEqual(['in a']);
    writeFileSync(join(dir, 'go-b'), '');
    writeFileSync(join(dir, 'go-a'), '');
    expect(await a.status).toBe(0);
    expect(await b.status).toBe(0);
    expect(logOf(dir)).toEqual(['in a', 'out a', 'in b', 'out b']);
    expect(b.stderr()).toBe('');
  });

  it('`sem --connect --max 2` admits two commands at once and queues the third; every unit comes back', async () => {
    const dir = scratch();
    const name = fresh('sem');
    const a = cli(['sem', name, '--max', '2', '--connect', url(), ...guarded(dir, 'a')]);
    const b = cli(['sem', name, '--max', '2', '--connect', url(), ...guarded(dir, 'b')]);
    await until(() => logOf(dir).length === 2, 'a and b both run', 60_000);
    const c = cli(['sem', name, '--max', '2', '--connect', url(), ...guarded(dir, 'c')]);
    await inQueue(name, 1, 'c is queued');
    expect(logOf(dir).sort()).toEqual(['in a', 'in b']);
    writeFileSync(join(dir, 'go-c'), '');
    writeFileSync(join(dir, 'go-b'), '');
    expect(await b.status).toBe(0);
    expect(await c.status).toBe(0);
    writeFileSync(join(dir, 'go-a'), '');
    expect(await a.status).toBe(0);
    const log = logOf(dir);
    expect(log.indexOf('in c')).toBeGreaterThan(log.indexOf('out b'));
    expect((await db.list()).find((o) => o.name === name)?.count).toBe(2);
  });

  it('`wait --connect` is woken by `set --connect` from another process, and `ls --connect` shows both', async () => {
    const name = fresh('event');
    const lockName = fresh('held');
    const waiter = cli(['wait', '--connect', url(), name]);
    await inQueue(name, 1, 'the waiter is queued on the event');
    const holder = cli(['lock', '--connect', url(), lockName, ...nodeCommand("console.log('held');setInterval(()=>{},1000)")]);
    await holder.printed('held');
    const ls = cli(['ls', '--connect', url()]);
    expect(await ls.status).toBe(0);
    const lines = ls.stdout().split('\n');
    expect(lines[0]).toMatch(/^KIND\s+NAME\s+STATE\s+OWNER\s+WAITERS\s+FENCE\s+HELD\s+WAITED$/);
    expect(lines.find((l) => l.includes(name))).toMatch(new RegExp(`^event\\s+${name}\\s+unset\\s+-\\s+1\\s+\\d+\\s+-\\s+\\d+m?s$`));
    expect(lines.find((l) => l.includes(lockName))).toMatch(
      new RegExp(`^mutex\\s+${lockName}\\s+owned\\s+session \\d+\\s+0\\s+\\d+\\s+\\d+m?s\\s+-$`),
    );
    const json = cli(['ls', '--json', '--connect', url()]);
    expect(await json.status).toBe(0);
    const listed = (JSON.parse(json.stdout()) as { objects: { name: string; kind: string; waiters: number }[] }).objects;
    expect(listed.find((o) => o.name === name)).toMatchObject({ kind: 'event', waiters: 1 });
    const set = cli(['set', '--connect', url(), name]);
    expect(await set.status).toBe(0);
    expect(await waiter.status).toBe(0);
    holder.child.kill('SIGTERM');
    expect(await holder.status).toBe(143);
  });

  it('Ctrl-C cancels a `wait --connect` (status 130) and leaves nothing queued', async () => {
    const name = fresh('cancel');
    const waiter = cli(['wait', '--connect', url(), name]);
    await inQueue(name, 1, 'the waiter is queued');
    waiter.child.kill('SIGINT');
    expect(await waiter.status).toBe(130);
    expect(await queued(db, name)).toBe(0);
  });

  it('a cluster nobody answers for is one line on stderr, status 1; a malformed etcd URL is a usage error', async () => {
    const down = cli(['ls', '--connect', 'etcd://127.0.0.1:1,127.0.0.1:2']);
    expect(await down.status).toBe(1);
    expect(down.stderr()).toMatch(/^waitables: cannot connect to etcd:\/\/127\.0\.0\.1:1,127\.0\.0\.1:2: [^\n]+\n$/);
    const bad = cli(['ls', '--connect', 'etcd://']);
    expect(await bad.status).toBe(2);
    expect(bad.stderr()).toMatch(/is not a PostgreSQL or etcd URL/);
  }, 120_000);
});
