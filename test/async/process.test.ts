import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { TimeoutError, processExit } from '@waitables/async';
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
});
