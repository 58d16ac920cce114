/**
 * Giving back what a wait thread acquired for nobody: the awaiter left, the object was
 * closed under the wait, or the process is ending. Nothing the OS granted is lost.
 */
import { type RawHandle, type WaitHandle, getBackend } from '@waitables/core';
import type { MutexReleases } from './mutex-releases.js';
import type { WaitThread } from './wait-thread.js';

export type Kind = WaitHandle['kind'];

/** Who owns a mutex a wait thread acquired: the thread itself, or (null) the pool's own thread it acquired for. */
export function ownerOf(thread: WaitThread, kind: Kind): WaitThread | null {
  return kind === 'mutex' && thread.acquiresForOwner ? null : thread;
}

/**
 * Gives back `count` of what a wait took: a semaphore's units, an auto-reset event's
 * signal, a mutex (released on its owning thread: the promise of that). A stopping
 * thread releases its mutexes itself at shutdown.
 */
export function giveBack(
  releases: MutexReleases,
  raw: RawHandle,
  kind: Kind,
  count: number,
  thread: WaitThread | null,
): Promise<void> | null {
  const backend = getBackend();
  try {
    if (kind === 'semaphore') backend.releaseSemaphore(raw, count);
    else if (kind === 'event' && backend.isManualResetEvent(raw) === false) backend.setEvent(raw);
    else if (kind === 'mutex') return releases.release(raw, thread).catch(() => undefined);
    // A timer's expiry cannot be put back (no API re-signals a timer); a process stays signaled.
  } catch {
    // The handle was closed meanwhile: there is nothing left to give back to.
  }
  return null;
}
