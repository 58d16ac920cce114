/** The errors of waits whose wait thread failed: a report of a failed wait, or the thread's death. */
import { Win32Error } from '@waitables/core';
import { WaitThreadError } from './errors.js';
import type { WaitThread } from './wait-thread.js';

/** A wait, or a mutex's ownership, ended with its thread: the cause is why the worker ended. */
export function threadDied(thread: WaitThread, message: string): WaitThreadError {
  return new WaitThreadError(message, { cause: thread.failure });
}

/**
 * The error a wait thread reported for a wait: its Win32 error, or (errno 0) a failure
 * that is not one, whose text the report ring cannot carry (WAITABLES_DEBUG=1 prints it
 * from the wait thread).
 */
export function failureOf(report: { errno: number; syscall: string }): Error {
  if (report.errno !== 0) return new Win32Error(report.errno, report.syscall);
  return new WaitThreadError('the wait thread failed on this wait with an error that is not a Win32 error (WAITABLES_DEBUG=1 prints it)');
}
