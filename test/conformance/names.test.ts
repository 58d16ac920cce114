import { describe, expect, test } from 'vitest';
import {
  ERROR_FILE_NOT_FOUND,
  ERROR_INVALID_HANDLE,
  ERROR_PATH_NOT_FOUND,
  EVENT_ALL_ACCESS,
  Event,
  Mutex,
  Semaphore,
  WAIT_OBJECT_0,
  WaitableTimer,
} from '@waitables/core';
import { useActors } from '../helpers/actors.js';
import { expectWin32Error } from '../helpers/expect-error.js';
import { uniqueName } from '../helpers/names.js';

const { process: child } = useActors();

describe('a named object', () => {
  test('created again by name is the same object, reported as existing, with the new options ignored', () => {
    const name = uniqueName('same');
    using first = Event.create({ name, manualReset: true });
    using second = Event.create({ name, manualReset: false, initialState: true });
    expect(first.existed).toBe(false);
    expect(second.existed).toBe(true);
    expect(first.wait(0)).toBe('timeout');
    second.set();
    expect(first.wait(0)).toBe('signaled');
    expect(first.wait(0)).toBe('signaled'); // still manual-reset
  });

  test('opened by name is the same object', () => {
    const name = uniqueName('open');
    using created = Semaphore.create({ name, initialCount: 0, maximumCount: 3 });
    using opened = Semaphore.open(name);
    expect(opened.release(2)).toBe(0);
    expect(created.release(1)).toBe(2);
  });

  test('of another kind cannot be created or opened under that name: ERROR_INVALID_HANDLE', () => {
    const name = uniqueName('kind');
    using _e = Event.create({ name });
    expectWin32Error(() => Mutex.create({ name }), ERROR_INVALID_HANDLE, 'CreateMutexEx');
    expectWin32Error(() => Semaphore.create({ name, maximumCount: 1 }), ERROR_INVALID_HANDLE, 'CreateSemaphoreEx');
    expectWin32Error(() => WaitableTimer.create({ name }), ERROR_INVALID_HANDLE, 'CreateWaitableTimerEx');
    expectWin32Error(() => Mutex.open(name), ERROR_INVALID_HANDLE, 'OpenMutex');
  });

  test('of another kind: the error names the name, and on Linux the kind that has it (Windows does not tell)', () => {
    const name = uniqueName('kind');
    using _e = Event.create({ name });
    const created = expectWin32Error(() => Mutex.create({ name }), ERROR_INVALID_HANDLE, 'CreateMutexEx');
    const opened = expectWin32Error(() => Semaphore.open(name), ERROR_INVALID_HANDLE, 'OpenSemaphore');
    for (const e of [created, opened]) {
      expect(e.message).toContain(`The name ${JSON.stringify(name)} belongs to`);
      expect(e.strerror).not.toContain(name); // the system's text stays the system's
    }
    if (process.platform === 'linux') {
      expect(created.message).toContain('belongs to an event, not a mutex.');
      expect(opened.message).toContain('belongs to an event, not a semaphore.');
    } else {
      expect(created.message).toContain('belongs to another kind of object.');
    }
  });

  test('that does not exist cannot be opened: ERROR_FILE_NOT_FOUND', () => {
    const name = uniqueName('missing');
    expectWin32Error(() => Event.open(name), ERROR_FILE_NOT_FOUND, 'OpenEvent');
    expectWin32Error(() => Mutex.open(name), ERROR_FILE_NOT_FOUND, 'OpenMutex');
    expectWin32Error(() => Semaphore.open(name), ERROR_FILE_NOT_FOUND, 'OpenSemaphore');
    expectWin32Error(() => WaitableTimer.open(name), ERROR_FILE_NOT_FOUND, 'OpenWaitableTimer');
  });

  test('disappears when its last handle is closed', () => {
    const name = uniqueName('gone');
    const a = Event.create({ name });
    const b = Event.open(name);
    a.close();
    Event.open(name).close();
    b.close();
    expectWin32Error(() => Event.open(name), ERROR_FILE_NOT_FOUND);
    using fresh = Event.create({ name });
    expect(fresh.existed).toBe(false);
  });

  test('is case-sensitive', () => {
    const name = uniqueName('Case');
    using upper = Event.create({ name });
    using lower = Event.create({ name: name.replace('Case', 'case') });
    expect(lower.existed).toBe(false);
    upper.set();
    expect(lower.wait(0)).toBe('timeout');
  });

  test('without a prefix is in the Local\\ namespace; Global\\ is another one', () => {
    const bare = uniqueName('bare').replace('Local\\', '');
    using a = Event.create({ name: bare });
    using b = Event.create({ name: `Local\\${bare}` });
    using c = Event.create({ name: `Global\\${bare}` });
    expect([a.existed, b.existed, c.existed]).toEqual([false, true, false]);
  });

  test('takes the Global\\ prefix as well as Local\\', () => {
    const name = uniqueName('global').replace('Local\\', 'Global\\');
    using g = Event.create({ name });
    using again = Event.open(name);
    g.set();
    expect(again.wait(0)).toBe('signaled');
  });

  test('with a backslash other than a namespace prefix is refused: ERROR_PATH_NOT_FOUND', () => {
    expectWin32Error(() => Event.create({ name: uniqueName('a\\b').replace('Local\\', '') }), ERROR_PATH_NOT_FOUND, 'CreateEventEx');
    expectWin32Error(() => Event.create({ name: uniqueName('x').replace('Local\\', 'Nowhere\\') }), ERROR_PATH_NOT_FOUND);
  });

  test('with an empty name is anonymous: every create makes a new object', () => {
    using a = Event.create({ name: '' });
    using b = Event.create({ name: '' });
    expect(b.existed).toBe(false);
    a.set();
    expect(b.wait(0)).toBe('timeout');
  });

  test('set in one process wakes a waiter in another, and back', async () => {
    const name = uniqueName('xproc');
    using e = Event.create({ name });
    const other = await child();
    const h = await other.call('openEvent', name, EVENT_ALL_ACCESS, false);
    const w = other.start('waitForMultipleObjects', [h], false, 10_000, false);
    await w.started;
    e.set();
    expect(await w.result).toBe(WAIT_OBJECT_0);
    expect(e.wait(0)).toBe('timeout');
    await other.call('setEvent', h);
    expect(e.wait(0)).toBe('signaled');
  });
});
