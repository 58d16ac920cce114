/** Awaiting a process's exit. */
import { NotSupportedError, Process } from '@waitables/core';
import { checkWaitOptions, type WaitOptions } from './options.js';
import { waitPool } from './pool.js';

/**
 * Resolves with the exit code once the process `pid` has exited (`null` where the OS no
 * longer keeps it: on Linux, for a process that is not a child of this one). The pid is
 * bound at the call: a pid reused later is not mistaken for it.
 *
 * Cancellation: an abort or timeout rejects; nothing is held.
 * @example
 * ```ts
 * const code = await processExit(child.pid, { timeout: 60_000 });
 * ```
 */
export async function processExit(pid: number, options?: WaitOptions): Promise<number | null> {
  const checked = checkWaitOptions(options);
  const process = Process.open(pid);
  try {
    await waitPool().acquire(process, checked);
    try {
      return process.exitCode;
    } catch (error) {
      if (error instanceof NotSupportedError) return null;
      throw error;
    }
  } finally {
    process.close();
  }
}
