/** Wait-any and wait-all over objects of one database. */
import { ArgumentOutOfRangeError, InvalidArgumentTypeError, MAXIMUM_WAIT_OBJECTS } from '@waitables/common';
import type { Database } from './database.js';
import { Lock, Permit } from './holding.js';
import { checkWaitOptions, type WaitOptions } from './options.js';
import { RemoteObject } from './remote-object.js';

/**
 * What {@link waitAny} took: one object, and the lock or permit that holds it (release
 * it as any other: `await using`, or `release()`).
 * @example
 * ```ts
 * const { object, lock, permit } = await waitAny([device, slots]);
 * await using held = lock ?? permit!;
 * ```
 */
export interface WaitAnyResult<T> {
  /** The index of the object taken in the array given: the lowest that could be taken. */
  readonly index: number;
  /** The object taken: `objects[index]`. */
  readonly object: T;
  /** It is a mutex its previous owner's session abandoned. */
  readonly abandoned: boolean;
  /** The lock, if the object taken is a mutex. */
  readonly lock: Lock | null;
  /** The permit, if the object taken is a semaphore. */
  readonly permit: Permit | null;
  /** The object's fencing token for this grant. */
  readonly fence: number;
}

/**
 * What {@link waitAll} took: every object, with a lock per mutex and a permit per
 * semaphore (events have none: an auto-reset event's signal was consumed).
 * @example
 * ```ts
 * const { locks } = await waitAll([accountA, accountB]);
 * ```
 */
export interface WaitAllResult {
  /** At least one of the mutexes was abandoned (as Windows, it does not say which). */
  readonly abandoned: boolean;
  /** Locks of the mutexes among the objects, in their order. */
  readonly locks: Lock[];
  /** Permits of the semaphores among the objects, in their order. */
  readonly permits: Permit[];
  /** Each object's fencing token for this grant, in the objects' order. */
  readonly fences: number[];
}

/** Checks the array: 1..64 objects of this package, all of one database; distinct for wait-all. */
function check(objects: unknown, all: boolean): { db: Database; list: RemoteObject[] } {
  if (!Array.isArray(objects)) throw new InvalidArgumentTypeError('objects', 'an array of @waitables/postgres objects', objects);
  if (objects.length < 1 || objects.length > MAXIMUM_WAIT_OBJECTS) {
    throw new ArgumentOutOfRangeError('objects.length', `from 1 to ${MAXIMUM_WAIT_OBJECTS}`, objects.length);
  }
  const list = objects.map((o, i) => {
    // Local objects (@waitables/core or /async) cannot join a database wait: no transaction spans both.
    if (!(o instanceof RemoteObject))
      throw new InvalidArgumentTypeError(
        `objects[${i}]`,
        'a @waitables/postgres object (local objects cannot be mixed into a database wait)',
        o,
      );
    // A reader-writer lock is waited for as a reader or a writer: read() and write() say which.
    if (o.kind === 'rwlock')
      throw new InvalidArgumentTypeError(
        `objects[${i}]`,
        'a mutex, semaphore or event (a reader-writer lock is waited for with read() or write())',
        o,
      );
    return o;
  });
  const db = list[0]!.db;
  list.forEach((o, i) => {
    if (o.db !== db)
      throw new ArgumentOutOfRangeError(
        `objects[${i}]`,
        'an object of the same database connection as objects[0]',
        `an object of another connection`,
      );
  });
  if (all && new Set(list.map((o) => o.id)).size !== list.length) {
    throw new ArgumentOutOfRangeError('objects', 'distinct objects in a wait-all', 'a repeated object');
  }
  return { db, list };
}

/**
 * Resolves once one of `objects` can be taken, having taken only that one (the lowest
 * index if several can), in one transaction.
 *
 * Cancellation: an abort or timeout takes the wait out of every queue and rejects with
 * AbortError or TimeoutError; an object granted at that moment is given back.
 * @example
 * ```ts
 * const { object, lock } = await waitAny([shutdown, device], { timeout: 10_000 });
 * ```
 */
export async function waitAny<T extends RemoteObject>(objects: readonly T[], options?: WaitOptions): Promise<WaitAnyResult<T>> {
  const { db, list } = check(objects, false);
  const checked = checkWaitOptions(options);
  const session = await db.session();
  const grant = await session.wait(list, false, checked);
  const object = list[grant.index]!;
  const fence = grant.fences[0]!;
  return {
    index: grant.index,
    object: objects[grant.index]!,
    abandoned: grant.abandoned,
    lock: object.kind === 'mutex' ? new Lock(session, object.id, grant.wait, fence, grant.abandoned) : null,
    permit: object.kind === 'semaphore' ? new Permit(session, object.id, grant.wait, fence) : null,
    fence,
  };
}

/**
 * Resolves once every object can be taken at once, having taken them all in one
 * transaction; objects that become available one at a time and are taken by others in
 * between never satisfy it, and a wait that ends otherwise has taken nothing.
 *
 * Cancellation: an abort or timeout takes the wait out of every queue and rejects; if
 * it was granted at that moment, everything is given back.
 * @example
 * ```ts
 * const { locks } = await waitAll([accountA, accountB]);
 * try { await transfer(); } finally { for (const l of locks) await l.release(); }
 * ```
 */
export async function waitAll(objects: readonly RemoteObject[], options?: WaitOptions): Promise<WaitAllResult> {
  const { db, list } = check(objects, true);
  const checked = checkWaitOptions(options);
  const session = await db.session();
  const grant = await session.wait(list, true, checked);
  const locks: Lock[] = [];
  const permits: Permit[] = [];
  list.forEach((o, i) => {
    const fence = grant.fences[i]!;
    if (o.kind === 'mutex') locks.push(new Lock(session, o.id, grant.wait, fence, grant.abandoned));
    else if (o.kind === 'semaphore') permits.push(new Permit(session, o.id, grant.wait, fence));
  });
  return { abandoned: grant.abandoned, locks, permits, fences: [...grant.fences] };
}
