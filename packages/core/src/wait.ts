/**
 * Blocking waits on several objects: wait-any, wait-all, signal-and-wait. They block
 * the calling thread; on Node's main thread use `@waitables/async`.
 */
import type { RawHandle } from './backend.js';
import { INFINITE, MAXIMUM_WAIT_OBJECTS, WAIT_ABANDONED_0, WAIT_OBJECT_0, WAIT_TIMEOUT } from './constants.js';
import { ArgumentOutOfRangeError, InvalidArgumentTypeError } from './errors.js';
import type { Event } from './event.js';
import { outcomeOf, WaitHandle, type WaitOutcome } from './handle.js';
import { getBackend } from './load-backend.js';
import type { Mutex } from './mutex.js';
import type { Semaphore } from './semaphore.js';
import { validateTimeout } from './validate.js';

/** Which object a wait-any acquired. */
export interface WaitAnyResult<T extends WaitHandle = WaitHandle> {
  /** Its index in the list: the lowest index whose object could be acquired. */
  readonly index: number;
  /** The object acquired: `objects[index]`. */
  readonly object: T;
  /** It is a mutex whose previous owner ended without releasing it; the caller owns it now. */
  readonly abandoned: boolean;
}

/**
 * A wait-all acquired every object. `abandoned`: at least one of them was an abandoned
 * mutex (Windows returns WAIT_ABANDONED_0 itself for a wait-all and does not say which).
 */
export interface WaitAllResult {
  /** At least one of the objects was an abandoned mutex (the caller owns it now). */
  readonly abandoned: boolean;
}

/** Checks a handle list: an array of 1..64 open objects, without repeats if `distinct`. */
export function rawHandlesOf(objects: unknown, path: string, distinct: boolean): RawHandle[] {
  if (!Array.isArray(objects)) throw new InvalidArgumentTypeError(path, 'an array of waitable objects', objects);
  if (objects.length < 1 || objects.length > MAXIMUM_WAIT_OBJECTS) {
    throw new ArgumentOutOfRangeError(`${path}.length`, `from 1 to ${MAXIMUM_WAIT_OBJECTS} (MAXIMUM_WAIT_OBJECTS)`, objects.length);
  }
  // An index loop, not map(): map skips the holes of a sparse array, and a hole is not a handle.
  const raws: RawHandle[] = [];
  for (let i = 0; i < objects.length; i++) {
    const object: unknown = objects[i];
    if (!(object instanceof WaitHandle))
      throw new InvalidArgumentTypeError(`${path}[${i}]`, 'a waitable object (Event, Mutex, Semaphore, WaitableTimer, Process)', object);
    raws.push(object.handle);
  }
  if (distinct) {
    const seen = new Set<RawHandle>();
    raws.forEach((raw, i) => {
      if (seen.has(raw))
        throw new ArgumentOutOfRangeError(`${path}[${i}]`, 'a different object from the others in a wait-all', 'a repeated handle');
      seen.add(raw);
    });
  }
  return raws;
}

/**
 * Blocks until one of `objects` can be acquired and acquires only that one (the lowest
 * index if several can), or until `timeoutMs` passes (then `null`). The same object
 * may appear twice. `objects`: 1 to 64 (MAXIMUM_WAIT_OBJECTS) open objects, else a
 * TypeError or RangeError naming the index; a closed one throws HandleClosedError.
 *
 * Cancellation: none; a blocking wait ends only when it is satisfied or at `timeoutMs`
 * (INFINITE or `Infinity`: never). To end it early from another thread, put an event in
 * the list and set it; on Node's main thread, use `@waitables/async` instead.
 * @example
 * ```ts
 * const r = waitAny([shutdown, work], 1000);
 * if (r?.object === shutdown) return;
 * ```
 */
export function waitAny<T extends WaitHandle>(objects: readonly T[], timeoutMs: number = INFINITE): WaitAnyResult<T> | null {
  const raws = rawHandlesOf(objects, 'objects', false);
  const ms = validateTimeout(timeoutMs, 'timeoutMs');
  const code = getBackend().waitForMultipleObjects(raws, false, ms, false);
  if (code === WAIT_TIMEOUT) return null;
  const abandoned = code >= WAIT_ABANDONED_0 && code < WAIT_ABANDONED_0 + raws.length;
  const index = abandoned ? code - WAIT_ABANDONED_0 : code - WAIT_OBJECT_0;
  if (index < 0 || index >= raws.length) throw new Error(`unexpected wait result 0x${code.toString(16)}`);
  return { index, object: objects[index]!, abandoned };
}

/**
 * Blocks until every object can be acquired at once and acquires them all atomically,
 * or until `timeoutMs` passes (then `null`, having acquired nothing). Objects that
 * become available one at a time and are taken by others in between never satisfy it.
 * The same handle twice is a RangeError naming its index.
 *
 * Cancellation: none; a blocking wait ends only when it is satisfied or at `timeoutMs`
 * (INFINITE or `Infinity`: never). To end it early from another thread, put an event in
 * the list and set it; on Node's main thread, use `@waitables/async` instead.
 * @example
 * ```ts
 * if (waitAll([mutexA, mutexB], 5000)) try { move(a, b); } finally { mutexA.release(); mutexB.release(); }
 * ```
 */
export function waitAll(objects: readonly WaitHandle[], timeoutMs: number = INFINITE): WaitAllResult | null {
  const raws = rawHandlesOf(objects, 'objects', true);
  const ms = validateTimeout(timeoutMs, 'timeoutMs');
  const code = getBackend().waitForMultipleObjects(raws, true, ms, false);
  if (code === WAIT_TIMEOUT) return null;
  if (code === WAIT_ABANDONED_0) return { abandoned: true };
  if (code === WAIT_OBJECT_0) return { abandoned: false };
  throw new Error(`unexpected wait result 0x${code.toString(16)}`);
}

/**
 * Signals `toSignal` (sets an event, releases one unit of a semaphore or one level of
 * a mutex) and waits on `toWaitOn` as one step (SignalObjectAndWait). Signaling a mutex
 * this thread does not own: Win32Error ERROR_NOT_OWNER; a semaphore at its maximum:
 * ERROR_TOO_MANY_POSTS.
 *
 * Cancellation: none; bounded by `timeoutMs` only (a timeout does not undo the signal).
 * @example
 * ```ts
 * signalAndWait(ready, go, 1000); // no window between announcing readiness and waiting
 * ```
 */
export function signalAndWait(toSignal: Event | Mutex | Semaphore, toWaitOn: WaitHandle, timeoutMs: number = INFINITE): WaitOutcome {
  const [signal] = rawHandlesOf([toSignal], 'toSignal', false);
  const [wait] = rawHandlesOf([toWaitOn], 'toWaitOn', false);
  return outcomeOf(getBackend().signalObjectAndWait(signal!, wait!, validateTimeout(timeoutMs, 'timeoutMs'), false));
}
