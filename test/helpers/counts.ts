/** Reading object state through the public API only. */
import type { Semaphore } from '@waitables/core';

/** A semaphore's current count: takes every unit without blocking, then gives them back. */
export function countOf(sem: Semaphore): number {
  let n = 0;
  while (sem.wait(0) === 'signaled') n++;
  if (n > 0) sem.release(n);
  return n;
}
