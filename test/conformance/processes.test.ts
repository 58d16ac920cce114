import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import {
  ERROR_INVALID_PARAMETER,
  ERROR_NOT_GUI_PROCESS,
  Event,
  PROCESS_QUERY_INFORMATION,
  Process,
  STILL_ACTIVE,
  SYNCHRONIZE,
  getBackend,
  waitAny,
} from '@waitables/core';
import { expectWin32Error } from '../helpers/expect-error.js';

const exitWith = new URL('../fixtures/exit-with.mjs', import.meta.url);

function startChild(code: number) {
  const child = spawn(process.execPath, [fileURLToPath(exitWith), String(code)], { stdio: ['pipe', 'ignore', 'inherit'] });
  return child;
}

describe('a process handle', () => {
  test('is unsignaled while the process runs and signaled once it exits, with its exit code', async () => {
    const child = startChild(7);
    await once(child, 'spawn');
    using p = Process.open(child.pid!);
    expect(p.wait(0)).toBe('timeout');
    expect(p.exitCode).toBeNull();
    expect(getBackend().getExitCodeProcess(p.handle)).toBe(STILL_ACTIVE);
    child.stdin.end('go\n');
    expect(p.wait(10_000)).toBe('signaled');
    expect(p.exitCode).toBe(7);
    expect(p.wait(0)).toBe('signaled');
  });

  test('is signaled when the process is killed', async () => {
    const child = startChild(0);
    await once(child, 'spawn');
    using p = Process.open(child.pid!);
    child.kill('SIGKILL');
    expect(p.wait(10_000)).toBe('signaled');
    expect(p.exitCode).not.toBe(0);
  });

  test('waits beside other objects in a wait-any', async () => {
    const child = startChild(3);
    await once(child, 'spawn');
    using p = Process.open(child.pid!);
    using e = Event.create();
    expect(waitAny([e, p], 0)).toBeNull();
    child.stdin.end('go\n');
    expect(waitAny([e, p], 10_000)).toMatchObject({ index: 1 });
  });

  test('of this process never signals while it runs', () => {
    expect(Process.currentPid()).toBe(process.pid);
    using self = Process.open(Process.currentPid());
    expect(self.wait(0)).toBe('timeout');
    expect(self.exitCode).toBeNull();
  });

  test('cannot be opened for a pid that does not exist: ERROR_INVALID_PARAMETER', () => {
    const e = expectWin32Error(() => Process.open(0x7ffffff0), ERROR_INVALID_PARAMETER, 'OpenProcess');
    expect(e.message).toContain(`No process has id ${0x7ffffff0}.`);
    expect(expectWin32Error(() => Process.open(0), ERROR_INVALID_PARAMETER, 'OpenProcess').message).toContain(
      'Process id 0 is the idle process',
    );
  });
});

describe('WaitForInputIdle', () => {
  test('fails at once for a console process: ERROR_NOT_GUI_PROCESS', async () => {
    const child = startChild(0);
    await once(child, 'spawn');
    using p = Process.open(child.pid!, { access: PROCESS_QUERY_INFORMATION | SYNCHRONIZE });
    expectWin32Error(() => getBackend().waitForInputIdle(p.handle, 1_000), ERROR_NOT_GUI_PROCESS, 'WaitForInputIdle');
    child.stdin.end('go\n');
    expect(p.wait(10_000)).toBe('signaled');
  });
});
