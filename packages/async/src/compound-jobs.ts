/**
 * Wait-any and wait-all over several objects: each runs on a compound thread of its own,
 * one wait at a time per thread (a batch thread's wait-any cannot express them).
 *
 * Lifetimes: a job lives from its command to the thread's 'compound-done' or
 * 'compound-failed' report, or to the thread's end. A job whose caller left (abort,
 * timeout, pool closed) stays until then and keeps the process alive: what the thread
 * reports acquired meanwhile goes back. Compound threads are started as calls overlap;
 * once a burst is over, all but COMPOUND_IDLE_KEPT idle ones stop.
 */
import { type RawHandle, type WaitHandle, getBackend, INFINITE, WAIT_ABANDONED_0, WAIT_OBJECT_0, WAIT_TIMEOUT } from '@waitables/core';
import type { KeepAlive } from '@waitables/common/keep-alive';
import { PendingWait } from '@waitables/common/pending-wait';
import { AbortError, TimeoutError } from './errors.js';
import { giveBack, type Kind } from './give-back.js';
import type { MutexReleases } from './mutex-releases.js';
import type { CheckedWaitOptions } from './options.js';
import type { Report } from './protocol.js';
import { failureOf, threadDied } from './thread-failure.js';
import type { WaitThread } from './wait-thread.js';

/** Idle compound threads kept for the next wait-any or wait-all. */
const COMPOUND_IDLE_KEPT = 2;

interface Job {
  readonly raws: RawHandle[];
  readonly kinds: Kind[];
  readonly waitAll: boolean;
  readonly thread: WaitThread;
  settle(code: number): void;
  fail(error: unknown): void;
  /** The caller left: whatever the thread reports acquired must be given back. */
  left: boolean;
}

export class CompoundJobs {
  /** The compound threads, alive or ending. */
  readonly threads: WaitThread[] = [];
  readonly #jobs = new Map<number, Job>();

  constructor(
    readonly keepAlive: KeepAlive,
    readonly releases: MutexReleases,
    /** Starts a compound thread (the pool's: it hears the thread's reports) and adds it to `threads`. */
    readonly spawn: () => WaitThread,
    /** An id for a job, unique among the pool's ids. */
    readonly newId: () => number,
    /** The process is ending: what a job acquired goes back, nobody can take it. */
    readonly exiting: () => boolean,
  ) {}

  /** Jobs whose caller still waits. */
  get pending(): number {
    let n = 0;
    for (const job of this.#jobs.values()) if (!job.left) n++;
    return n;
  }

  /**
   * A wait-any (the index of the object acquired) or wait-all over `objects`, on a
   * compound thread. `take` makes the result of what was acquired, synchronously as the
   * grant arrives, from the WAIT_* code and the thread that owns any mutex acquired.
   */
  run<R>(
    objects: readonly WaitHandle[],
    waitAll: boolean,
    options: CheckedWaitOptions,
    take: (code: number, thread: WaitThread | null) => R,
  ): Promise<R> {
    const { signal, timeout, ref } = options;
    if (signal?.aborted) return Promise.reject(new AbortError({ cause: signal.reason }));
    const raws = objects.map((o) => o.handle);
    // A mutex is never taken on this thread or on a thread already holding locks: the OS
    // would let a thread that owns it take it again, and two local owners must exclude.
    const mutexes = objects.some((o) => o.kind === 'mutex');
    if (!mutexes) {
      const now = getBackend().waitForMultipleObjects(raws, waitAll, 0, false);
      if (now !== WAIT_TIMEOUT) return Promise.resolve(take(now, null));
      if (timeout === 0) return Promise.reject(new TimeoutError(0));
    }
    const thread = this.threads.find((t) => t.alive && !t.busy && (!mutexes || t.locks.size === 0)) ?? this.spawn();
    thread.busy = true;
    const id = this.newId();
    return new Promise((resolve, reject) => {
      // A timeout a native wait can take is the thread's own: the OS decides, so a wait with
      // timeout 0 still takes what is free now (a timer here would beat the thread's answer).
      // Longer ones are a chain of Node timers.
      const native = timeout < INFINITE;
      const wait = new PendingWait({ signal, timeout: native ? Infinity : timeout, keepAlive: ref ? this.keepAlive : null }, (error) =>
        leave(error),
      );
      const job: Job = {
        raws,
        kinds: objects.map((o) => o.kind),
        waitAll,
        thread,
        left: false,
        settle: (code) => {
          wait.disarm();
          // The thread's own deadline passed (see below): nothing was acquired.
          if (code === WAIT_TIMEOUT) reject(new TimeoutError(timeout));
          else resolve(take(code, thread));
        },
        fail: (error) => {
          wait.disarm();
          reject(error);
        },
      };
      const leave = (error: unknown) => {
        if (job.left) return;
        job.left = true;
        wait.disarm();
        // What the thread reports acquired until it reads the cancel goes back: wait for it.
        this.keepAlive.ref();
        thread.send({ op: 'cancel', id });
        reject(error);
      };
      this.#jobs.set(id, job);
      wait.arm();
      thread.send({
        op: 'compound',
        id,
        handles: raws,
        mutexes: objects.map((o) => o.kind === 'mutex'),
        ledgers: raws.map((raw) => getBackend().crashSafeLedger?.(raw) ?? null),
        waitAll,
        timeoutMs: native ? timeout : INFINITE,
      });
    });
  }

  /** A compound thread's report on its job. */
  reported(thread: WaitThread, report: Extract<Report, { op: 'compound-done' | 'compound-failed' }>): void {
    const job = this.#jobs.get(report.id);
    this.#jobs.delete(report.id);
    thread.busy = false;
    if (!job) return;
    if (job.left) this.keepAlive.unref(); // referenced since it left
    if (report.op === 'compound-failed') {
      if (!job.left) job.fail(failureOf(report));
      return;
    }
    if (!job.left && !this.exiting()) job.settle(report.code);
    else this.#giveBack(job, report.code);
    this.retireIdle(thread);
  }

  /** Every job still awaited rejects with `error` (the pool closes); what the threads acquire meanwhile goes back. */
  cancelAll(error: unknown): void {
    for (const [id, job] of this.#jobs) {
      if (job.left) continue;
      job.left = true;
      this.keepAlive.ref(); // until the thread says what it acquired meanwhile
      job.thread.send({ op: 'cancel', id });
      job.fail(error);
    }
  }

  /**
   * Stops `thread` if it is an idle compound thread beyond COMPOUND_IDLE_KEPT (one holding
   * locks stays until they are released: it owns their mutexes; it is looked at again
   * after each release).
   */
  retireIdle(thread: WaitThread): void {
    if (thread.mode !== 'compound' || thread.busy || thread.stopping || !thread.alive || thread.locks.size > 0) return;
    // A release under way on it keeps the process alive until done: let it finish first.
    if (this.releases.underWay(thread)) return;
    const idle = this.threads.filter((t) => t.alive && !t.busy && !t.stopping);
    if (idle.length <= COMPOUND_IDLE_KEPT) return;
    thread.stop();
    this.threads.splice(this.threads.indexOf(thread), 1);
  }

  /** A thread ended: its job, if any, fails (or, if its caller left, no longer keeps the process alive). */
  threadEnded(thread: WaitThread): void {
    for (const [id, job] of this.#jobs) {
      if (job.thread !== thread) continue;
      this.#jobs.delete(id);
      if (job.left) this.keepAlive.unref();
      else job.fail(threadDied(thread, 'the wait thread running this wait died'));
    }
  }

  #giveBack(job: Job, code: number): void {
    if (code === WAIT_TIMEOUT) return;
    const abandoned = code >= WAIT_ABANDONED_0;
    const index = code - (abandoned ? WAIT_ABANDONED_0 : WAIT_OBJECT_0);
    const taken = job.waitAll ? job.raws.map((_, i) => i) : [index];
    for (const i of taken) void giveBack(this.releases, job.raws[i]!, job.kinds[i]!, 1, job.thread);
  }
}
