// The waitables command, run as real processes (Linux natively, Windows Node under Wine).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cli, holdUntilReleased, nodeCommand } from '../helpers/cli.js';
import { uniqueName } from '../helpers/names.js';
import { processAlive } from '../helpers/process-alive.js';

const plain = (name: string) => name.replace('Local\\', '');

/** A command that logs "start <id>", works a while, logs "end <id>" into a shared file. */
function worker(log: string, id: string, ms = 150): string[] {
  const file = JSON.stringify(log);
  return nodeCommand(
    `const fs=require('fs');fs.appendFileSync(${file},'start ${id}\\n');const t=Date.now()+${ms};while(Date.now()<t);fs.appendFileSync(${file},'end ${id}\\n')`,
  );
}

function maxConcurrency(log: string): number {
  let now = 0;
  let max = 0;
  for (const line of readFileSync(log, 'utf8').trim().split('\n')) {
    now += line.startsWith('start') ? 1 : -1;
    max = Math.max(max, now);
  }
  return max;
}

describe('waitables lock', () => {
  test('runs the command and exits with its status', async () => {
    const run = cli(['lock', plain(uniqueName('lock-status')), ...nodeCommand('process.exit(7)')]);
    expect(await run.status).toBe(7);
  });

  test('two runs never overlap', async () => {
    const name = plain(uniqueName('lock-overlap'));
    const log = join(mkdtempSync(join(tmpdir(), 'waitables-cli-')), 'log');
    const runs = ['a', 'b', 'c'].map((id) => cli(['lock', name, ...worker(log, id)]));
    expect(await Promise.all(runs.map((r) => r.status))).toEqual([0, 0, 0]);
    expect(maxConcurrency(log)).toBe(1);
  });

  test('gives up with status 124 when the lock is not obtained in time', async () => {
    const name = plain(uniqueName('lock-timeout'));
    const hold = holdUntilReleased();
    const holder = cli(['lock', name, ...hold.command]);
    await holder.printed('held');
    const late = cli(['lock', '--timeout', '100ms', name, ...nodeCommand("console.log('ran')")]);
    expect(await late.status).toBe(124);
    expect(late.stdout()).not.toContain('ran');
    expect(late.stderr()).toContain('timed out');
    hold.release();
    expect(await holder.status).toBe(0);
  });

  test('a killed holder lets the next one in, with an abandonment notice', async () => {
    const name = plain(uniqueName('lock-abandon'));
    const holder = cli(['lock', name, ...nodeCommand("console.log('held');setTimeout(()=>{},60000)")]);
    await holder.printed('held');
    const next = cli(['lock', '--verbose', '--timeout', '30s', name, ...nodeCommand("console.log('next in')")]);
    // Once it waits, it holds a handle: the mutex outlives its holder (else it would vanish with it).
    await next.printedError('waiting for');
    holder.child.kill('SIGKILL');
    expect(await next.status).toBe(0);
    expect(next.stdout()).toContain('next in');
    expect(next.stderr()).toContain('abandoned');
  });
});

describe('the command of lock and sem never outlives its wrapper', () => {
  // Linux: setpriv --pdeathsig KILL (test/cli-linux/lifetime.test.ts storms it). Windows:
  // Node's libuv puts every child it spawns in a job object that kills them when the
  // wrapper's last handle to it closes, as it does when the wrapper is killed.
  test.each(['lock', 'sem'])('%s: the wrapper killed with -9, its command is killed too', async (command) => {
    const name = plain(uniqueName(`lifetime-${command}`));
    const args = command === 'sem' ? ['sem', name, '--max', '1'] : ['lock', name];
    const run = cli([...args, ...nodeCommand("console.log('pid', process.pid, process.env.WAITABLES_NAME);setTimeout(()=>{},60000)")]);
    await run.printed(`pid `);
    const [, pid, seenName] = /pid (\d+) (\S+)/.exec(run.stdout())!;
    expect(seenName).toBe(name);
    expect(processAlive(Number(pid))).toBe(true);
    run.child.kill('SIGKILL');
    await run.status;
    for (let i = 0; i < 1000 && processAlive(Number(pid)); i++) await new Promise((r) => setTimeout(r, 10));
    expect(processAlive(Number(pid))).toBe(false);
  });
});

describe('waitables sem', () => {
  test('--max 2 never lets three run at once', async () => {
    const name = plain(uniqueName('sem-two'));
    const log = join(mkdtempSync(join(tmpdir(), 'waitables-cli-')), 'log');
    const runs = ['a', 'b', 'c', 'd'].map((id) => cli(['sem', name, '--max', '2', ...worker(log, id, 300)]));
    expect(await Promise.all(runs.map((r) => r.status))).toEqual([0, 0, 0, 0]);
    expect(maxConcurrency(log)).toBeLessThanOrEqual(2);
  });

  test('a wrapper killed with -9 gives its unit back: the next one gets in (crash-safe by default)', async () => {
    const name = plain(uniqueName('sem-crash'));
    const holder = cli(['sem', name, '--max', '1', ...nodeCommand("console.log('held');setTimeout(()=>{},60000)")]);
    await holder.printed('held');
    const next = cli(['sem', '--verbose', '--timeout', '60s', name, '--max', '1', ...nodeCommand("console.log('next in')")]);
    await next.printedError('waiting for');
    holder.child.kill('SIGKILL');
    expect(await next.status).toBe(0);
    expect(next.stdout()).toContain('next in');
  });

  test('refuses an existing semaphore of another maximum (status 2)', async () => {
    const name = plain(uniqueName('sem-max'));
    const hold = holdUntilReleased();
    const holder = cli(['sem', name, '--max', '3', ...hold.command]);
    await holder.printed('held');
    const other = cli(['sem', name, '--max', '2', ...nodeCommand('')]);
    expect(await other.status).toBe(2);
    expect(other.stderr()).toContain('--max 3');
    hold.release();
    expect(await holder.status).toBe(0);
  });
});

describe('waitables wait and set', () => {
  test('wait wakes when another process sets the event; with --any the status says which', async () => {
    const a = plain(uniqueName('ev-a'));
    const b = plain(uniqueName('ev-b'));
    const waiter = cli(['wait', a, '--any', b, '--timeout', '30s']);
    // Hand-shake: set until the waiter has taken it (a set before it opened the event is lost).
    let status: number | null = null;
    void waiter.status.then((s) => (status = s));
    while (status === null) {
      await cli(['set', b]).status;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(1);
  });

  test('wait times out with status 124', async () => {
    expect(await cli(['wait', plain(uniqueName('ev-none')), '--timeout', '100ms']).status).toBe(124);
  });
});

describe('waitables ticks', () => {
  test('prints each tick with its lateness, then jitter and drift', async () => {
    const run = cli(['ticks', '--period', '10ms', '--count', '5']);
    expect(await run.status).toBe(0);
    const lines = run.stdout().trim().split('\n');
    expect(lines.filter((l) => l.startsWith('tick '))).toHaveLength(5);
    expect(lines.at(-1)).toMatch(/5 ticks of 10 ms, \d+ missed; jitter p50 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms; drift -?[\d.]+ ms/);
  });
});

describe('waitables --help', () => {
  test.each(['lock', 'sem', 'rwlock', 'wait', 'set', 'reset', 'pulse', 'ticks', 'ls'])('%s has help with examples', async (command) => {
    const run = cli([command, '--help']);
    expect(await run.status).toBe(0);
    expect(run.stdout()).toContain('Example');
  });

  test('bad usage exits with status 2', async () => {
    expect(await cli(['lock']).status).toBe(2);
    expect(await cli(['wait', 'x', '--timeout', 'soon']).status).toBe(2);
  });
});
