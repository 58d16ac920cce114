import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { constants } from 'node:os';
import { AbortError, TimeoutError, processExit } from '@waitables/async';
import { isSettled } from '../helpers/async.js';

const exitWith = fileURLToPath(new URL('../fixtures/exit-with.mjs', import.meta.url));

describe('processExit', () => {
  test('resolves once the process exits, with its exit code when the OS still has it', async () => {
    const child = spawn(process.execPath, [exitWith, '5'], { stdio: ['pipe', 'ignore', 'inherit'] });
    await once(child, 'spawn');
    const exited = processExit(child.pid!);
    expect(await isSettled(exited)).toBe(false);
    child.stdin.end('go\n');
    const code = await exited;
    expect(code === 5 || code === null).toBe(true);
  });

  test('times out while the process runs', async () => {
    const child = spawn(process.execPath, [exitWith, '0'], { stdio: ['pipe', 'ignore', 'inherit'] });
    await once(child, 'spawn');
    await expect(processExit(child.pid!, { timeout: 30 })).rejects.toBeInstanceOf(TimeoutError);
    child.stdin.end('go\n');
    await once(child, 'exit');
  });

  test('given the ChildProcess, resolves with its exit code on every platform (Node reaps it; its own record is used)', async () => {
    const child = spawn(process.execPath, [exitWith, '5'], { stdio: ['pipe', 'ignore', 'inherit'] });
    await once(child, 'spawn');
    const exited = processExit(child);
    expect(await isSettled(exited)).toBe(false);
    child.stdin.end('go\n');
    expect(await exited).toBe(5);
    expect(await processExit(child)).toBe(5); // already exited: at once
  });

  test('given the ChildProcess of a child ended by a signal, resolves with 128 + its number', async () => {
    const child = spawn(process.execPath, [exitWith, '0'], { stdio: ['pipe', 'ignore', 'inherit'] });
    await once(child, 'spawn');
    const exited = processExit(child, { timeout: 60_000 });
    child.kill('SIGKILL');
    const code = await exited;
    if (child.signalCode !== null) expect(code).toBe(128 + constants.signals.SIGKILL);
    else expect(code).toBe(child.exitCode); // Windows may report TerminateProcess's exit code instead
  });

  test('given the ChildProcess, an abort or timeout rejects and leaves no listener on the child', async () => {
    const child = spawn(process.execPath, [exitWith, '0'], { stdio: ['pipe', 'ignore', 'inherit'] });
    await once(child, 'spawn');
    const listeners = child.listenerCount('exit');
    const controller = new AbortController();
    const aborted = processExit(child, { signal: controller.signal });
    controller.abort();
    await expect(aborted).rejects.toBeInstanceOf(AbortError);
    await expect(processExit(child, { timeout: 20 })).rejects.toBeInstanceOf(TimeoutError);
    expect(child.listenerCount('exit')).toBe(listeners);
    child.stdin.end('go\n');
    expect(await processExit(child)).toBe(0);
  });

  test('rejects what is neither a pid nor a ChildProcess with a TypeError', async () => {
    await expect(processExit('1234' as never)).rejects.toBeInstanceOf(TypeError);
  });
});
