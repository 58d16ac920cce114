/**
 * What the pool and its wait threads know of a lock: the mutex it holds, how to release
 * it (closing the pool does), and how to say it was lost (its owning thread died). They
 * hold locks through this interface and never import the Lock class: lock.ts drives the
 * pool (through mutex-pool.ts), never the other way round.
 */
import type { RawHandle } from '@waitables/core';

/** A lock as the pool sees it (lock.ts's Lock). */
export interface HeldMutex {
  /** What it releases into: the mutex's handle (the one its wait thread acquired it through). */
  readonly owner: { readonly raw: RawHandle };
  /** The wait thread that owned the mutex died: the OS abandoned it, and the lock says so at its release. */
  lost(): void;
  /** Releases it and resolves once the OS has the mutex back (closing the pool does). */
  [Symbol.asyncDispose](): Promise<void>;
}

/** The settled promise of a release done synchronously (shared: an uncontended release allocates nothing). */
export const RELEASED: Promise<void> = Promise.resolve();
