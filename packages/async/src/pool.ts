/**
 * The wait pool: turns OS waits into promises without blocking the event loop.
 *
 * Awaiters of one object share one slot: a FIFO queue here and one armed handle in a
 * wait thread, however many awaiters there are. A batch wait thread blocks in the OS's
 * wait-any on up to nativeWaitLimit - 1 armed handles plus its control event (63 on
 * Windows; on Linux the backend's wait lists are larger, so one thread holds 1023).
 * When a handle fires, the thread has acquired it (a unit, a signal, or a mutex it then
 * owns) and reports; the pool hands it to the oldest awaiter, or gives it back if that
 * awaiter left meanwhile. Wait-any and wait-all over several objects run on compound
 * threads, one at a time each.
 *
 * On Linux the pool registers a batch thread's wait itself, in that thread's namespace
 * slot, and takes its results when this thread's bell rings (direct-waits.ts,
 * bell-reader.ts): one hop from the waker to the event loop. The thread only watches
 * the wait (its periodic looks, the deaths of owners).
 *
 * Plain worker_threads, not piscina: a wait thread is a long-lived loop that must be
 * woken through its own control event and must keep owning the mutexes it acquired,
 * while piscina runs tasks to completion and cancels by terminating workers, which
 * cannot interrupt a native wait. Reports come back through a shared ring and
 * Atomics.waitAsync (bench/: wake latency measures both against the floors).
 *
 * Nothing is lost when the process ends. Whatever is in flight keeps the process alive
 * until done: a release on a wait thread, a slot disarmed while it may still fire (what
 * it took goes back), a cancelled compound wait. If the process ends anyway (exit(), or
 * waits with `ref: false`), its 'exit' hook stops every thread synchronously: each
 * releases the mutexes it owns for nobody, and units and signals reported to nobody are
 * given back, before the process is gone.
 */
import { type RawHandle, getBackend, WAIT_ABANDONED_0, WAIT_OBJECT_0, WAIT_TIMEOUT, type WaitHandle } from '@waitables/core';
import { KeepAlive } from '@waitables/common/keep-alive';
import { PendingWait } from '@waitables/common/pending-wait';
import type { QueueEntry } from './awaiter-queue.js';
import { type Awaiter, BatchSlots, type Slot } from './batch-slots.js';
import { bellIsOpen, closeBellForTesting, listenToBell } from './bell-reader.js';
import { CallerMutexes } from './caller-mutexes.js';
import { CompoundJobs } from './compound-jobs.js';
import { AbortError, ObjectClosedError, PoolClosedError, TimeoutError } from './errors.js';
import { stopAtExit } from './exit-hook.js';
import { giveBack, ownerOf } from './give-back.js';
import type { Grant } from './grant.js';
import { HandoffPolicy } from './handoff.js';
import type { MutexPool } from './mutex-pool.js';
import { MutexReleases } from './mutex-releases.js';
import type { CheckedWaitOptions } from './options.js';
import type { Report } from './protocol.js';
import { RetiredSlots } from './retired-slots.js';
import { StartupBridge } from './startup-bridge.js';
import { failureOf, threadDied } from './thread-failure.js';
import { WaitThread } from './wait-thread.js';

export type { Grant } from './grant.js';

// performance.now() and process.hrtime read the same monotonic clock from different origins.
const hrtimeToPerformance = performance.now() - Number(process.hrtime.bigint()) / 1e6;

let nextId = 1;
/** Ids of slots, compound jobs and release tokens: one sequence, so no two are alike. */
const newId = () => nextId++;

/**
 * One thread's wait pool (see the file's header). Not public API: `@waitables/async`
 * exports closeWaitPool(); tests reach the pool through `@waitables/async/internal`.
 */
export class WaitPool implements MutexPool {
  readonly #batch: WaitThread[] = [];
  /** Held while anything is in flight: a referenced wait, a release, a retired slot, a cancelled compound. */
  readonly #keepAlive = new KeepAlive();
  readonly #releases = new MutexReleases(this.#keepAlive, newId);
  readonly #retired = new RetiredSlots(this.#keepAlive, this.#releases);
  readonly #slots = new BatchSlots({
    retired: this.#retired,
    threadWithRoom: () => this.#batch.find((t) => t.alive && t.bound < this.batchCapacity) ?? this.#spawn('batch'),
    // Retire a thread that holds nothing, keeping the first one for the next wait.
    threadFreed: (thread) => {
      if (thread.alive && thread.locks.size === 0 && this.#batch.filter((t) => t.alive && !t.stopping).length > 1) {
        thread.stop(thread.keptHandles());
        this.#batch.splice(this.#batch.indexOf(thread), 1);
      }
    },
    slotGone: (raw) => this.handoff.end(raw),
    newId,
  });
  readonly #compounds = new CompoundJobs(
    this.#keepAlive,
    this.#releases,
    () => this.#spawn('compound'),
    newId,
    () => this.#exiting,
  );
  /** Mutexes wait threads acquired for this thread (Linux): closing the pool releases their locks, as those its threads own. */
  readonly callerMutexes = new CallerMutexes();
  /** Tries waits on this thread while their wait thread starts. */
  readonly #startup = new StartupBridge(this.#slots, (slot) => this.#tryNow(slot));
  /** When a release may go straight to a local awaiter without passing other processes' waiters (handoff.ts). */
  readonly handoff = new HandoffPolicy();
  /** Linux: stops listening to this thread's bell (bell-reader.ts), which the waits of its batch threads ring; listened to from the first of them. */
  #stopListening: (() => void) | null | undefined;
  /** Results of waits registered here (direct-waits.ts) taken when the bell rang, and when a wait thread said a result rang no bell. */
  readonly #taken = { atBell: 0, afterLook: 0 };
  #threadFailures = 0;
  #closed = false;
  #exitHook = false;
  /** The process is ending: what fires now goes back, nobody can take it. */
  #exiting = false;

  /** Handles one wait thread can hold besides its control event. */
  get batchCapacity(): number {
    return getBackend().nativeWaitLimit - 1;
  }

  /** Starts a batch wait thread if there is none, and resolves once it runs (first waits then skip its start-up). */
  async warmUp(): Promise<void> {
    if (this.#closed) return;
    const thread = this.#batch.find((t) => t.alive) ?? this.#spawn('batch');
    this.#keepAlive.ref(); // the process must wait for it, as for a pending wait
    try {
      await thread.online;
    } finally {
      this.#keepAlive.unref();
    }
  }

  /** Whether a batch wait thread is up: a wait starts without waiting for a thread to start. */
  get warm(): boolean {
    return this.#batch.some((t) => t.alive && t.isOnline && !t.stopping);
  }

  /** Threads and slots, for tests and diagnostics. */
  stats() {
    return {
      batchThreads: this.#batch.filter((t) => t.alive).length,
      compoundThreads: this.#compounds.threads.filter((t) => t.alive).length,
      slots: this.#slots.size,
      pending: this.#slots.pending() + this.#compounds.pending,
      keepsAlive: this.#keepAlive.active,
      /** Wait threads that could not start or died (their waits rejected with WaitThreadError). */
      threadFailures: this.#threadFailures,
      /** Where the start of each running thread went (wait-thread.ts: `startup`), for the cold-start bench. */
      startups: [...this.#batch, ...this.#compounds.threads].flatMap((t) => (t.alive && t.startup ? [t.startup] : [])),
      /**
       * Linux: results of waits this pool registered itself (direct-waits.ts), taken when this
       * thread's bell rang (one hop), and after a wait thread reported one that rang no bell.
       */
      taken: { ...this.#taken },
    };
  }

  /** For tests: closes this thread's bell (wakers then wake the wait threads, which report), as a failed bell would. */
  closeBellForTesting(): void {
    closeBellForTesting();
  }

  /**
   * Acquires `object` (a wait-any of one), for this awaiter: at once on the calling
   * thread if it can be, else through a wait thread, in FIFO order among this pool's
   * awaiters of the same handle.
   */
  acquire(object: WaitHandle, options: CheckedWaitOptions): Promise<Grant> {
    if (this.#closed) return Promise.reject(new PoolClosedError());
    const { signal, timeout, ref } = options;
    if (signal?.aborted) return Promise.reject(new AbortError({ cause: signal.reason }));
    const raw = object.handle;
    const slot0 = this.#slots.of(raw);
    if (!slot0 || slot0.queue.length === 0) {
      // Linux: only the lock-free attempt here; when it cannot tell, the wait's registration
      // makes the attempt in its one transaction (one namespace transaction less per contended wait).
      const poolWaits = getBackend().poolWaits;
      const code = poolWaits && timeout !== 0 ? poolWaits.tryFast(raw) : getBackend().waitForMultipleObjects([raw], false, 0, false);
      if (code === WAIT_OBJECT_0 || code === WAIT_ABANDONED_0)
        return Promise.resolve({ abandoned: code === WAIT_ABANDONED_0, thread: null, at: performance.now() });
    }
    if (timeout === 0) return Promise.reject(new TimeoutError(0));
    // Windows: a crash-safe semaphore's unit comes with its ledger mutex, in a wait-all that
    // a batch thread cannot share: the wait gets a compound thread of its own.
    if (getBackend().crashSafeLedger?.(raw))
      return this.compound([object], true, options, () => ({ abandoned: false, thread: null, at: performance.now() }));
    const slot = slot0 ?? this.#slots.create(object);
    return new Promise<Grant>((resolve, reject) => {
      const wait = new PendingWait({ signal, timeout, keepAlive: ref ? this.#keepAlive : null }, (error) => {
        if (!slot.queue.remove(entry)) return;
        wait.disarm();
        this.#slots.afterLeave(slot);
        reject(error);
      });
      const entry: QueueEntry<Awaiter> = slot.queue.push({
        settle: (grant) => {
          wait.disarm();
          resolve(grant);
        },
        fail: (error) => {
          wait.disarm();
          reject(error);
        },
      });
      wait.arm();
      this.#slots.arm(slot);
      if (!slot.thread.isOnline) this.#startup.watch();
    });
  }

  /** Serves what can be taken now of a slot whose thread is starting (startup-bridge.ts), on this thread. */
  #tryNow(slot: Slot): void {
    let taken = 0;
    while (slot.queue.length > 0) {
      let code: number;
      try {
        code = getBackend().waitForMultipleObjects([slot.raw], false, 0, false);
      } catch {
        break; // closed meanwhile: the thread reports the failure to the awaiters left
      }
      if (code === WAIT_TIMEOUT) break;
      taken++;
      // A mutex taken here is this thread's, as one a wait thread acquires for it (Linux):
      // closing the pool releases it likewise.
      const mutex = slot.kind === 'mutex';
      if (mutex) this.callerMutexes.granted(slot.raw);
      slot.queue.shift()!.settle({ abandoned: code === WAIT_ABANDONED_0, thread: null, forCaller: mutex, at: performance.now() });
    }
    if (taken > 0) this.#slots.afterLeave(slot);
  }

  /**
   * The oldest local awaiter of this handle, for a release or set in this process to
   * serve directly; null if there is none or if fairness across processes says the
   * release must go to the OS (`fair: false` skips that: a manual-reset event wakes all).
   */
  takeLocalAwaiter(raw: RawHandle, fair = true): ((grant: Grant) => void) | null {
    const slot = this.#slots.of(raw);
    if (!slot || slot.queue.length === 0) {
      this.handoff.end(raw);
      return null;
    }
    if (fair && !this.handoff.allow(raw)) return null;
    const awaiter = slot.queue.shift()!;
    this.#slots.afterLeave(slot);
    return (grant) => awaiter.settle(grant);
  }

  /** How many of this thread's awaiters wait for this handle. */
  localAwaiters(raw: RawHandle): number {
    return this.#slots.of(raw)?.queue.length ?? 0;
  }

  /**
   * A wait-any (the index of the object acquired) or wait-all over several objects, on a
   * compound thread (compound-jobs.ts). Resolves to what `take` makes of the WAIT_* code
   * and the thread that owns any mutex acquired.
   */
  compound<R>(
    objects: readonly WaitHandle[],
    waitAll: boolean,
    options: CheckedWaitOptions,
    /**
     * Makes the result of what was acquired, synchronously as the grant arrives: the
     * locks of mutexes a compound thread acquired must be on that thread before it can
     * be chosen for another wait (it would take them again, as their owner).
     */
    take: (code: number, thread: WaitThread | null) => R,
  ): Promise<R> {
    if (this.#closed) return Promise.reject(new PoolClosedError());
    return this.#compounds.run(objects, waitAll, options, take);
  }

  /**
   * Releases a mutex on the thread that owns it (Windows lets no other thread release
   * it). Until the thread has done it, the process is kept alive.
   */
  releaseMutex(raw: RawHandle, thread: WaitThread | null): Promise<void> {
    return this.#releases.release(raw, thread);
  }

  /**
   * Closes an object's handle on behalf of its owner: its pending awaiters here reject
   * with ObjectClosedError. If a wait thread is waiting on the handle, the handle is
   * closed once the thread has let go of it (and has given back what it took).
   */
  closeObject(object: WaitHandle): void {
    if (object.closed) return;
    const slot = this.#slots.of(object.handle);
    if (!slot || slot.object !== object) {
      // A wait thread may still be letting go of the handle (a wait just left): not closed under it.
      if (this.#retired.adopt(object.handle)) object.detach();
      else object.close();
      return;
    }
    const error = new ObjectClosedError();
    for (let a = slot.queue.shift(); a; a = slot.queue.shift()) a.fail(error);
    if (slot.armed) {
      this.#slots.retire(slot, object.detach(), true);
    } else {
      this.#slots.remove(slot);
      object.close();
    }
  }

  /**
   * Rejects every pending wait with PoolClosedError, releases the mutexes its wait
   * threads own for locks (on those threads: a thread that ended owning them would leave
   * them abandoned) or acquired for this thread (Linux), and stops the threads. Locks
   * taken on the caller's own thread without a wait thread stay with their holders.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Resolves once the threads have stopped, whatever else keeps the process alive or not.
    this.#keepAlive.ref();
    try {
      const error = new PoolClosedError();
      for (const slot of this.#slots.all()) {
        for (let a = slot.queue.shift(); a; a = slot.queue.shift()) a.fail(error);
        this.#slots.afterLeave(slot);
      }
      this.#compounds.cancelAll(error);
      const threads = this.#threads().filter((t) => t.alive);
      const callerLocks = this.callerMutexes.locks;
      // A release may hand a lock over to the next local awaiter on the same thread: repeat.
      for (let round = 0; round < 16 && (callerLocks.size > 0 || threads.some((t) => t.locks.size > 0)); round++) {
        const held = [...callerLocks, ...threads.flatMap((t) => [...t.locks])];
        await Promise.all(held.map((lock) => lock[Symbol.asyncDispose]().catch(() => undefined)));
      }
      const exits = threads.map((t) => new Promise((resolve) => (t.alive ? t.worker.once('exit', resolve) : resolve(undefined))));
      for (const t of threads) t.stop(t.keptHandles());
      await Promise.all(exits);
      this.#stopListening?.();
    } finally {
      this.#keepAlive.unref();
    }
  }

  /**
   * Keeps the process alive until the returned function is called (once): a wait queued
   * outside the pool's slots (behind a local lock holder) with `ref: true`.
   */
  keepAlive(): () => void {
    return this.#keepAlive.hold();
  }

  /** For tests: kills a batch thread (as a crash would) and returns when it is gone. */
  async killThreadForTesting(index = 0): Promise<void> {
    const thread = this.#batch.filter((t) => t.alive)[index];
    if (thread) await thread.kill();
  }

  // --- Slots and batch threads ---------------------------------------------------------

  #threads(): WaitThread[] {
    return [...this.#batch, ...this.#compounds.threads];
  }

  #spawn(mode: 'batch' | 'compound'): WaitThread {
    if (!this.#exitHook) {
      this.#exitHook = true;
      process.once('exit', () => {
        this.#exiting = true;
        stopAtExit(this.#threads(), this.callerMutexes);
      });
    }
    if (mode === 'batch' && this.#stopListening === undefined)
      this.#stopListening = listenToBell(() => {
        for (const t of this.#batch) if (t.takeHanded()) this.#taken.atBell++;
      });
    const thread = new WaitThread(
      mode,
      (t, r) => this.#onReport(t, r),
      (t, died) => this.#onExited(t, died),
      // Waits registered here, their results rung to this thread (direct-waits.ts), where the backend can.
      mode === 'batch' && this.#stopListening !== null && bellIsOpen(),
    );
    (mode === 'batch' ? this.#batch : this.#compounds.threads).push(thread);
    return thread;
  }

  #onReport(thread: WaitThread, report: Exclude<Report, { op: 'ready' }>): void {
    switch (report.op) {
      case 'fired':
        this.#fired(thread, report);
        return;
      case 'disarmed':
        this.#retired.disarmed(report.id);
        return;
      case 'failed': {
        const slot = this.#slots.byId(report.id);
        this.#retired.disarmed(report.id);
        if (!slot) return;
        slot.armed = false;
        const error = slot.object.closed ? new ObjectClosedError() : failureOf(report);
        for (let a = slot.queue.shift(); a; a = slot.queue.shift()) a.fail(error);
        this.#slots.remove(slot);
        return;
      }
      case 'released':
        this.#releases.released(report);
        this.#compounds.retireIdle(thread);
        return;
      case 'compound-done':
      case 'compound-failed':
        this.#compounds.reported(thread, report);
        return;
      case 'stopped':
        return;
      case 'look':
        if (thread.takeHanded()) this.#taken.afterLook++;
        return;
    }
  }

  /** A slot's handle fired: what the thread took goes to the oldest awaiters, the rest back. */
  #fired(thread: WaitThread, report: Extract<Report, { op: 'fired' }>): void {
    const slot = this.#slots.byId(report.id);
    if (!slot) {
      this.#retired.fired(report.id, report.count, thread);
      return;
    }
    slot.armed = false;
    if (this.#exiting || slot.object.closed) {
      // Nobody can take it (the process is ending, or the object was closed under the wait).
      const error = new ObjectClosedError();
      if (!this.#exiting) for (let a = slot.queue.shift(); a; a = slot.queue.shift()) a.fail(error);
      void giveBack(this.#releases, slot.raw, slot.kind, report.count, ownerOf(thread, slot.kind));
      if (slot.queue.length === 0) this.#slots.remove(slot);
      return;
    }
    const owner = ownerOf(thread, slot.kind);
    for (let i = 0; i < report.count; i++) {
      const awaiter = slot.queue.shift();
      if (!awaiter) {
        void giveBack(this.#releases, slot.raw, slot.kind, report.count - i, owner);
        break;
      }
      if (owner === null && slot.kind === 'mutex') this.callerMutexes.granted(slot.raw);
      awaiter.settle({
        abandoned: i === 0 && report.abandoned,
        thread: owner,
        forCaller: owner === null && slot.kind === 'mutex',
        at: report.at + hrtimeToPerformance,
      });
    }
    if (slot.queue.length > 0) this.#slots.arm(slot);
    else this.#slots.remove(slot);
  }

  // --- Recovery when a thread ends ------------------------------------------------------

  /** A thread ended: a stopping one released what nobody keeps; one that died lost it. */
  #onExited(thread: WaitThread, died: boolean): void {
    this.#releases.threadEnded(thread, died);
    this.#compounds.threadEnded(thread);
    // Its last reports were delivered before this: a slot still retired will never be confirmed.
    this.#retired.threadEnded(thread);
    if (died) this.#onDeath(thread);
  }

  /**
   * A thread died (or could not start): every wait it held rejects with the cause, its
   * slots go, and later waits start a fresh thread. Its waits are not re-armed: what it
   * took and had not reported is unknown, and a thread that cannot start would fail again.
   */
  #onDeath(thread: WaitThread): void {
    this.#threadFailures++;
    for (const lock of thread.locks) lock.lost();
    thread.locks.clear();
    const list = thread.mode === 'compound' ? this.#compounds.threads : this.#batch;
    const at = list.indexOf(thread);
    if (at >= 0) list.splice(at, 1);
    for (const slot of this.#slots.all()) {
      if (slot.thread !== thread) continue;
      slot.armed = false;
      const awaiters: Awaiter[] = [];
      for (let a = slot.queue.shift(); a; a = slot.queue.shift()) awaiters.push(a);
      this.#slots.remove(slot);
      for (const a of awaiters) a.fail(threadDied(thread, 'the wait thread running this wait died'));
    }
  }
}
