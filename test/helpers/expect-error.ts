/** Assertions for the errors the library throws. */
import { expect } from 'vitest';
import { Win32Error, win32ErrorName } from '@waitables/core';

/** Runs `fn`, which must throw a Win32Error with `errno` (and `syscall` if given); returns it. */
export function expectWin32Error(fn: () => unknown, errno: number, syscall?: string): Win32Error {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(Win32Error);
    const e = error as Win32Error;
    expect({ errno: e.errno, code: e.code }).toEqual({ errno, code: win32ErrorName(errno) });
    if (syscall !== undefined) expect(e.syscall).toBe(syscall);
    return e;
  }
  return expect.unreachable(`expected ${win32ErrorName(errno)}, but nothing was thrown`);
}
