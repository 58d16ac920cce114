/**
 * Releases of mutexes routed to the thread that owns them: Windows lets no other thread
 * release a mutex, so a lock whose mutex a wait thread owns is released by a command to
 * that thread, settled by its 'released' report (or by its end).
 *
 * Lifetimes: a release is pending from its command until that report or the thread's
 * end; the process is kept alive meanwhile. Bounded by the locks held on wait threads.
 */
import { type RawHandle, Win32Error, getBackend } from '@waitables/core';
import type { KeepAlive } from '@waitables/common/keep-alive';
import { WaitThreadError } from './errors.js';
import { RELEASED } from './held-mutex.js';
import { threadDied } from './thread-failure.js';
import type { WaitThread } from './wait-thread.js';

interface PendingRelease {
  readonly thread: WaitThread;
  resolve(): void;
  reject(error: unknown): void;
}

export class MutexReleases {
  readonly #pending = new Map<number, PendingRelease>();

  constructor(
    readonly keepAlive: KeepAlive,
    /** A token for the command, unique among the pool's ids. */
    readonly newId: () => number,
  ) {}

  /**
   * Releases a mutex on the thread that owns it (null: this thread, at once). Until the
   * thread has done it, the process is kept alive.
   */
  release(raw: RawHandle, thread: WaitThread | null): Promise<void> {
    if (thread === null) {
      getBackend().releaseMutex(raw);
      return RELEASED;
    }
    if (!thread.alive) return Promise.reject(new WaitThreadError('the wait thread that owned this mutex died; the OS abandoned it'));
    // A stopping thread releases at its shutdown every ownership nobody keeps.
    if (thread.stopping) return Promise.resolve();
    const token = this.newId();
    this.keepAlive.ref();
    return new Promise<void>((resolve, reject) => {
      this.#pending.set(token, { thread, resolve, reject });
      thread.send({ op: 'release-mutex', raw, token });
    }).finally(() => this.keepAlive.unref());
  }

  /** The owning thread's 'released' report. */
  released(report: { token: number; errno: number; syscall: string }): void {
    const waiter = this.#pending.get(report.token);
    this.#pending.delete(report.token);
    if (report.errno) waiter?.reject(new Win32Error(report.errno, report.syscall));
    else waiter?.resolve();
  }

  /** Whether a release is under way on `thread`. */
  underWay(thread: WaitThread): boolean {
    for (const waiter of this.#pending.values()) if (waiter.thread === thread) return true;
    return false;
  }

  /** A thread ended: a stopping one released what nobody keeps; one that died lost it. */
  threadEnded(thread: WaitThread, died: boolean): void {
    for (const [token, waiter] of this.#pending) {
      if (waiter.thread !== thread) continue;
      this.#pending.delete(token);
      if (died) waiter.reject(threadDied(thread, 'the wait thread that owned this mutex died; the OS abandoned it'));
      else waiter.resolve();
    }
  }
}
