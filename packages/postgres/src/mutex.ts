/** Mutexes in the database. */
import { checkBoolean, checkName, checkObject, checkWaitOptions, type WaitOptions } from './options.js';
import type { Database } from './database.js';
import { Lock } from './holding.js';
import { RemoteObject } from './remote-object.js';
import { runHolding } from '@waitables/common';

/**
 * The options of `db.Mutex.create()`.
 * @example
 * ```ts
 * const device = await db.Mutex.create({ name: 'device', initialOwner: true });
 * if (device.initialLock) await device.initialLock.release(); // set up, now let others in
 * ```
 */
export interface MutexOptions {
  /** The mutex's name in the database (required: a nameless object could not be shared). */
  readonly name: string;
  /** Take ownership if this call creates it: the ownership is `mutex.initialLock`. Default: false. */
  readonly initialOwner?: boolean;
}

/**
 * A mutex shared by every process connected to the database, owned by one `acquire()`
 * at a time (two acquires of one process exclude each other, as in `@waitables/async`).
 *
 * Fairness: FIFO across all processes (the order in which waits reached the database).
 * When the owner's session ends (process killed, connection cut, lease expired), the
 * next owner's lock says `abandoned: true`.
 * @example
 * ```ts
 * const device = await db.Mutex.create({ name: 'device' });
 * {
 *   await using lock = await device.acquire({ timeout: 5000 });
 *   if (lock.abandoned) console.warn('the previous holder died holding it');
 *   lock.lost.addEventListener('abort', () => console.error('lost the device lock'));
 * }
 * ```
 */
export class Mutex extends RemoteObject {
  /** Always `'mutex'`. */
  readonly kind = 'mutex';
  /** The ownership taken by `create({ initialOwner: true })` when it created the mutex; `null` otherwise. */
  readonly initialLock: Lock | null = null;

  /** @internal */
  static async create(db: Database, options: unknown): Promise<Mutex> {
    const o = checkObject(options, 'options');
    const name = checkName(o.name, 'options.name');
    const initialOwner = o.initialOwner === undefined ? false : checkBoolean(o.initialOwner, 'options.initialOwner');
    const session = await db.session();
    const ref = await session.engine.create({ kind: 'mutex', name, count: 0, maximum: 1, manualReset: false, initialOwner });
    const mutex = new Mutex(db, name, ref.id, ref.existed, false);
    if (ref.initial)
      (mutex as { initialLock: Lock | null }).initialLock = new Lock(session, ref.id, ref.initial.grant, ref.initial.fence, false);
    return mutex;
  }

  /** @internal */
  static async open(db: Database, name: unknown): Promise<Mutex> {
    const checked = checkName(name, 'name');
    const ref = await (await db.session()).engine.open('mutex', checked);
    return new Mutex(db, checked, ref.id, true, false);
  }

  /**
   * Resolves to a {@link Lock} once this call owns the mutex.
   *
   * Cancellation: an abort or timeout takes the wait out of the mutex's queue in the
   * database (it loses its place) and rejects with AbortError or TimeoutError. If the
   * database granted the mutex at that moment, it is released again: never kept, never
   * lost. If the session is lost while waiting, it rejects with SessionLostError.
   */
  async acquire(options?: WaitOptions): Promise<Lock> {
    const checked = checkWaitOptions(options);
    const session = await this.db.session();
    const grant = await session.wait([this], false, checked);
    return new Lock(session, this.id, grant.wait, grant.fences[0]!, grant.abandoned);
  }

  /**
   * Runs `fn` holding the mutex (as `@waitables/async`'s and async-mutex's
   * `runExclusive`): acquires with `options`, calls `fn(lock)` and releases once `fn`'s
   * result settles, returned or thrown. Resolves with `fn`'s result; rejects with its
   * error, or with the acquire's. `lock.lost` tells `fn` if the session is lost meanwhile.
   *
   * Cancellation: `signal` and `timeout` bound the wait for the mutex only, as
   * {@link Mutex.acquire}'s (an abort while queued loses the place and `fn` never runs).
   * Once `fn` has started, an abort does not interrupt it: pass the signal (or
   * `lock.lost`) to `fn` if it can stop early. The mutex is released however `fn` ends.
   * @example
   * ```ts
   * const report = await nightly.runExclusive(async (lock) => build({ fence: lock.fence, signal: lock.lost }), { timeout: 5_000 });
   * ```
   */
  runExclusive<T>(fn: (lock: Lock) => T | PromiseLike<T>, options?: WaitOptions): Promise<Awaited<T>> {
    return runHolding(() => this.acquire(options), fn);
  }

  /** The lock if the mutex is free now, else `null`. Never waits (one round trip). */
  async tryAcquire(): Promise<Lock | null> {
    return this.acquire({ timeout: 0 }).catch((error: unknown) => {
      if ((error as { code?: string }).code === 'ERR_WAIT_TIMEOUT') return null;
      throw error;
    });
  }
}
