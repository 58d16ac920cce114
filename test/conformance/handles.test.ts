import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { ERROR_INVALID_HANDLE, Event, HandleClosedError, Process, Semaphore, WAIT_OBJECT_0, getBackend } from '@waitables/core';
import { useActors } from '../helpers/actors.js';
import { expectWin32Error } from '../helpers/expect-error.js';
import { uniqueName } from '../helpers/names.js';

const { thread } = useActors();

describe('a handle', () => {
  test('adopted from a bigint is the same handle; one that names nothing fails at use with ERROR_INVALID_HANDLE', () => {
    using e = Event.create();
    using same = Event.fromHandle(BigInt(e.duplicateHandle()) as never);
    same.set();
    expect(e.wait(0)).toBe('signaled');
    const nothing = Process.fromHandle(-10000n as never);
    expectWin32Error(() => nothing.wait(0), ERROR_INVALID_HANDLE);
    nothing.detach();
  });

  test('closed twice is harmless', () => {
    const e = Event.create();
    e.close();
    expect(() => e.close()).not.toThrow();
    expect(e.closed).toBe(true);
  });

  test('used after close throws HandleClosedError before reaching the OS', () => {
    const e = Event.create();
    e.close();
    expect(() => e.set()).toThrow(HandleClosedError);
    expect(() => e.wait(0)).toThrow(expect.objectContaining({ code: 'ERR_HANDLE_CLOSED' }) as Error);
    expect(() => e.handle).toThrow(HandleClosedError);
  });

  test('is closed at the end of a using block', () => {
    let kept: Event;
    {
      using e = Event.create();
      kept = e;
      expect(kept.closed).toBe(false);
    }
    expect(kept.closed).toBe(true);
  });

  test('duplicated gives a second handle to the same object, usable from another thread', async () => {
    using s = Semaphore.create({ initialCount: 0, maximumCount: 5 });
    const dup = s.duplicateHandle();
    expect(dup).not.toBe(s.handle);
    const other = await thread();
    expect(await other.call('releaseSemaphore', dup, 2)).toBe(0);
    await other.call('closeHandle', dup);
    expect(s.release()).toBe(2);
    expectWin32Error(() => getBackend().closeHandle(dup), ERROR_INVALID_HANDLE, 'CloseHandle');
  });

  test('detached is no longer owned: the raw handle stays open until closed by hand', async () => {
    const e = Event.create({ initialState: true, manualReset: true });
    const raw = e.detach();
    expect(e.closed).toBe(true);
    const other = await thread();
    expect(await other.call('waitForMultipleObjects', [raw], false, 0, false)).toBe(WAIT_OBJECT_0);
    getBackend().closeHandle(raw);
  });

  test('dropped without close is closed by the garbage collector', async () => {
    const script = fileURLToPath(new URL('../fixtures/finalizer.mjs', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', script, uniqueName('finalized')]);
    expect(stdout.trim()).toBe('closed');
  });
});
