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
import {
  type RawHandle,
  Win32Error,
  getBackend,
  WAIT_ABANDONED_0,
  WAIT_OBJECT_0,
  WAIT_TIMEOUT,
  type WaitHandle,
  INFINITE,
} from '@waitables/core';
import { AwaiterQueue, type QueueEntry } from './awaiter-queue.js';
import { AbortError, ObjectClosedError, PoolClosedError, TimeoutError, WaitThreadError } from './errors.js';
import { HandoffPolicy } from './handoff.js';
import { KeepAlive } from '@waitables/common/keep-alive';
import { PendingWait } from '@waitables/common/pending-wait';
import type { CheckedWaitOptions } from './options.js';
import type { Report } from './protocol.js';
import { WaitThread } from './wait-thread.js';
import { type Lock, RELEASED } from './lock.js';

/** Where an acquired object came from: `thread` null means this thread (the caller's) owns it. */
export interface Grant {
  readonly abandoned: boolean;
  readonly thread: WaitThread | null;
  /** A wait thread acquired it for this thread (a mutex this thread owns; see WaitThreadData.acquireFor). */
  readonly forCaller?: boolean;
  /** When the object was acquired, in performance.now() milliseconds (on the thread that acquired it). */
  readonly at: number;
}

// performance.now() and process.hrtime read the same monotonic clock from different origins.
const hrtimeToPerformance = performance.now() - Number(process.hrtime.bigint()) / 1e6;

type Kind = WaitHandle['kind'];

interface Awaiter {
  settle(grant: Grant): void;
  fail(error: unknown): void;
}

interface Slot {
  readonly id: number;
  readonly raw: RawHandle;
  readonly kind: Kind;
  /** Keeps the object (and so its handle) alive while awaited. */
  readonly object: WaitHandle;
  readonly queue: AwaiterQueue<Awaiter>;
  thread: WaitThread;
  armed: boolean;
}

/** A slot disarmed while it may still fire: what it reports goes back. */
interface Retired {
  readonly raw: RawHandle;
  readonly kind: Kind;
  readonly thread: WaitThread;
  /** The handle belongs to the pool (its object was closed while armed): close it once disarmed. */
  readonly closeRaw: boolean;
  /** Give-backs under way on the thread (mutexes), before the handle may be closed. */
  readonly pending: Promise<void>[];
}

/** Who owns a mutex a wait thread acquired: the thread itself, or (null) the pool's own thread it acquired for. */
function ownerOf(thread: WaitThread, kind: Kind): WaitThread | null {
  return kind === 'mutex' && thread.acquiresForOwner ? null : thread;
}

/** Idle compound threads kept for the next wait-any or wait-all. */
const COMPOUND_IDLE_KEPT = 2;

/** How long the 'exit' hook waits for the wait threads to give back what they hold. */
const EXIT_GRACE_MS = 2000;

interface Compound {
  readonly raws: RawHandle[];
  readonly kinds: Kind[];
  readonly waitAll: boolean;
  readonly thread: WaitThread;
  settle(code: number): void;
  fail(error: unknown): void;
  /** The caller left: whatever the thread reports acquired must be given back. */
  left: boolean;
}

let nextId = 1;

export class WaitPool {
  readonly #batch: WaitThread[] = [];
  readonly #compoundThreads: WaitThread[] = [];
  readonly #slots = new Map<RawHandle, Slot>();
  readonly #byId = new Map<number, Slot>();
  /** Slots disarmed while they may still fire: id -> what to give back. */
  readonly #retired = new Map<number, Retired>();
  readonly #compounds = new Map<number, Compound>();
  /** @internal Locks a wait thread acquired for this thread (Linux): closing the pool releases them, as those its threads own. */
  readonly locksForCaller = new Set<Lock>();
  /** Mutexes acquired for this thread and handed to an awaiter, not yet made into a lock: handle -> count. */
  readonly #grantedForCaller = new Map<RawHandle, number>();
  readonly #releases = new Map<number, { thread: WaitThread; resolve(): void; reject(e: unknown): void }>();
  /** Held while anything is in flight: a referenced wait, a release, a retired slot, a cancelled compound. */
  readonly #keepAlive = new KeepAlive();
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
    let pending = 0;
    for (const slot of this.#slots.values()) pending += slot.queue.length;
    return {
      batchThreads: this.#batch.filter((t) => t.alive).length,
      compoundThreads: this.#compoundThreads.filter((t) => t.alive).length,
      slots: this.#slots.size,
      pending: pending + [...this.#compounds.values()].filter((job) => !job.left).length,
      keepsAlive: this.#keepAlive.active,
      /** Wait threads that could not start or died (their waits rejected with WaitThreadError). */
      threadFailures: this.#threadFailures,
    };
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
    const slot0 = this.#slots.get(raw);
    if (!slot0 || slot0.queue.length === 0) {
      const code = getBackend().waitForMultipleObjects([raw], false, 0, false);
      if (code !== WAIT_TIMEOUT) return Promise.resolve({ abandoned: code === WAIT_ABANDONED_0, thread: null, at: performance.now() });
    }
    if (timeout === 0) return Promise.reject(new TimeoutError(0));
    // Windows: a crash-safe semaphore's unit comes with its ledger mutex, in a wait-all that
    // a batch thread cannot share: the wait gets a compound thread of its own.
    if (getBackend().crashSafeLedger?.(raw))
      return this.compound([object], true, options, () => ({ abandoned: false, thread: null, at: performance.now() }));
    const slot = slot0 ?? this.#newSlot(object);
    return new Promise<Grant>((resolve, reject) => {
      const wait = new PendingWait({ signal, timeout, keepAlive: ref ? this.#keepAlive : null }, (error) => {
        if (!slot.queue.remove(entry)) return;
        wait.disarm();
        this.#afterLeave(slot);
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
      this.#arm(slot);
    });
  }

  /** @internal When a release may go straight to a local awaiter without passing other processes' waiters (handoff.ts). */
  readonly handoff = new HandoffPolicy();

  /**
   * The oldest local awaiter of this handle, for a release or set in this process to
   * serve directly; null if there is none or if fairness across processes says the
   * release must go to the OS (`fair: false` skips that: a manual-reset event wakes all).
   */
  takeLocalAwaiter(raw: RawHandle, fair = true): ((grant: Grant) => void) | null {
    const slot = this.#slots.get(raw);
    if (!slot || slot.queue.length === 0) {
      this.handoff.end(raw);
      return null;
    }
    if (fair && !this.handoff.allow(raw)) return null;
    const awaiter = slot.queue.shift()!;
    this.#afterLeave(slot);
    return (grant) => awaiter.settle(grant);
  }

  localAwaiters(raw: RawHandle): number {
    return this.#slots.get(raw)?.queue.length ?? 0;
  }

  /**
   * A wait-any (the index of the object acquired) or wait-all over several objects, on a
   * compound thread. Resolves to the WAIT_* code and the thread that owns any mutex
   * acquired.
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
    const thread = this.#compoundThreads.find((t) => t.alive && !t.busy && (!mutexes || t.locks.size === 0)) ?? this.#spawn('compound');
    thread.busy = true;
    const id = nextId++;
    return new Promise((resolve, reject) => {
      // A timeout a native wait can take is the thread's own: the OS decides, so a wait with
      // timeout 0 still takes what is free now (a timer here would beat the thread's answer).
      // Longer ones are a chain of Node timers.
      const native = timeout < INFINITE;
      const wait = new PendingWait({ signal, timeout: native ? Infinity : timeout, keepAlive: ref ? this.#keepAlive : null }, (error) =>
        leave(error),
      );
      const job: Compound = {
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
        this.#keepAlive.ref();
        thread.send({ op: 'cancel', id });
        reject(error);
      };
      this.#compounds.set(id, job);
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

  /**
   * Releases a mutex on the thread that owns it (Windows lets no other thread release
   * it). Until the thread has done it, the process is kept alive.
   */
  releaseMutex(raw: RawHandle, thread: WaitThread | null): Promise<void> {
    if (thread === null) {
      getBackend().releaseMutex(raw);
      return RELEASED;
    }
    if (!thread.alive) return Promise.reject(new WaitThreadError('the wait thread that owned this mutex died; the OS abandoned it'));
    // A stopping thread releases at its shutdown every ownership nobody keeps.
    if (thread.stopping) return Promise.resolve();
    const token = nextId++;
    this.#keepAlive.ref();
    return new Promise<void>((resolve, reject) => {
      this.#releases.set(token, { thread, resolve, reject });
      thread.send({ op: 'release-mutex', raw, token });
    }).finally(() => this.#keepAlive.unref());
  }

  /**
   * Closes an object's handle on behalf of its owner: its pending awaiters here reject
   * with ObjectClosedError. If a wait thread is waiting on the handle, the handle is
   * closed once the thread has let go of it (and has given back what it took).
   */
  closeObject(object: WaitHandle): void {
    if (object.closed) return;
    const slot = this.#slots.get(object.handle);
    if (!slot || slot.object !== object) return object.close();
    const error = new ObjectClosedError();
    for (let a = slot.queue.shift(); a; a = slot.queue.shift()) a.fail(error);
    if (slot.armed) {
      this.#retire(slot, object.detach(), true);
    } else {
      this.#removeSlot(slot);
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
      for (const slot of [...this.#slots.values()]) {
        for (let a = slot.queue.shift(); a; a = slot.queue.shift()) a.fail(error);
        this.#afterLeave(slot);
      }
      for (const [id, job] of this.#compounds) {
        if (job.left) continue;
        job.left = true;
        this.#keepAlive.ref(); // until the thread says what it acquired meanwhile
        job.thread.send({ op: 'cancel', id });
        job.fail(error);
      }
      const threads = [...this.#batch, ...this.#compoundThreads].filter((t) => t.alive);
      // A release may hand a lock over to the next local awaiter on the same thread: repeat.
      for (let round = 0; round < 16 && (this.locksForCaller.size > 0 || threads.some((t) => t.locks.size > 0)); round++) {
        const held = [...this.locksForCaller, ...threads.flatMap((t) => [...t.locks])];
        await Promise.all(held.map((lock) => lock[Symbol.asyncDispose]().catch(() => undefined)));
      }
      const exits = threads.map((t) => new Promise((resolve) => (t.alive ? t.worker.once('exit', resolve) : resolve(undefined))));
      for (const t of threads) t.stop(keepOf(t));
      await Promise.all(exits);
    } finally {
      this.#keepAlive.unref();
    }
  }

  /**
   * @internal Keeps the process alive until the returned function is called (once): a
   * wait queued outside the pool's slots (behind a local lock holder) with `ref: true`.
   */
  keepAlive(): () => void {
    return this.#keepAlive.hold();
  }

  /** For tests: kills a batch thread (as a crash would) and returns when it is gone. */
  async killThreadForTesting(index = 0): Promise<void> {
    const thread = this.#batch.filter((t) => t.alive)[index];
    if (thread) await thread.kill();
  }

  // --- Internals --------------------------------------------------------------------

  #newSlot(object: WaitHandle): Slot {
    const thread = this.#batch.find((t) => t.alive && t.bound < this.batchCapacity) ?? this.#spawn('batch');
    thread.bound++;
    const slot: Slot = { id: nextId++, raw: object.handle, kind: object.kind, object, queue: new AwaiterQueue(), thread, armed: false };
    this.#slots.set(slot.raw, slot);
    this.#byId.set(slot.id, slot);
    return slot;
  }

  #arm(slot: Slot): void {
    if (slot.armed || slot.queue.length === 0) return;
    slot.armed = true;
    slot.thread.send({ op: 'arm', id: slot.id, raw: slot.raw, want: slot.queue.length, mutex: slot.kind === 'mutex' });
  }

  #afterLeave(slot: Slot): void {
    if (slot.queue.length > 0) return;
    if (slot.armed) this.#retire(slot, slot.raw, false);
    else this.#removeSlot(slot);
  }

  /** Disarms a slot that may still fire: the process stays alive until the thread confirms, and what it took goes back. */
  #retire(slot: Slot, raw: RawHandle, closeRaw: boolean): void {
    this.#keepAlive.ref();
    this.#retired.set(slot.id, { raw, kind: slot.kind, thread: slot.thread, closeRaw, pending: [] });
    slot.thread.send({ op: 'disarm', id: slot.id });
    this.#removeSlot(slot);
  }

  #removeSlot(slot: Slot): void {
    if (this.#slots.get(slot.raw) === slot) {
      this.#slots.delete(slot.raw);
      this.handoff.end(slot.raw);
    }
    if (!this.#byId.delete(slot.id)) return;
    const thread = slot.thread;
    thread.bound--;
    // Retire a thread that holds nothing, keeping the first one for the next wait.
    if (thread.alive && thread.bound === 0 && thread.locks.size === 0 && this.#batch.filter((t) => t.alive && !t.stopping).length > 1) {
      thread.stop(keepOf(thread));
      this.#batch.splice(this.#batch.indexOf(thread), 1);
    }
  }

  #spawn(mode: 'batch' | 'compound'): WaitThread {
    if (!this.#exitHook) {
      this.#exitHook = true;
      process.once('exit', () => this.#onExit());
    }
    const thread = new WaitThread(
      mode,
      (t, r) => this.#onReport(t, r),
      (t, died) => this.#onExited(t, died),
    );
    (mode === 'batch' ? this.#batch : this.#compoundThreads).push(thread);
    return thread;
  }

  #onReport(thread: WaitThread, report: Exclude<Report, { op: 'ready' }>): void {
    switch (report.op) {
      case 'fired': {
        const slot = this.#byId.get(report.id);
        if (!slot) {
          const retired = this.#retired.get(report.id);
          if (retired) {
            const released = this.#giveBack(retired.raw, retired.kind, report.count, ownerOf(thread, retired.kind));
            if (released) retired.pending.push(released);
          }
          return;
        }
        slot.armed = false;
        if (this.#exiting || slot.object.closed) {
          // Nobody can take it (the process is ending, or the object was closed under the wait).
          const error = new ObjectClosedError();
          if (!this.#exiting) for (let a = slot.queue.shift(); a; a = slot.queue.shift()) a.fail(error);
          void this.#giveBack(slot.raw, slot.kind, report.count, ownerOf(thread, slot.kind));
          if (slot.queue.length === 0) this.#removeSlot(slot);
          return;
        }
        const owner = ownerOf(thread, slot.kind);
        for (let i = 0; i < report.count; i++) {
          const awaiter = slot.queue.shift();
          if (!awaiter) {
            void this.#giveBack(slot.raw, slot.kind, report.count - i, owner);
            break;
          }
          if (owner === null && slot.kind === 'mutex')
            this.#grantedForCaller.set(slot.raw, (this.#grantedForCaller.get(slot.raw) ?? 0) + 1);
          awaiter.settle({
            abandoned: i === 0 && report.abandoned,
            thread: owner,
            forCaller: owner === null && slot.kind === 'mutex',
            at: report.at + hrtimeToPerformance,
          });
        }
        if (slot.queue.length > 0) this.#arm(slot);
        else this.#removeSlot(slot);
        return;
      }
      case 'disarmed':
        this.#disarmed(report.id);
        return;
      case 'failed': {
        const slot = this.#byId.get(report.id);
        this.#disarmed(report.id);
        if (!slot) return;
        slot.armed = false;
        const error = slot.object.closed ? new ObjectClosedError() : failureOf(report);
        for (let a = slot.queue.shift(); a; a = slot.queue.shift()) a.fail(error);
        this.#removeSlot(slot);
        return;
      }
      case 'released': {
        const waiter = this.#releases.get(report.token);
        this.#releases.delete(report.token);
        if (report.errno) waiter?.reject(new Win32Error(report.errno, report.syscall));
        else waiter?.resolve();
        this.#retireIdleCompound(thread);
        return;
      }
      case 'compound-done':
      case 'compound-failed': {
        const job = this.#compounds.get(report.id);
        this.#compounds.delete(report.id);
        thread.busy = false;
        if (!job) return;
        if (job.left) this.#keepAlive.unref(); // referenced since it left
        if (report.op === 'compound-failed') {
          if (!job.left) job.fail(failureOf(report));
          return;
        }
        if (!job.left && !this.#exiting) job.settle(report.code);
        else this.#giveBackCompound(job, report.code);
        this.#retireIdleCompound(thread);
        return;
      }
      case 'stopped':
        return;
    }
  }

  /**
   * Compound threads are started as wait-any/wait-all calls overlap; once the burst is
   * over, all but COMPOUND_IDLE_KEPT idle ones stop (one holding locks stays until they
   * are released: it owns their mutexes; it is looked at again after each release).
   */
  #retireIdleCompound(thread: WaitThread): void {
    if (thread.mode !== 'compound' || thread.busy || thread.stopping || !thread.alive || thread.locks.size > 0) return;
    // A release under way on it keeps the process alive until done: let it finish first.
    for (const waiter of this.#releases.values()) if (waiter.thread === thread) return;
    const idle = this.#compoundThreads.filter((t) => t.alive && !t.busy && !t.stopping);
    if (idle.length <= COMPOUND_IDLE_KEPT) return;
    thread.stop();
    this.#compoundThreads.splice(this.#compoundThreads.indexOf(thread), 1);
  }

  /** The thread let go of a retired slot: the process need not wait for it any more. */
  #disarmed(id: number): void {
    const retired = this.#retired.get(id);
    if (!retired) return;
    this.#retired.delete(id);
    this.#keepAlive.unref();
    if (!retired.closeRaw) return;
    const close = () => {
      try {
        getBackend().closeHandle(retired.raw);
      } catch {
        // Already gone.
      }
    };
    if (retired.pending.length === 0) close();
    else void Promise.allSettled(retired.pending).then(close);
  }

  /**
   * The process is ending ('exit' hook: nothing asynchronous runs any more). Every
   * thread is stopped, releasing the mutexes it owns except those of locks still held,
   * and its last reports are read here synchronously: units and signals acquired for
   * nobody go back. A lock still held at exit is left to the OS (abandoned), as a
   * thread that ends owning a mutex is.
   */
  #onExit(): void {
    this.#exiting = true;
    const threads = [...this.#batch, ...this.#compoundThreads].filter((t) => t.alive);
    for (const t of threads) t.stop(keepOf(t));
    const deadline = performance.now() + EXIT_GRACE_MS;
    // A thread still starting up has acquired nothing; it ends with the process.
    for (const t of threads) if (t.isOnline) t.awaitStoppedSync(deadline);
    // Mutexes acquired for this thread whose lock never reached its holder (the event loop
    // did not turn again): this thread owns them, and releases them now.
    for (const [raw, count] of this.#grantedForCaller) {
      for (let i = 0; i < count; i++) {
        try {
          getBackend().releaseMutex(raw);
        } catch {
          break; // closed meanwhile
        }
      }
    }
    this.#grantedForCaller.clear();
  }

  /** @internal A lock was made of a grant acquired for this thread: its holder has it now. */
  tookForCaller(raw: RawHandle, lock: Lock): void {
    this.locksForCaller.add(lock);
    const left = (this.#grantedForCaller.get(raw) ?? 0) - 1;
    if (left > 0) this.#grantedForCaller.set(raw, left);
    else this.#grantedForCaller.delete(raw);
  }

  /**
   * What a wait acquired for nobody goes back: a semaphore unit, an auto-reset signal, a
   * mutex (released on its thread: the promise of that). A stopping thread releases its
   * mutexes itself at shutdown.
   */
  #giveBack(raw: RawHandle, kind: Kind, count: number, thread: WaitThread | null): Promise<void> | null {
    const backend = getBackend();
    try {
      if (kind === 'semaphore') backend.releaseSemaphore(raw, count);
      else if (kind === 'event' && backend.isManualResetEvent(raw) === false) backend.setEvent(raw);
      else if (kind === 'mutex') return this.releaseMutex(raw, thread).catch(() => undefined);
      // A timer's expiry cannot be put back (no API re-signals a timer); a process stays signaled.
    } catch {
      // The handle was closed meanwhile: there is nothing left to give back to.
    }
    return null;
  }

  #giveBackCompound(job: Compound, code: number): void {
    if (code === WAIT_TIMEOUT) return;
    const abandoned = code >= WAIT_ABANDONED_0;
    const index = code - (abandoned ? WAIT_ABANDONED_0 : WAIT_OBJECT_0);
    const taken = job.waitAll ? job.raws.map((_, i) => i) : [index];
    for (const i of taken) void this.#giveBack(job.raws[i]!, job.kinds[i]!, 1, job.thread);
  }

  /** A thread ended: a stopping one released what nobody keeps; one that died lost it. */
  #onExited(thread: WaitThread, died: boolean): void {
    for (const [token, waiter] of this.#releases) {
      if (waiter.thread !== thread) continue;
      this.#releases.delete(token);
      if (died) waiter.reject(threadDied(thread, 'the wait thread that owned this mutex died; the OS abandoned it'));
      else waiter.resolve();
    }
    for (const [id, job] of this.#compounds) {
      if (job.thread !== thread) continue;
      this.#compounds.delete(id);
      if (job.left) this.#keepAlive.unref();
      else job.fail(threadDied(thread, 'the wait thread running this wait died'));
    }
    // Its last reports were delivered before this: a slot still retired will never be confirmed.
    for (const [id, retired] of this.#retired) if (retired.thread === thread) this.#disarmed(id);
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
    const list = thread.mode === 'compound' ? this.#compoundThreads : this.#batch;
    const at = list.indexOf(thread);
    if (at >= 0) list.splice(at, 1);
    for (const slot of [...this.#byId.values()]) {
      if (slot.thread !== thread) continue;
      slot.armed = false;
      const awaiters: Awaiter[] = [];
      for (let a = slot.queue.shift(); a; a = slot.queue.shift()) awaiters.push(a);
      this.#removeSlot(slot);
      for (const a of awaiters) a.fail(threadDied(thread, 'the wait thread running this wait died'));
    }
  }
}

function threadDied(thread: WaitThread, message: string): WaitThreadError {
  return new WaitThreadError(message, { cause: thread.failure });
}

/** The handles of the locks a thread's holders still have: a shutdown keeps their ownership. */
function keepOf(thread: WaitThread): RawHandle[] {
  return [...thread.locks].map((lock) => lock.owner.raw);
}

let defaultPool: WaitPool | null = null;

/** This thread's wait pool, created on first use. */
export function waitPool(): WaitPool {
  defaultPool ??= new WaitPool();
  return defaultPool;
}

/**
 * Closes an object's handle for its async wrapper: pending waits on it in this thread
 * reject with ObjectClosedError, and a handle a wait thread waits on is closed once the
 * thread let go of it (see {@link WaitPool.closeObject}).
 */
export function closeAwaited(object: WaitHandle): void {
  if (defaultPool) defaultPool.closeObject(object);
  else object.close();
}

/**
 * Closes this thread's wait pool: pending waits reject with PoolClosedError and the
 * wait threads stop. A later wait starts a new pool.
 */
export async function closeWaitPool(): Promise<void> {
  const pool = defaultPool;
  defaultPool = null;
  await pool?.close();
}

/**
 * The error a wait thread reported for a wait: its Win32 error, or (errno 0) a failure
 * that is not one, whose text the report ring cannot carry (WAITABLES_DEBUG=1 prints it
 * from the wait thread).
 */
function failureOf(report: { errno: number; syscall: string }): Error {
  if (report.errno !== 0) return new Win32Error(report.errno, report.syscall);
  return new WaitThreadError('the wait thread failed on this wait with an error that is not a Win32 error (WAITABLES_DEBUG=1 prints it)');
}
