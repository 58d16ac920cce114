// @waitables/async waits on the process handles of win32process like on any other object.
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { Event as AsyncEvent, TimeoutError, closeWaitPool, waitAny } from '@waitables/async';
import { Event } from '@waitables/core';
import * as win32process from '@waitables/core/win32process';
import { isSettled } from '../helpers/async.js';
import { uniqueName } from '../helpers/names.js';

const child = fileURLToPath(new URL('../fixtures/created-child.mjs', import.meta.url));
afterAll(() => closeWaitPool());

function waitingChild(code: number) {
  const name = uniqueName('release');
  const release = Event.create({ name, manualReset: true });
  const [hProcess, hThread] = win32process.CreateProcess(
    null,
    [process.execPath, child, 'wait', name, String(code)].map((a) => `"${a}"`).join(' '),
    null,
    null,
    0,
    0,
    null,
    null,
    new win32process.STARTUPINFO(),
  );
  return { hProcess, hThread, release };
}

describe('awaiting a CreateProcess handle', () => {
  test('waitAny over an event and a process resolves with the process once it exits; its exit code is then readable', async () => {
    const { hProcess, hThread, release } = waitingChild(5);
    const stop = AsyncEvent.create();
    const waiting = waitAny([stop, hProcess]);
    expect(await isSettled(waiting)).toBe(false);
    release.set();
    const { index, object } = await waiting;
    expect(index).toBe(1);
    expect(object).toBe(hProcess);
    expect(win32process.GetExitCodeProcess(hProcess)).toBe(5);
    await expect(waitAny([hThread], { timeout: 30_000 })).resolves.toMatchObject({ index: 0 });
    hProcess.Close();
    hThread.Close();
    stop.core.close();
    release.close();
  });

  test('times out while the process runs, and the process keeps running', async () => {
    const { hProcess, hThread, release } = waitingChild(0);
    await expect(waitAny([hProcess], { timeout: 20 })).rejects.toBeInstanceOf(TimeoutError);
    expect(win32process.GetExitCodeProcess(hProcess)).toBe(win32process.STILL_ACTIVE);
    release.set();
    await expect(waitAny([hProcess])).resolves.toMatchObject({ index: 0 });
    hProcess.Close();
    hThread.Close();
    release.close();
  });
});
