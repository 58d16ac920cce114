import { describe, expect, test } from 'vitest';
import {
  ERROR_NOT_OWNER,
  ERROR_TOO_MANY_POSTS,
  HandleClosedError,
  NotSupportedError,
  Win32Error,
  toDueTime,
  win32ErrorMessage,
  win32ErrorName,
} from '@waitables/core';

describe('Win32Error', () => {
  test('carries the number, its name and the function, in the message too', () => {
    const e = new Win32Error(ERROR_TOO_MANY_POSTS, 'ReleaseSemaphore');
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ errno: 298, code: 'ERROR_TOO_MANY_POSTS', syscall: 'ReleaseSemaphore', name: 'Win32Error' });
    expect(e.message).toBe('ReleaseSemaphore failed: ERROR_TOO_MANY_POSTS (298): Too many posts were made to a semaphore.');
  });

  test('has the fields of pywintypes.error', () => {
    const e = new Win32Error(ERROR_NOT_OWNER, 'ReleaseMutex');
    expect(e.winerror).toBe(288);
    expect(e.funcname).toBe('ReleaseMutex');
    expect(e.strerror).toBe('Attempt to release mutex not owned by caller.');
    expect(e.args).toEqual([288, 'ReleaseMutex', 'Attempt to release mutex not owned by caller.']);
  });

  test('names an unknown code by its number', () => {
    expect(win32ErrorName(12345)).toBe('ERROR_12345');
    expect(win32ErrorMessage(12345)).toBe('Win32 error 12345.');
    expect(new Win32Error(12345, 'X').code).toBe('ERROR_12345');
  });
});

describe('the other errors', () => {
  test('have stable codes', () => {
    expect(new HandleClosedError('this event')).toMatchObject({ code: 'ERR_HANDLE_CLOSED', message: 'this event is closed' });
    expect(new NotSupportedError('no')).toMatchObject({ code: 'ERR_NOT_SUPPORTED' });
  });
});

describe('timer due times', () => {
  test('relative delays become negative 100 ns counts', () => {
    expect(toDueTime({ delayMs: 1 })).toBe(-10_000n);
    expect(toDueTime({ delayMs: 0.5 })).toBe(-5_000n);
    expect(toDueTime({ dueTime: -7n })).toBe(-7n);
  });

  test('absolute times become FILETIMEs (100 ns since 1601)', () => {
    expect(toDueTime({ at: 0 })).toBe(116_444_736_000_000_000n);
    expect(toDueTime({ at: new Date('2026-01-01T00:00:00Z') })).toBe(116_444_736_000_000_000n + BigInt(Date.UTC(2026, 0, 1)) * 10_000n);
  });
});
