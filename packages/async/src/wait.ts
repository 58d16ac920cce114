/** Awaitable wait-any and wait-all over several objects. */
import {
  ArgumentOutOfRangeError,
  InvalidArgumentTypeError,
  MAXIMUM_WAIT_OBJECTS,
  WAIT_ABANDONED_0,
  WaitHandle,
  type Semaphore as CoreSemaphore,
} from '@waitables/core';
import { CompoundLockOwner, Lock } from './lock.js';
import { checkWaitOptions, type WaitOptions } from './options.js';
import { Permit } from './permit.js';
import { waitPool } from './default-pool.js';

/** A `@waitables/core` object, or one of this package's wrappers (anything with `core`). */
export type Waitable =
  | WaitHandle
  | {
      /** The `@waitables/core` object the wait is on, as this package's `Event`, `Mutex` and `Semaphore` expose it. */
      readonly core: WaitHandle;
    };

function coreOf(object: unknown, path: string): WaitHandle {
  if (object instanceof WaitHandle) return object;
  const core = (object as { core?: unknown } | null)?.core;
  if (core instanceof WaitHandle) return core;
  throw new InvalidArgumentTypeError(path, 'a waitable object', object);
}

function coresOf(objects: unknown, waitAll: boolean): WaitHandle[] {
  if (!Array.isArray(objects)) throw new InvalidArgumentTypeError('objects', 'an array of waitable objects', objects);
  if (objects.length < 1 || objects.length > MAXIMUM_WAIT_OBJECTS) {
    throw new ArgumentOutOfRangeError('objects.length', `from 1 to ${MAXIMUM_WAIT_OBJECTS}`, objects.length);
  }
  // An index loop, not map(): map skips the holes of a sparse array, and a hole is not an object.
  const cores: WaitHandle[] = [];
  for (let i = 0; i < objects.length; i++) cores.push(coreOf(objects[i] as unknown, `objects[${i}]`));
  if (waitAll && new Set(cores.map((c) => c.handle)).size !== cores.length) {
    throw new ArgumentOutOfRangeError('objects', 'distinct objects in a wait-all', 'a repeated object');
  }
  return cores;
}

/** What {@link waitAny} acquired: one object, the lowest index of those ready at once. */
export interface AsyncWaitAnyResult<T> {
  /** Its index in the list given. */
  readonly index: number;
  /** The object itself. */
  readonly object: T;
  /** It is a mutex its previous owner abandoned. */
  readonly abandoned: boolean;
  /** The lock, if the object acquired is a mutex: release it when done. */
  readonly lock: Lock | null;
  /** The permit, if the object acquired is a semaphore: release it to give the unit back. */
  readonly permit: Permit | null;
}

/** What {@link waitAll} acquired: every object, at once. */
export interface AsyncWaitAllResult {
  /** At least one of the mutexes was abandoned (Windows does not say which). */
  readonly abandoned: boolean;
  /** Locks of the mutexes among the objects, in their order. */
  readonly locks: Lock[];
  /** Permits of the semaphores among the objects (one unit each), in their order. */
  readonly permits: Permit[];
}

/**
 * Resolves once one of `objects` can be acquired, having acquired only that one (the
 * lowest index if several can).
 *
 * Cancellation: an abort or timeout rejects with AbortError or TimeoutError; an object
 * the OS handed over at that moment is given back (semaphore unit, auto-reset signal,
 * mutex released on its owning thread).
 * @example
 * ```ts
 * const { object } = await waitAny([shutdown, work], { signal });
 * ```
 */
export async function waitAny<T extends Waitable>(objects: readonly T[], options?: WaitOptions): Promise<AsyncWaitAnyResult<T>> {
  const cores = coresOf(objects, false);
  const pool = waitPool();
  return pool.compound(cores, false, checkWaitOptions(options), (code, thread) => {
    const abandoned = code >= WAIT_ABANDONED_0;
    const index = abandoned ? code - WAIT_ABANDONED_0 : code;
    const core = cores[index]!;
    let lock: Lock | null = null;
    if (core.kind === 'mutex') {
      lock = new Lock(new CompoundLockOwner(pool, core.handle, thread), abandoned);
      thread?.locks.add(lock);
    }
    const permit = core.kind === 'semaphore' ? new Permit(core as CoreSemaphore) : null;
    return { index, object: objects[index]!, abandoned, lock, permit };
  });
}

/**
 * Resolves once every object can be acquired at once, having acquired them all
 * atomically; a wait that ends otherwise has acquired nothing.
 *
 * Cancellation: an abort or timeout rejects; if the OS completed the wait at that
 * moment, everything it acquired is given back.
 */
export async function waitAll(objects: readonly Waitable[], options?: WaitOptions): Promise<AsyncWaitAllResult> {
  const cores = coresOf(objects, true);
  const pool = waitPool();
  return pool.compound(cores, true, checkWaitOptions(options), (code, thread) => {
    const locks = cores
      .filter((c) => c.kind === 'mutex')
      .map((c) => {
        const lock = new Lock(new CompoundLockOwner(pool, c.handle, thread), code === WAIT_ABANDONED_0);
        thread?.locks.add(lock);
        return lock;
      });
    const permits = cores.filter((c) => c.kind === 'semaphore').map((c) => new Permit(c as CoreSemaphore));
    return { abandoned: code === WAIT_ABANDONED_0, locks, permits };
  });
}
