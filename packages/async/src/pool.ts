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
import { AbortError, PoolClosedError, TimeoutError, WaitThreadError } from './errors.js';
import type { CheckedWaitOptions } from './options.js';
import type { Report } from './protocol.js';
import { WaitThread } from './wait-thread-handle.js';

/** Where an acquired object came from: `thread` null means this thread (the caller's) owns it. */
export interface Grant {
  readonly abandoned: boolean;
  readonly thread: WaitThread | null;
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
  readonly #retired = new Map<number, { raw: RawHandle; kind: Kind }>();
  readonly #compounds = new Map<number, Compound>();
  readonly #releases = new Map<number, { resolve(): void; reject(e: unknown): void }>();
  #refs = 0;
  #keepAlive: NodeJS.Timeout | null = null;
  #closed = false;
  #exitHook = false;

  /** Handles one wait thread can hold besides its control event. */
  get batchCapacity(): number {
    return getBackend().nativeWaitLimit - 1;
  }

  /** Starts a batch wait thread if there is none, and resolves once it runs (first waits then skip its start-up). */
  async warmUp(): Promise<void> {
    if (this.#closed) return;
    const thread = this.#batch.find((t) => t.alive) ?? this.#spawn('batch');
    this.#ref(); // the process must wait for it, as for a pending wait
    try {
      await thread.online;
    } finally {
      this.#unref();
    }
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
      keepsAlive: this.#keepAlive !== null,
    };
  }

  /**
   * Acquires `object` (a wait-any of one), for this awaiter: at once on the calling
   * thread if it can be, else through a wait thread, in FIFO order among this pool's
   * awaiters of the same handle. `acquireNow: false` skips the attempt on the calling
   * thread (a mutex that this thread already owns for another lock).
   */
  acquire(object: WaitHandle, options: CheckedWaitOptions, acquireNow = true): Promise<Grant> {
    if (this.#closed) return Promise.reject(new PoolClosedError());
    const { signal, timeout, ref } = options;
    if (signal?.aborted) return Promise.reject(new AbortError({ cause: signal.reason }));
    const raw = object.handle;
    const slot0 = this.#slots.get(raw);
    if (acquireNow && (!slot0 || slot0.queue.length === 0)) {
      const code = getBackend().waitForMultipleObjects([raw], false, 0, false);
      if (code !== WAIT_TIMEOUT) return Promise.resolve({ abandoned: code === WAIT_ABANDONED_0, thread: null, at: performance.now() });
    }
    if (timeout === 0) return Promise.reject(new TimeoutError(0));
    const slot = slot0 ?? this.#newSlot(object);
    return new Promise<Grant>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (ref) this.#unref();
      };
      const leave = (error: unknown) => {
        if (!slot.queue.remove(entry)) return;
        cleanup();
        this.#afterLeave(slot);
        reject(error);
      };
      const onAbort = () => leave(new AbortError({ cause: signal!.reason }));
      const entry: QueueEntry<Awaiter> = slot.queue.push({
        settle: (grant) => {
          cleanup();
          resolve(grant);
        },
        fail: (error) => {
          cleanup();
          reject(error);
        },
      });
      if (ref) this.#ref();
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeout !== Infinity) {
        timer = setTimeout(() => leave(new TimeoutError(timeout)), timeout);
        timer.unref();
      }
      this.#arm(slot);
    });
  }

  /** Local awaiters of this handle, oldest first: a set in this process may serve them directly. */
  takeLocalAwaiter(raw: RawHandle): ((grant: Grant) => void) | null {
    const slot = this.#slots.get(raw);
    const awaiter = slot?.queue.shift();
    if (!slot || !awaiter) return null;
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
  compound(
    objects: readonly WaitHandle[],
    waitAll: boolean,
    options: CheckedWaitOptions,
  ): Promise<{ code: number; thread: WaitThread | null }> {
    if (this.#closed) return Promise.reject(new PoolClosedError());
    const { signal, timeout, ref } = options;
    if (signal?.aborted) return Promise.reject(new AbortError({ cause: signal.reason }));
    const raws = objects.map((o) => o.handle);
    // A mutex is never taken on this thread or on a thread already holding locks: the OS
    // would let a thread that owns it take it again, and two local owners must exclude.
    const mutexes = objects.some((o) => o.kind === 'mutex');
    if (!mutexes) {
      const now = getBackend().waitForMultipleObjects(raws, waitAll, 0, false);
      if (now !== WAIT_TIMEOUT) return Promise.resolve({ code: now, thread: null });
      if (timeout === 0) return Promise.reject(new TimeoutError(0));
    }
    const thread = this.#compoundThreads.find((t) => t.alive && !t.busy && (!mutexes || t.locks.size === 0)) ?? this.#spawn('compound');
    thread.busy = true;
    const id = nextId++;
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (ref) this.#unref();
      };
      const job: Compound = {
        raws,
        kinds: objects.map((o) => o.kind),
        waitAll,
        thread,
        left: false,
        settle: (code) => {
          cleanup();
          resolve({ code, thread });
        },
        fail: (error) => {
          cleanup();
          reject(error);
        },
      };
      const leave = (error: unknown) => {
        if (job.left) return;
        job.left = true;
        cleanup();
        thread.send({ op: 'cancel', id });
        reject(error);
      };
      const onAbort = () => leave(new AbortError({ cause: signal!.reason }));
      this.#compounds.set(id, job);
      if (ref) this.#ref();
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeout !== Infinity) {
        timer = setTimeout(() => leave(new TimeoutError(timeout)), timeout);
        timer.unref();
      }
      thread.send({ op: 'compound', id, handles: raws, waitAll, timeoutMs: INFINITE });
    });
  }

  /** Releases a mutex on the thread that owns it (Windows lets no other thread release it). */
  releaseMutex(raw: RawHandle, thread: WaitThread | null): Promise<void> {
    if (thread === null) {
      getBackend().releaseMutex(raw);
      return Promise.resolve();
    }
    if (!thread.alive) return Promise.reject(new WaitThreadError('the wait thread that owned this mutex died; the OS abandoned it'));
    const token = nextId++;
    return new Promise((resolve, reject) => {
      this.#releases.set(token, { resolve, reject });
      thread.send({ op: 'release-mutex', raw, token });
    });
  }

  /**
   * Rejects every pending wait with PoolClosedError, releases the mutexes its wait
   * threads own for locks (on those threads: a thread that ended owning them would leave
   * them abandoned), and stops the threads. Locks taken on the caller's own thread stay
   * with their holders.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const error = new PoolClosedError();
    for (const slot of [...this.#slots.values()]) {
      for (let a = slot.queue.shift(); a; a = slot.queue.shift()) a.fail(error);
      this.#removeSlot(slot);
    }
    for (const [id, job] of this.#compounds) {
      job.thread.send({ op: 'cancel', id });
      if (!job.left) {
        job.left = true;
        job.fail(error);
      }
    }
    const threads = [...this.#batch, ...this.#compoundThreads].filter((t) => t.alive);
    // A release may hand a lock over to the next local awaiter on the same thread: repeat.
    for (let round = 0; round < 16 && threads.some((t) => t.locks.size > 0); round++) {
      await Promise.all(threads.flatMap((t) => [...t.locks].map((lock) => lock[Symbol.asyncDispose]().catch(() => undefined))));
    }
    const exits = threads.map((t) => new Promise((resolve) => t.worker.once('exit', resolve)));
    for (const t of threads) t.stop();
    await Promise.all(exits);
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
    if (slot.armed) {
      slot.thread.send({ op: 'disarm', id: slot.id });
      this.#retired.set(slot.id, { raw: slot.raw, kind: slot.kind });
    }
    this.#removeSlot(slot);
  }

  #removeSlot(slot: Slot): void {
    if (this.#slots.get(slot.raw) === slot) this.#slots.delete(slot.raw);
    if (!this.#byId.delete(slot.id)) return;
    const thread = slot.thread;
    thread.bound--;
    // Retire a thread that holds nothing, keeping the first one for the next wait.
    if (thread.bound === 0 && thread.locks.size === 0 && this.#batch.filter((t) => t.alive && !t.stopping).length > 1) {
      thread.stop();
      this.#batch.splice(this.#batch.indexOf(thread), 1);
    }
  }

  #spawn(mode: 'batch' | 'compound'): WaitThread {
    if (!this.#exitHook) {
      this.#exitHook = true;
      // A thread in a native wait would keep the process from exiting: wake them all.
      process.once('exit', () => {
        for (const t of [...this.#batch, ...this.#compoundThreads]) if (t.alive) t.stop();
      });
    }
    const thread = new WaitThread(
      mode,
      (t, r) => this.#onReport(t, r),
      (t) => this.#onDeath(t),
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
          if (retired) this.#giveBack(retired.raw, retired.kind, report.count, thread);
          return;
        }
        slot.armed = false;
        for (let i = 0; i < report.count; i++) {
          const awaiter = slot.queue.shift();
          if (!awaiter) {
            this.#giveBack(slot.raw, slot.kind, report.count - i, thread);
            break;
          }
          awaiter.settle({ abandoned: i === 0 && report.abandoned, thread, at: report.at + hrtimeToPerformance });
        }
        if (slot.queue.length > 0) this.#arm(slot);
        else this.#removeSlot(slot);
        return;
      }
      case 'disarmed':
        this.#retired.delete(report.id);
        return;
      case 'failed': {
        const slot = this.#byId.get(report.id);
        this.#retired.delete(report.id);
        if (!slot) return;
        slot.armed = false;
        const error = new Win32Error(report.errno, report.syscall);
        for (let a = slot.queue.shift(); a; a = slot.queue.shift()) a.fail(error);
        this.#removeSlot(slot);
        return;
      }
      case 'released': {
        const waiter = this.#releases.get(report.token);
        this.#releases.delete(report.token);
        if (report.errno) waiter?.reject(new Win32Error(report.errno, report.syscall));
        else waiter?.resolve();
        return;
      }
      case 'compound-done':
      case 'compound-failed': {
        const job = this.#compounds.get(report.id);
        this.#compounds.delete(report.id);
        thread.busy = false;
        if (!job) return;
        if (report.op === 'compound-failed') {
          if (!job.left) job.fail(new Win32Error(report.errno, report.syscall));
          return;
        }
        if (!job.left) job.settle(report.code);
        else this.#giveBackCompound(job, report.code);
        return;
      }
    }
  }

  /** What a wait acquired for nobody goes back: a semaphore unit, an auto-reset signal, a mutex. */
  #giveBack(raw: RawHandle, kind: Kind, count: number, thread: WaitThread | null): void {
    const backend = getBackend();
    try {
      if (kind === 'semaphore') backend.releaseSemaphore(raw, count);
      else if (kind === 'event' && backend.isManualResetEvent(raw) === false) backend.setEvent(raw);
      else if (kind === 'mutex') void this.releaseMutex(raw, thread).catch(() => undefined);
      // A timer's expiry cannot be put back (no API re-signals a timer); a process stays signaled.
    } catch {
      // The handle was closed meanwhile: there is nothing left to give back to.
    }
  }

  #giveBackCompound(job: Compound, code: number): void {
    if (code === WAIT_TIMEOUT) return;
    const abandoned = code >= WAIT_ABANDONED_0;
    const index = code - (abandoned ? WAIT_ABANDONED_0 : WAIT_OBJECT_0);
    const taken = job.waitAll ? job.raws.map((_, i) => i) : [index];
    for (const i of taken) this.#giveBack(job.raws[i]!, job.kinds[i]!, 1, job.thread);
  }

  #onDeath(thread: WaitThread): void {
    for (const lock of thread.locks) lock.lost();
    thread.locks.clear();
    if (thread.mode === 'compound') {
      this.#compoundThreads.splice(this.#compoundThreads.indexOf(thread), 1);
      for (const [id, job] of this.#compounds) {
        if (job.thread !== thread) continue;
        this.#compounds.delete(id);
        if (!job.left) job.fail(new WaitThreadError('the wait thread running this wait died'));
      }
      return;
    }
    // Re-arm its slots on a live thread: their awaiters keep their places.
    this.#batch.splice(this.#batch.indexOf(thread), 1);
    for (const slot of this.#byId.values()) {
      if (slot.thread !== thread) continue;
      const next = this.#batch.find((t) => t.alive && t.bound < this.batchCapacity) ?? this.#spawn('batch');
      next.bound++;
      slot.thread = next;
      slot.armed = false;
      this.#arm(slot);
    }
    for (const [token, waiter] of this.#releases) {
      this.#releases.delete(token);
      waiter.reject(new WaitThreadError('the wait thread that owned this mutex died; the OS abandoned it'));
    }
  }

  #ref(): void {
    if (this.#refs++ === 0) this.#keepAlive = setInterval(() => undefined, 0x7fffffff);
  }

  #unref(): void {
    if (--this.#refs === 0 && this.#keepAlive) {
      clearInterval(this.#keepAlive);
      this.#keepAlive = null;
    }
  }
}

let defaultPool: WaitPool | null = null;

/** This thread's wait pool, created on first use. */
export function waitPool(): WaitPool {
  defaultPool ??= new WaitPool();
  return defaultPool;
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
