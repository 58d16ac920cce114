/** Semaphores in the database. */
import { ArgumentOutOfRangeError } from '@waitables/common';
import type { Database } from './database.js';
import { Permit } from './holding.js';
import { checkInteger, checkName, checkObject, checkWaitOptions, type WaitOptions } from './options.js';
import { RemoteObject } from './remote-object.js';
import { runHolding } from '@waitables/common';

const MAXIMUM_COUNT = 0x7fffffff;

/**
 * The options of `db.Semaphore.create()`. The counts apply only when it creates the
 * semaphore; an existing one of that name is opened as it is (`existed: true`).
 * @example
 * ```ts
 * const slots = await db.Semaphore.create({ name: 'encoders', initialCount: 2, maximumCount: 2 });
 * ```
 */
export interface SemaphoreOptions {
  /** The semaphore's name in the database: a non-empty string without NUL, at most 260 characters (required). */
  readonly name: string;
  /** Units available at creation, 0..maximumCount. Default: 0. */
  readonly initialCount?: number;
  /** 1..2147483647. */
  readonly maximumCount: number;
}

/**
 * A semaphore shared by every process connected to the database.
 *
 * Fairness: FIFO across all processes. Units held as permits by a session that ends
 * come back to the semaphore (and to the oldest waiters) when the session is reaped.
 * @example
 * ```ts
 * const slots = await db.Semaphore.create({ name: 'encoders', initialCount: 2, maximumCount: 2 });
 * {
 *   await using permit = await slots.acquire({ signal: AbortSignal.timeout(60_000) });
 *   // ... at most two of these run at once, across the fleet ...
 * }
 * ```
 */
export class Semaphore extends RemoteObject {
  /** Always `'semaphore'`. */
  readonly kind = 'semaphore';

  /** @internal */
  static async create(db: Database, options: unknown): Promise<Semaphore> {
    const o = checkObject(options, 'options');
    const name = checkName(o.name, 'options.name');
    const maximumCount = checkInteger(o.maximumCount, 'options.maximumCount', 1, MAXIMUM_COUNT);
    const initialCount = o.initialCount === undefined ? 0 : checkInteger(o.initialCount, 'options.initialCount', 0, MAXIMUM_COUNT);
    if (initialCount > maximumCount)
      throw new ArgumentOutOfRangeError('options.initialCount', `at most options.maximumCount (${maximumCount})`, initialCount);
    const session = await db.session();
    const ref = await session.engine.create({
      kind: 'semaphore',
      name,
      count: initialCount,
      maximum: maximumCount,
      manualReset: false,
      initialOwner: false,
    });
    return new Semaphore(db, name, ref.id, ref.existed, false);
  }

  /** @internal */
  static async open(db: Database, name: unknown): Promise<Semaphore> {
    const checked = checkName(name, 'name');
    const ref = await (await db.session()).engine.open('semaphore', checked);
    return new Semaphore(db, checked, ref.id, true, false);
  }

  /**
   * Resolves to a {@link Permit} holding one unit.
   *
   * Cancellation: this method uses a queue in the database to distribute units in the
   * order they were requested; an abort or timeout makes you lose your place in the
   * queue and rejects with AbortError or TimeoutError. A unit granted at that moment is
   * given back: never kept, never lost.
   */
  async acquire(options?: WaitOptions): Promise<Permit> {
    const checked = checkWaitOptions(options);
    const session = await this.db.session();
    const grant = await session.wait([this], false, checked);
    return new Permit(session, this.id, grant.wait, grant.fences[0]!);
  }

  /**
   * Runs `fn` holding one unit (as `@waitables/async`'s `run` and p-limit's
   * `limit(fn)`): acquires with `options`, calls `fn(permit)` and gives the unit back
   * once `fn`'s result settles, returned or thrown. Resolves with `fn`'s result; rejects
   * with its error, or with the acquire's.
   *
   * Cancellation: `signal` and `timeout` bound the wait for a unit only, as
   * {@link Semaphore.acquire}'s (an abort while queued loses the place and `fn` never
   * runs). Once `fn` has started, an abort does not interrupt it. The unit is given
   * back however `fn` ends.
   * @example
   * ```ts
   * const sizes = await Promise.all(files.map((file) => encoders.run(() => encode(file), { signal })));
   * ```
   */
  run<T>(fn: (permit: Permit) => T | PromiseLike<T>, options?: WaitOptions): Promise<Awaited<T>> {
    return runHolding(() => this.acquire(options), fn);
  }

  /** A permit if a unit is free now, else `null`. Never waits (one round trip). */
  async tryAcquire(): Promise<Permit | null> {
    return this.acquire({ timeout: 0 }).catch((error: unknown) => {
      if ((error as { code?: string }).code === 'ERR_WAIT_TIMEOUT') return null;
      throw error;
    });
  }

  /**
   * Adds units directly (ReleaseSemaphore), for units not held as permits. Resolves to
   * the count before. Past the maximum it rejects with Win32Error ERROR_TOO_MANY_POSTS
   * and nothing changes (checked in the same transaction).
   */
  async release(count = 1): Promise<number> {
    const checked = checkInteger(count, 'count', 1, MAXIMUM_COUNT);
    return (await this.db.session()).engine.releaseSemaphore(this.id, checked);
  }
}
