/**
 * What locks need of the wait pool: the contract lock.ts and wait.ts drive, which the
 * pool (pool.ts) implements. Locks depend on this interface, not on the pool's class,
 * and the pool knows locks only as HeldMutex (held-mutex.ts): no import circle.
 */
import type { RawHandle, WaitHandle } from '@waitables/core';
import type { CallerMutexes } from './caller-mutexes.js';
import type { Grant } from './grant.js';
import type { HandoffPolicy } from './handoff.js';
import type { CheckedWaitOptions } from './options.js';
import type { WaitThread } from './wait-thread.js';

export interface MutexPool {
  /** Acquires `object` for this awaiter, in FIFO order among the pool's awaiters of its handle. */
  acquire(object: WaitHandle, options: CheckedWaitOptions): Promise<Grant>;
  /** Releases a mutex on the thread that owns it (null: this thread, at once: the promise is RELEASED). */
  releaseMutex(raw: RawHandle, thread: WaitThread | null): Promise<void>;
  /** Closes an object's handle once no wait thread waits on it; its pending awaiters reject with ObjectClosedError. */
  closeObject(object: WaitHandle): void;
  /** Keeps the process alive until the returned function is called (once). */
  keepAlive(): () => void;
  /** When a release may go straight to a local awaiter (handoff.ts). */
  readonly handoff: HandoffPolicy;
  /** Mutexes wait threads acquired for this thread, and the locks on them (closing the pool releases those). */
  readonly callerMutexes: CallerMutexes;
}
