/** Awaiting a process's exit. */
import { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { InvalidArgumentTypeError, NotSupportedError, Process } from '@waitables/core';
import { AbortError, TimeoutError } from './errors.js';
import { KeepAlive } from '@waitables/common/keep-alive';
import { PendingWait } from '@waitables/common/pending-wait';
import { checkWaitOptions, type CheckedWaitOptions, type WaitOptions } from './options.js';
import { waitPool } from './default-pool.js';

/**
 * Resolves with the exit code once the process has exited.
 *
 * - A `ChildProcess` (from `node:child_process`): its code as Node reports it; a child
 *   ended by a signal gives 128 + the signal's number (as a shell says). Node reaps its
 *   children itself, so pass the `ChildProcess`, not its pid, to get a child's code on
 *   Linux.
 * - A pid: on Windows, the process's exit code. On Linux, the code only while the OS
 *   still keeps it for this process (a child not yet reaped, which never holds for
 *   children of `child_process`); otherwise `null`. The pid is bound at the call: a pid
 *   reused later is not mistaken for it.
 *
 * Cancellation: an abort or timeout rejects with AbortError or TimeoutError; nothing is
 * held.
 * @example
 * ```ts
 * const child = spawn('make', ['test']);
 * const code = await processExit(child, { timeout: 60_000 });
 * ```
 */
export async function processExit(target: number | ChildProcess, options?: WaitOptions): Promise<number | null> {
  const checked = checkWaitOptions(options);
  if (target instanceof ChildProcess) return childExit(target, checked);
  if (typeof target !== 'number') throw new InvalidArgumentTypeError('target', 'a pid or a ChildProcess', target);
  const process = Process.open(target);
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

/** Referenced waits for a child: they keep the process alive even if the child was unref()'d. */
const childWaits = new KeepAlive();

/** The code Node reports for a child: its exit code, or 128 + the number of the signal that ended it. */
function codeOf(child: ChildProcess): number | null {
  if (child.exitCode !== null) return child.exitCode;
  if (child.signalCode !== null) return 128 + (constants.signals[child.signalCode] ?? 0);
  return null;
}

function childExit(child: ChildProcess, { signal, timeout, ref }: CheckedWaitOptions): Promise<number | null> {
  const known = codeOf(child);
  if (known !== null) return Promise.resolve(known);
  if (signal?.aborted) return Promise.reject(new AbortError({ cause: signal.reason }));
  if (child.pid === undefined) {
    return Promise.reject(new InvalidArgumentTypeError('target', 'a ChildProcess that started (it has a pid)', child));
  }
  if (timeout === 0) return Promise.reject(new TimeoutError(0));
  return new Promise((resolve, reject) => {
    const wait = new PendingWait({ signal, timeout, keepAlive: ref ? childWaits : null }, (error) => {
      cleanup();
      reject(error);
    });
    const cleanup = () => {
      wait.disarm();
      child.off('exit', onExit);
    };
    const onExit = () => {
      cleanup();
      resolve(codeOf(child));
    };
    wait.arm();
    child.on('exit', onExit);
  });
}
