/**
 * Locks on mutexes, and the local exclusion behind them. The OS lets the thread that
 * owns a mutex take it again (recursion), and every wait of this process runs on this
 * thread or on one of the pool's threads, so two acquire() calls of one process could
 * both "succeed" on the same thread. A MutexGroup (one per mutex object, found with
 * CompareObjectHandles) therefore lets one local holder at a time, in FIFO order; the
 * next local awaiter gets ownership handed over without a system call.
 */
import { type RawHandle, WAIT_ABANDONED_0, WAIT_TIMEOUT, getBackend, type Mutex as CoreMutex } from '@waitables/core';
import { AwaiterQueue, type QueueEntry } from './awaiter-queue.js';
import { AbortError, ObjectClosedError, TimeoutError, WaitThreadError } from './errors.js';
import { PendingWait } from '@waitables/common/pending-wait';
import type { CheckedWaitOptions } from './options.js';
import type { Grant } from './grant.js';
import { RELEASED } from './held-mutex.js';
import type { MutexPool } from './mutex-pool.js';
import type { WaitThread } from './wait-thread.js';
import { refuseCloning } from './uncloneable.js';

const LOCK_CLONE_MESSAGE =
  'a Lock cannot be cloned or sent to another thread or process (its mutex is owned here): release it here and acquire the mutex there';

/**
 * Ownership of a mutex. `release()` gives it up (on the thread that owns it in the OS);
 * `using` and `await using` release it at the end of the block. It belongs to the thread
 * that acquired it: `postMessage` or `structuredClone` of it throws a DataCloneError.
 */
export class Lock implements Disposable, AsyncDisposable {
  #released = false;
  #lost = false;
  #done: Promise<void> = RELEASED;

  /** @internal */
  declare readonly owner: LockOwner;
  /** The previous owner ended while owning the mutex: its state may be inconsistent. */
  declare readonly abandoned: boolean;

  /** @internal */
  constructor(owner: LockOwner, abandoned: boolean) {
    refuseCloning(this, LOCK_CLONE_MESSAGE); // first: before any own property
    this.owner = owner;
    this.abandoned = abandoned;
  }

  /** Whether `release()` was called (the OS may still be on its way to getting the mutex back). */
  get released(): boolean {
    return this.#released;
  }

  /**
   * Releases the mutex: to the next local awaiter at once if there is one, otherwise to
   * the OS, on the thread that owns it. The promise resolves once the OS has it back
   * (at once when this thread owns it; after a command to the wait thread that does),
   * and rejects with WaitThreadError if that thread died (the OS abandoned the mutex).
   * It may be ignored: a failure is then not an unhandled rejection. A second call
   * returns the first one's promise.
   *
   * Returning a promise is the shape `@waitables/postgres` has too, where a release is
   * a transaction: code written against one engine runs on the other.
   */
  release(): Promise<void> {
    if (this.#released) return this.#done;
    this.#released = true;
    if (this.#lost) return this.#done;
    this.#done = this.owner.release(this);
    // A plain release() must not leave an unhandled rejection; awaiting the promise still sees it.
    if (this.#done !== RELEASED) this.#done.catch(() => undefined);
    return this.#done;
  }

  /** @internal The owning wait thread died: the OS abandoned the mutex. */
  lost(): void {
    this.#lost = true;
  }

  /** `using lock = await ...`: {@link release} at the end of the block. */
  [Symbol.dispose](): void {
    void this.release();
  }

  /**
   * `await using lock = await ...`: {@link release}, then waits until the OS has the
   * mutex back (rejects with WaitThreadError if the thread that owned it died).
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
    if (this.#lost) throw new WaitThreadError('the wait thread that owned this mutex died; the OS abandoned it');
  }
}

/** What a lock releases into. */
export interface LockOwner {
  /** The mutex's handle (the one its wait thread acquired it through). */
  readonly raw: RawHandle;
  release(lock: Lock): Promise<void>;
}

interface Request {
  readonly options: CheckedWaitOptions;
  readonly deadline: number;
  resolve(lock: Lock): void;
  reject(error: unknown): void;
  /** Stops the request's own abort listener and timer (it is about to be served). */
  detach(): void;
}

/** The local holders and awaiters of one mutex object. */
export class MutexGroup implements LockOwner {
  readonly #queue = new AwaiterQueue<Request>();
  #holder: { lock: Lock; thread: WaitThread | null; forCaller: boolean } | null = null;
  #inFlight = false;
  /** close() was called while a lock was held: the handle closes at its release. */
  #closing = false;
  readonly raw: RawHandle;

  constructor(
    readonly pool: MutexPool,
    readonly mutex: CoreMutex,
    readonly onIdle: (group: MutexGroup) => void,
  ) {
    this.raw = mutex.handle;
  }

  /**
   * Closes the mutex's handle: queued requests reject with ObjectClosedError; one being
   * served by a wait thread too (the pool gives back what it took). With a lock held,
   * the handle stays open (owned here) until that lock is released through it.
   */
  close(): void {
    const error = new ObjectClosedError();
    for (let r = this.#queue.shift(); r; r = this.#queue.shift()) {
      r.detach();
      r.reject(error);
    }
    if (this.#holder !== null) {
      this.#closing = true;
      this.mutex.detach();
    } else {
      this.pool.closeObject(this.mutex);
    }
    this.onIdle(this);
  }

  get idle(): boolean {
    return this.#holder === null && !this.#inFlight && this.#queue.length === 0;
  }

  /** Records ownership this thread already has (initial ownership at creation) as a lock of the group. */
  adopt(): Lock {
    if (!this.idle) throw new Error('internal: adopting a mutex the group already holds');
    return this.#hold(null, false);
  }

  /** Takes the mutex now if no local holder or awaiter is ahead; null otherwise. */
  tryAcquire(): Lock | null {
    if (!this.idle) return null;
    const code = getBackend().waitForMultipleObjects([this.raw], false, 0, false);
    if (code === WAIT_TIMEOUT) return null;
    return this.#hold(null, code === WAIT_ABANDONED_0);
  }

  acquire(options: CheckedWaitOptions): Promise<Lock> {
    const { signal, timeout } = options;
    if (signal?.aborted) return Promise.reject(new AbortError({ cause: signal.reason }));
    const now = this.tryAcquire();
    if (now) return Promise.resolve(now);
    if (timeout === 0) return Promise.reject(new TimeoutError(0));
    return new Promise<Lock>((resolve, reject) => {
      // Queued behind a local holder, it is in no pool slot: it keeps the process alive itself.
      const unref = options.ref ? this.pool.keepAlive() : () => undefined;
      const wait = new PendingWait({ signal, timeout }, (error) => {
        if (!this.#queue.remove(entry)) return;
        detach();
        reject(error);
        this.#pump();
      });
      const detach = () => {
        wait.disarm();
        unref();
      };
      const entry: QueueEntry<Request> = this.#queue.push({ options, deadline: performance.now() + timeout, resolve, reject, detach });
      wait.arm();
      this.#pump();
    });
  }

  /** Serves the oldest request when nobody local holds the mutex: through the pool. */
  #pump(): void {
    if (this.#holder !== null || this.#inFlight) return;
    const head = this.#queue.shift();
    if (!head) return this.onIdle(this);
    head.detach();
    this.#inFlight = true;
    const { signal, ref } = head.options;
    const timeout = head.options.timeout === Infinity ? Infinity : Math.max(0, head.deadline - performance.now());
    this.pool.acquire(this.mutex, { signal, timeout, ref }).then(
      (grant: Grant) => {
        this.#inFlight = false;
        head.resolve(this.#hold(grant.thread, grant.abandoned, grant.forCaller === true));
      },
      (error: unknown) => {
        this.#inFlight = false;
        // The pool was given what was left of the timeout: the error says the one asked for.
        head.reject(error instanceof TimeoutError ? new TimeoutError(head.options.timeout) : error);
        this.#pump();
      },
    );
  }

  /**
   * `forCaller`: a wait thread acquired it for this thread, which owns it (closeWaitPool()
   * releases it too); `handedOver`: from the previous local holder, not from a grant.
   */
  #hold(thread: WaitThread | null, abandoned: boolean, forCaller = false, handedOver = false): Lock {
    const lock = new Lock(this, abandoned);
    this.#holder = { lock, thread, forCaller };
    thread?.locks.add(lock);
    if (forCaller && handedOver) this.pool.callerMutexes.locks.add(lock);
    else if (forCaller) this.pool.callerMutexes.took(this.raw, lock);
    return lock;
  }

  /** Gives the ownership this thread or `thread` has to the oldest local awaiter. */
  #handOver(thread: WaitThread | null, abandoned: boolean, forCaller: boolean): void {
    const next = this.#queue.shift()!;
    next.detach();
    next.resolve(this.#hold(thread, abandoned, forCaller, true));
  }

  release(lock: Lock): Promise<void> {
    const holder = this.#holder;
    if (!holder || holder.lock !== lock) return RELEASED;
    holder.thread?.locks.delete(lock);
    this.pool.callerMutexes.locks.delete(lock);
    // A local awaiter takes over the ownership as it is, on the same thread: no system
    // call, unless other processes' waiters must have their turn first (handoff.ts).
    if (this.#queue.length === 0) this.pool.handoff.end(this.raw);
    else if (!this.#closing && this.pool.handoff.allow(this.raw)) {
      this.#handOver(holder.thread, false, holder.forCaller);
      return RELEASED;
    }
    this.#holder = null;
    let released: Promise<void>;
    try {
      released = this.pool.releaseMutex(this.raw, holder.thread);
    } catch (error) {
      released = Promise.reject(error);
    }
    // Released here and now (owned by this thread): nothing to wait for.
    if (released === RELEASED && !this.#closing) {
      this.#pump();
      return RELEASED;
    }
    return released.finally(() => {
      if (this.#closing) {
        this.#closing = false;
        try {
          getBackend().closeHandle(this.raw);
        } catch {
          // Already gone.
        }
      } else {
        this.#pump();
      }
    });
  }
}

/** A lock on a mutex acquired by a compound wait (waitAny/waitAll), outside any group. */
export class CompoundLockOwner implements LockOwner {
  constructor(
    readonly pool: MutexPool,
    readonly raw: RawHandle,
    readonly thread: WaitThread | null,
  ) {}

  release(lock: Lock): Promise<void> {
    this.thread?.locks.delete(lock);
    return this.pool.releaseMutex(this.raw, this.thread);
  }
}
