/** What the kill -9 tests share: the named objects their victims hammer, and a kill that waits for the end. */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { expect } from 'vitest';
import { ERROR_TOO_MANY_POSTS, Event, Mutex, Semaphore, waitAll } from '@waitables/core';
import { countOf } from './counts.js';
import { expectWin32Error } from './expect-error.js';
import { uniqueName } from './names.js';

/** A named semaphore (`maximum` units, all free), mutex and auto-reset event; disposing closes all three. */
export function faultObjects(label: string, maximum: number) {
  const names = { sem: uniqueName(`${label}-sem`), mutex: uniqueName(`${label}-mutex`), event: uniqueName(`${label}-event`) };
  const sem = Semaphore.create({ name: names.sem, initialCount: maximum, maximumCount: maximum });
  const mutex = Mutex.create({ name: names.mutex });
  const event = Event.create({ name: names.event });
  return {
    names,
    sem,
    mutex,
    event,
    /**
     * Once the victims are dead: the mutex is free or abandoned, never owned by the dead,
     * and works; no unit was made out of nothing (units are lost only with a victim that
     * held one, as on Windows), and topping the count up reaches the maximum exactly; a
     * wait-all takes both.
     */
    expectSoundAfterKills() {
      expect(['signaled', 'abandoned']).toContain(mutex.wait(10_000));
      mutex.release();
      expect(mutex.wait(0)).toBe('signaled');
      mutex.release();
      const count = countOf(sem);
      expect(count).toBeGreaterThanOrEqual(0);
      expect(count).toBeLessThanOrEqual(maximum);
      if (count < maximum) expect(sem.release(maximum - count)).toBe(count);
      expect(countOf(sem)).toBe(maximum);
      expectWin32Error(() => sem.release(), ERROR_TOO_MANY_POSTS, 'ReleaseSemaphore');
      expect(waitAll([sem, mutex], 0)).not.toBeNull();
      mutex.release();
      sem.release();
    },
    [Symbol.dispose]() {
      for (const object of [sem, mutex, event]) object.close();
    },
  };
}

/** Kills a child with SIGKILL and resolves once it has exited (at once if it already has). */
export async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}
