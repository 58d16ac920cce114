// Programs start the way users start them: from a file and as `node -e` / `-p`
// one-liners, with the Node options people use, on the command line and in NODE_OPTIONS.
// Whatever the program's options, its wait threads start (they take none of them), its
// waits on them complete, and it ends on its own.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = (path: string) => fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url));
const program = fixture('waits-on-threads.cjs');
const source = readFileSync(program, 'utf8');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs node with `args` from the repository's root until it ends, or until `stopWhen` says so (then SIGTERM). */
async function node(args: string[], env: NodeJS.ProcessEnv = {}, stopWhen?: (stdout: string) => boolean): Promise<Run> {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += String(chunk);
    if (stopWhen?.(stdout)) child.kill('SIGTERM');
  });
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** The program did every wait through the wait threads and none failed. */
function expectDone(run: Run): void {
  const line = /done (\d) (\{.*\})/.exec(run.stdout);
  expect(line, `stdout: ${run.stdout}\nstderr: ${run.stderr}`).not.toBeNull();
  expect(line![1]).toBe('1');
  expect(JSON.parse(line![2]!)).toMatchObject({ pending: 0, threadFailures: 0 });
  expect(run.stderr).not.toMatch(/ERR_|WaitThreadError/);
}

const hookCjs = fixture('hooks/count-thread.cjs');
// --import and --experimental-loader take module specifiers: file URLs (a path is not one on Windows).
const hookMjs = pathToFileURL(fixture('hooks/count-thread.mjs')).href;
const loader = pathToFileURL(fixture('hooks/loader.mjs')).href;
const hookRuns = (run: Run) => run.stderr.match(/hook ran on [a-z ]+/g) ?? [];

describe('a program whose waits reach the wait threads, started', () => {
  test('from a file', async () => {
    const run = await node([program]);
    expect(run.code).toBe(0);
    expectDone(run);
  });

  test.each([
    ['-e', ['-e', source]],
    ['--eval', ['--eval', source]],
    ['-p', ['-p', source]],
    ['--input-type=module -e', ['--input-type=module', '-e', source]],
    ['--input-type=commonjs -e', ['--input-type=commonjs', '-e', source]],
  ])('as `node %s` one-liner', async (_, args) => {
    const run = await node(args);
    expect(run.code).toBe(0);
    expectDone(run);
  });

  test.each([
    ['--input-type=module', ['-e', source]],
    ['--require <hook>', ['-e', source]],
    ['--import <hook>', [program]],
    ['--experimental-vm-modules --no-warnings', [program]],
    ['--max-old-space-size=256 --trace-warnings --enable-source-maps', [program]],
  ])('with NODE_OPTIONS="%s"', async (options, args) => {
    const value = options.replace('<hook>', options.startsWith('--require') ? JSON.stringify(hookCjs) : JSON.stringify(hookMjs));
    const run = await node(args, { NODE_OPTIONS: value });
    expect(run.code).toBe(0);
    expectDone(run);
    // A hook runs on the program's thread only: a wait thread takes none of the options.
    if (options.includes('<hook>')) expect(hookRuns(run)).toEqual(['hook ran on the main thread']);
  });

  test('with --require and --import hooks: they run on the main thread only', async () => {
    const run = await node(['--require', hookCjs, '--import', hookMjs, program]);
    expect(run.code).toBe(0);
    expectDone(run);
    expect(hookRuns(run)).toEqual(['hook ran on the main thread', 'hook ran on the main thread']);
  });

  test('with a module loader (--experimental-loader)', async () => {
    const run = await node(['--no-warnings', '--experimental-loader', loader, '-e', source]);
    expect(run.code).toBe(0);
    expectDone(run);
  });

  test('with --inspect on a port of its own: no wait thread opens another', async () => {
    const run = await node(['--inspect=127.0.0.1:0', program]);
    expect(run.code).toBe(0);
    expectDone(run);
    expect(run.stderr.match(/Debugger listening/g)).toHaveLength(1);
  });

  test('under the test runner (--test)', async () => {
    const run = await node(['--test', program]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/done 1 .*"threadFailures":0/);
  });

  test.runIf(process.platform === 'linux')('under --watch (the watcher is stopped once the program is done)', async () => {
    const run = await node(['--watch', program], {}, (out) => /done 1/.test(out));
    expect(run.stdout).toMatch(/done 1 .*"threadFailures":0/);
  });
});
