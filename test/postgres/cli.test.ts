// The `waitables` command with --connect: real processes of the command sharing objects
// through one real PostgreSQL server (the local namespace plays no part): two lock runs
// never overlap, sem --max 2 admits two at once, wait is woken by set from another
// process, Ctrl-C cancels a wait, ls --connect lists the database's objects, rwlock
// --read runs readers together and --write alone, a lost session is said and the
// command gets SIGTERM, and a bad URL is one line with status 1. Hand-shakes on the
// database's queue, never sleeps.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { cli, nodeCommand } from '../helpers/cli.js';
import { queued, sql, until, usePostgres } from './helpers.js';

const pgServer = usePostgres();
const url = () => pgServer.server.url;
const SCHEMA = 'waitables'; // the command's schema (connect()'s default)
let names = 0;
const fresh = (what: string) => `cli-${what}-${process.pid}-${++names}`;

/** A command for lock/sem: logs `in TAG`, waits for the file `go-TAG`, logs `out TAG`. */
function guarded(dir: string, tag: string): string[] {
  const log = JSON.stringify(join(dir, 'log'));
  const go = JSON.stringify(join(dir, `go-${tag}`));
  return nodeCommand(
    `const fs=require('fs');fs.appendFileSync(${log},'in ${tag}\\n');` +
      `const t=setInterval(()=>{if(fs.existsSync(${go})){clearInterval(t);fs.appendFileSync(${log},'out ${tag}\\n')}},20)`,
  );
}
/** `cli()` with WAITABLES_CONNECT set in its environment (spawn copies the environment at once). */
function cliWithEnv(args: string[]): ReturnType<typeof cli> {
  process.env.WAITABLES_CONNECT = url();
  try {
    return cli(args);
  } finally {
    delete process.env.WAITABLES_CONNECT;
  }
}
const logOf = (dir: string) => (existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8').trim().split('\n') : []);

describe('waitables --connect', () => {
  it('two `lock --connect` runs never overlap: the second runs only after the first released', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'waitables-pgcli-'));
    const name = fresh('lock');
    const a = cli(['lock', '--connect', url(), name, ...guarded(dir, 'a')]);
    await until(() => logOf(dir).includes('in a'), 'a holds the lock');
    const b = cli(['lock', '--connect', url(), name, ...guarded(dir, 'b')]);
    await until(async () => (await queued(url(), SCHEMA, name)) === 1, 'b is queued on the mutex');
    expect(logOf(dir)).toEqual(['in a']);
    writeFileSync(join(dir, 'go-b'), ''); // b's command may finish at once, once it runs at all
    writeFileSync(join(dir, 'go-a'), '');
    expect(await a.status).toBe(0);
    expect(await b.status).toBe(0);
    expect(logOf(dir)).toEqual(['in a', 'out a', 'in b', 'out b']);
    expect(b.stderr()).toBe('');
  });

  it('`sem --connect --max 2` admits two commands at once and queues the third', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'waitables-pgcli-'));
    const name = fresh('sem');
    const a = cli(['sem', name, '--max', '2', '--connect', url(), ...guarded(dir, 'a')]);
    const b = cli(['sem', name, '--max', '2', '--connect', url(), ...guarded(dir, 'b')]);
    await until(() => logOf(dir).length === 2, 'a and b both run');
    const c = cli(['sem', name, '--max', '2', '--connect', url(), ...guarded(dir, 'c')]);
    await until(async () => (await queued(url(), SCHEMA, name)) === 1, 'c is queued');
    expect(logOf(dir).sort()).toEqual(['in a', 'in b']);
    writeFileSync(join(dir, 'go-c'), '');
    writeFileSync(join(dir, 'go-b'), '');
    expect(await b.status).toBe(0);
    expect(await c.status).toBe(0);
    writeFileSync(join(dir, 'go-a'), '');
    expect(await a.status).toBe(0);
    const log = logOf(dir);
    expect(log.indexOf('in c')).toBeGreaterThan(log.indexOf('out b'));
    expect(log.indexOf('in c')).toBeLessThan(log.indexOf('out a'));
    // Every unit came back.
    const rows = await sql<{ count: number }>(url(), `select count from ${SCHEMA}.objects where name = $1`, [name]);
    expect(rows[0]!.count).toBe(2);
  });

  it('an existing semaphore with another --max is a usage error (status 2)', async () => {
    const name = fresh('sem-max');
    const first = cli(['sem', name, '--max', '3', '--connect', url(), ...nodeCommand('')]);
    expect(await first.status).toBe(0);
    const other = cli(['sem', name, '--max', '2', '--connect', url(), ...nodeCommand('')]);
    expect(await other.status).toBe(2);
    expect(other.stderr()).toBe(`waitables: semaphore ${name} exists with --max 3, not 2\n`);
  });

  it('`wait --connect` is woken by `set --connect` from another process, and `ls --connect` shows both', async () => {
    const name = fresh('event');
    const lockName = fresh('held');
    const waiter = cli(['wait', '--connect', url(), name]);
    await until(async () => (await queued(url(), SCHEMA, name)) === 1, 'the waiter is queued on the event');

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
    expect(set.stderr()).toBe('');
    expect(await waiter.status).toBe(0);
    holder.child.kill('SIGTERM');
    expect(await holder.status).toBe(143);
  });

  it('WAITABLES_CONNECT stands for --connect; wait --any exits with the index that fired', async () => {
    const [first, second] = [fresh('any'), fresh('any')];
    const waiter = cliWithEnv(['wait', first, '--any', second]);
    await until(async () => (await queued(url(), SCHEMA, second)) === 1, 'the waiter is queued');
    expect(await cliWithEnv(['set', second]).status).toBe(0);
    expect(await waiter.status).toBe(1);
  });

  it('Ctrl-C cancels a `wait --connect` (status 130) and leaves nothing queued', async () => {
    const name = fresh('cancel');
    const waiter = cli(['wait', '--connect', url(), name]);
    await until(async () => (await queued(url(), SCHEMA, name)) === 1, 'the waiter is queued');
    waiter.child.kill('SIGINT');
    expect(await waiter.status).toBe(130);
    expect(await queued(url(), SCHEMA, name)).toBe(0);
  });

  it('--timeout gives up with status 124 while another process holds the lock', async () => {
    const name = fresh('timeout');
    const holder = cli(['lock', '--connect', url(), name, ...nodeCommand("console.log('held');setInterval(()=>{},1000)")]);
    await holder.printed('held');
    const late = cli(['lock', '--connect', url(), '--timeout', '200ms', name, ...nodeCommand('')]);
    expect(await late.status).toBe(124);
    expect(late.stderr()).toBe(`waitables: timed out after 200 ms waiting for mutex ${name}\n`);
    holder.child.kill('SIGTERM');
    expect(await holder.status).toBe(143);
  });

  it('when the session holding the lock is lost (its connection cut) while the command runs: said on stderr, the command gets SIGTERM, the next holder is told it was abandoned', async () => {
    const name = fresh('lost');
    const holder = cli(['lock', '--connect', url(), name, ...nodeCommand("console.log('held');setInterval(()=>{},1000)")]);
    await holder.printed('held');
    const label = `waitables cli, pid ${holder.child.pid}`;
    const [session] = await sql<{ pid: number }>(url(), `select pid from ${SCHEMA}.sessions where label = $1`, [label]);
    await sql(url(), 'select pg_terminate_backend($1)', [session!.pid]);
    await holder.printedError(`waitables: lost mutex ${name}: the database session ended`);
    // The command, which ignores nothing, is ended by the SIGTERM: 128 + 15.
    expect(await holder.status).toBe(143);
    expect(holder.stderr()).toContain('stopping the command (SIGTERM)');
    const next = cli(['lock', '--connect', url(), name, ...nodeCommand('')]);
    expect(await next.status).toBe(0);
    expect(next.stderr()).toContain(`waitables: mutex ${name} was abandoned by its previous holder`);
  });

  it('when the lease cannot be renewed (its session row held by another transaction), lost fires before the server’s deadline and the command gets SIGTERM; its own status is returned', async () => {
    const name = fresh('lease');
    const holder = cli([
      'rwlock',
      '--connect',
      url(),
      '--write',
      name,
      ...nodeCommand(
        "process.on('SIGTERM',()=>{console.log('stopped by SIGTERM');process.exit(3)});console.log('held');setInterval(()=>{},1000)",
      ),
    ]);
    await holder.printed('held');
    const user = new pg.Client({ connectionString: url() });
    await user.connect();
    try {
      // Every renewal of the wrapper's session waits for this transaction: none succeeds.
      await user.query('begin');
      await user.query(`select 1 from ${SCHEMA}.sessions where label = $1 for update`, [`waitables cli, pid ${holder.child.pid}`]);
      await holder.printed('stopped by SIGTERM');
      expect(await holder.status).toBe(3);
      expect(holder.stderr()).toContain(`waitables: lost reader-writer lock ${name}: the database session ended`);
      const { rows } = await user.query<{ ahead: boolean }>(
        `select lease_until > clock_timestamp() as ahead from ${SCHEMA}.sessions where label = $1`,
        [`waitables cli, pid ${holder.child.pid}`],
      );
      // Told while the server still counted it as the holder (or it has already closed its session).
      expect(rows.every((r) => r.ahead)).toBe(true);
      await user.query('rollback');
    } finally {
      await user.end();
    }
  }, 40_000);

  it('`rwlock --read` commands run together; a `--write` waits for them, and a `--read` that comes after the queued writer waits for it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'waitables-pgcli-'));
    const name = fresh('rw');
    const r1 = cli(['rwlock', '--connect', url(), '--read', name, ...guarded(dir, 'r1')]);
    const r2 = cli(['rwlock', '--connect', url(), '--read', name, ...guarded(dir, 'r2')]);
    await until(() => logOf(dir).length === 2, 'both readers run');
    const w = cli(['rwlock', '--connect', url(), '--write', name, ...guarded(dir, 'w')]);
    await until(async () => (await queued(url(), SCHEMA, name)) === 1, 'the writer is queued');
    const r3 = cli(['rwlock', '--connect', url(), '--read', name, ...guarded(dir, 'r3')]);
    await until(async () => (await queued(url(), SCHEMA, name)) === 2, 'the late reader is queued behind the writer');
    const ls = cli(['ls', '--connect', url()]);
    expect(await ls.status).toBe(0);
    expect(
      ls
        .stdout()
        .split('\n')
        .find((l) => l.includes(name)),
    ).toMatch(new RegExp(`^rwlock\\s+${name}\\s+read by 2\\s+2 readers\\s+2\\s+\\d+\\s+\\d+m?s\\s+\\d+m?s$`));
    for (const tag of ['w', 'r3', 'r1', 'r2']) writeFileSync(join(dir, `go-${tag}`), '');
    for (const run of [r1, r2, w, r3]) expect(await run.status).toBe(0);
    const log = logOf(dir);
    expect(log.indexOf('in w')).toBeGreaterThan(Math.max(log.indexOf('out r1'), log.indexOf('out r2')));
    expect(log.indexOf('in r3')).toBeGreaterThan(log.indexOf('out w'));
  });

  it('`rwlock` without --read or --write, or without --connect, is a usage error (status 2)', async () => {
    const neither = cli(['rwlock', '--connect', url(), 'x', ...nodeCommand('')]);
    expect(await neither.status).toBe(2);
    expect(neither.stderr()).toBe('waitables: rwlock needs --read or --write\n');
    const local = cli(['rwlock', '--read', 'x', ...nodeCommand('')]);
    expect(await local.status).toBe(2);
    expect(local.stderr()).toMatch(/^waitables: rwlock needs --connect URL/);
  });

  it.each([
    ['a server nobody listens on', 'postgres://nobody:secret@127.0.0.1:1/none', 1, /^waitables: cannot connect to [^\n]+\n$/],
    [
      'not a URL at all',
      'postgres://[::1',
      2,
      /^waitables: --connect \(or WAITABLES_CONNECT\): "[^\n]+" is not a PostgreSQL or etcd URL [^\n]+\n$/,
    ],
    [
      'not a PostgreSQL URL',
      'mysql://nobody:secret@db/none',
      2,
      /^waitables: --connect \(or WAITABLES_CONNECT\): "[^\n]+" is not a PostgreSQL or etcd URL [^\n]+\n$/,
    ],
  ])('a bad URL (%s) is one line on stderr, without the password', async (_what, bad, status, message) => {
    for (const args of [
      ['lock', '--connect', bad, 'x', ...nodeCommand('')],
      ['ls', '--connect', bad],
    ]) {
      const run = cli(args);
      expect(await run.status).toBe(status);
      const err = run.stderr();
      expect(err).toMatch(message);
      expect(err).not.toContain('secret');
      expect(run.stdout()).toBe('');
    }
  });
});
