/** The result codes engines report, turned into the errors the objects reject with. */
import { Win32Error } from '@waitables/common';
import { SessionLostError } from './errors.js';

/** The calling session no longer exists (another session ended it: its lease had expired). */
export const SESSION_GONE = -1;

/** Throws the error of a non-zero result code: a Win32Error of `syscall`, or SessionLostError. */
export function fail(status: number, syscall: string): never {
  if (status === SESSION_GONE) throw new SessionLostError({ cause: new Error('the session was ended by another (its lease had expired)') });
  throw new Win32Error(status, syscall);
}
