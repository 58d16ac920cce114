// Every failure of the waitables command is one line with a documented exit status,
// never a stack trace (Linux natively, Windows Node under Wine).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { cli, holdUntilReleased, nodeCommand } from '../helpers/cli.js';
import { uniqueName } from '../helpers/names.js';

const plain = (name: string) => name.replace('Local\\', '');

/** Runs the command to its end; asserts that stderr is one line without a stack. */
async function failing(args: string[]): Promise<{ status: number; message: string; stdout: string }> {
  const run = cli(args);
  const status = await run.status;
  const lines = run.stderr().trimEnd().split('\n');
  expect(lines, run.stderr()).toHaveLength(1);
  expect(lines[0]).toMatch(/^waitables: /);
  expect(run.stderr()).not.toMatch(/\n\s+at /);
  return { status, message: lines[0]!, stdout: run.stdout() };
}

describe('waitables --version', () => {
  test('prints the version of the package', async () => {
    const run = cli(['--version']);
    expect(await run.status).toBe(0);
    const { version } = JSON.parse(readFileSync(new URL('../../packages/cli/package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(run.stdout().trim()).toBe(version);
  });
});

describe('a name that cannot be a name is a usage error (status 2), said in one line', () => {
  const long = 'x'.repeat(300);
  test.each([
    ['set', 'a\\b', /ERROR_PATH_NOT_FOUND|ERROR_INVALID_NAME/],
    ['reset', 'Local\\', /ERROR_INVALID_NAME|ERROR_PATH_NOT_FOUND/],
    ['pulse', long, /NAME must be at most 260 characters/],
    ['wait', 'a\\b', /ERROR_PATH_NOT_FOUND|ERROR_INVALID_NAME/],
  ])('%s %j', async (command, name, expected) => {
    const r = await failing([command, name, ...(command === 'wait' ? ['--timeout', '0'] : [])]);
    expect(r.message).toMatch(expected);
    expect(r.status).toBe(2);
  });

  test.each([['lock'], ['sem']])('%s with an empty name never runs the command', async (command) => {
    const r = await failing([command, '', ...(command === 'sem' ? ['--max', '1'] : []), ...nodeCommand("console.log('ran')")]);
    expect(r.message).toMatch(/NAME must not be empty/);
    expect(r.status).toBe(2);
    expect(r.stdout).not.toContain('ran');
  });

  test.each([['wait'], ['set']])('%s with an empty name', async (command) => {
    const r = await failing([command, '']);
    expect(r.message).toMatch(/NAME must not be empty/);
    expect(r.status).toBe(2);
  });
});

describe('a name held by another kind of object is said to be so (status 1)', () => {
  test('wait, set and sem on the name of a held mutex', async () => {
    const name = plain(uniqueName('other-kind'));
    const hold = holdUntilReleased();
    const holder = cli(['lock', name, ...hold.command]);
    await holder.printed('held');
    for (const [args, kind] of [
      [['wait', name, '--timeout', '0'], 'an event'],
      [['set', name], 'an event'],
      [['sem', name, '--max', '1', ...nodeCommand('')], 'a semaphore'],
    ] as const) {
      const r = await failing([...args]);
      expect(r.message).toBe(`waitables: that name is a mutex, not ${kind}: ${name} (ERROR_INVALID_HANDLE)`);
      expect(r.status).toBe(1);
    }
    hold.release();
    expect(await holder.status).toBe(0);
  });
});

describe('a usage error is one line that says where to read more (status 2)', () => {
  test.each([
    [['lock'], /^waitables: missing required argument 'name' \(see waitables lock --help\)$/],
    [['wait', 'x', '--timeout', 'soon'], /^waitables: .*"soon" is not a duration .*\(see waitables wait --help\)$/],
    [['bogus'], /^waitables: unknown command 'bogus' \(see waitables --help\)$/],
    [['sem', 'x', '--max', '1', 'ls', '-l'], /^waitables: unknown option '-l'; put -- before the command .*\(see waitables sem --help\)$/],
    [['set', 'x', '--connect', 'base'], /^waitables: --connect \(or WAITABLES_CONNECT\): "base" is not a PostgreSQL or etcd URL/],
    [['lock', 'x', '--connect', 'postgres//db', ...nodeCommand('0')], /is not a PostgreSQL or etcd URL/],
  ])('waitables %j', async (args, expected) => {
    const r = await failing(args);
    expect(r.message).toMatch(expected);
    expect(r.status).toBe(2);
  });

  test('a password in a malformed --connect is not shown', async () => {
    const r = await failing(['ls', '--connect', 'mysql://app:secret@db/app']);
    expect(r.message).not.toContain('secret');
    expect(r.status).toBe(2);
  });
});

describe('durations', () => {
  test.each([
    ['250ms', 250],
    ['5', 5_000],
    ['1.5s', 1_500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1m30s250ms', 90_250],
  ])('%s is %i ms', async (text, ms) => {
    const { parseDuration } = await import('../../packages/cli/dist/duration.js');
    expect(parseDuration(text)).toBe(ms);
  });

  test.each(['', 'h', '1x', '1h 30m', '-1s', 'ms', '1.s'])('%j is refused', async (text) => {
    const { parseDuration } = await import('../../packages/cli/dist/duration.js');
    expect(() => parseDuration(text)).toThrow(/is not a duration/);
  });

  test('a timeout is said in whole milliseconds, as given', async () => {
    const name = uniqueName('cli-timeout-ms');
    const holder = holdUntilReleased();
    const held = cli(['lock', plain(name), ...holder.command]);
    await held.printed('held');
    const r = await failing(['lock', '--timeout', '0.2501', plain(name), ...nodeCommand('0')]);
    expect(r.message).toMatch(/^waitables: timed out after 250 ms waiting for mutex /);
    holder.release();
    expect(await held.status).toBe(0);
  });
});
