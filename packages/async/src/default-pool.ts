/**
 * This thread's wait pool: made at its first use, replaced after closeWaitPool(). Every
 * object of the package reaches the pool through here.
 */
import type { WaitHandle } from '@waitables/core';
import { WaitPool } from './pool.js';

let defaultPool: WaitPool | null = null;

/** This thread's wait pool, created on first use. */
export function waitPool(): WaitPool {
  defaultPool ??= new WaitPool();
  return defaultPool;
}

/**
 * Closes an object's handle for its async wrapper: pending waits on it in this thread
 * reject with ObjectClosedError, and a handle a wait thread waits on is closed once the
 * thread let go of it (see {@link WaitPool.closeObject}).
 */
export function closeAwaited(object: WaitHandle): void {
  if (defaultPool) defaultPool.closeObject(object);
  else object.close();
}

/**
 * Closes this thread's wait pool: pending waits reject with PoolClosedError and the
 * wait threads stop. A later wait starts a new pool.
 * @example
 * ```ts
 * await closeWaitPool(); // before a worker or a test file ends
 * ```
 */
export async function closeWaitPool(): Promise<void> {
  const pool = defaultPool;
  defaultPool = null;
  await pool?.close();
}
