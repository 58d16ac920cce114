/** Reader-writer locks in the database. */
import { runHolding } from '@waitables/common';
import type { Database } from './database.js';
import { checkName, checkObject, checkWaitOptions, type WaitOptions } from './options.js';
import { RemoteObject } from './remote-object.js';
import { ReadLock, WriteLock } from './rwlock-holding.js';
import type { Target } from './session.js';

/** The options of `db.RwLock.create()`. */
export interface RwLockOptions {
  /** The lock's name in the database (required: a nameless object could not be shared). */
  readonly name: string;
}

/**
 * A reader-writer lock shared by every process connected to the database: any number of
 * readers at once (`read()`), or one writer (`write()`).
 *
 * Fairness: strictly FIFO across all processes, readers and writers in one queue. The
 * readers at the head of the queue are granted together; a reader that arrives behind a
 * queued writer waits behind it, so a stream of readers never starves a writer (and a
 * writer lets the readers queued before it go first). Every grant, a reader's too, gets
 * a fencing token larger than all before it. When a writer's session ends while it holds
 * the lock, the grants that follow say `abandoned: true` until a writer has held it
 * again; a reader's session that ends only gives its share back.
 *
 * Not part of `waitAny`/`waitAll` (they reject it with a TypeError): a reader-writer
 * lock is waited for through `read()` or `write()`, which say the mode.
 * @example
 * ```ts
 * const config = await db.RwLock.create({ name: 'config' });
 * const current = await config.runRead(() => readConfig());
 * await config.runWrite(async (writing) => writeConfig(next, { fence: writing.fence }), { timeout: 10_000 });
 * ```
 */
export class RwLock extends RemoteObject {
  /** Always `'rwlock'` (as `db.list()` names the kind). */
  readonly kind = 'rwlock';
  readonly #reader: Target;

  /** @internal */
  constructor(db: Database, name: string, id: string, existed: boolean) {
    super(db, name, id, existed, false);
    this.#reader = { id, kind: 'rwlock', manualReset: false, shared: true };
  }

  /** @internal */
  static async create(db: Database, options: unknown): Promise<RwLock> {
    const o = checkObject(options, 'options');
    const name = checkName(o.name, 'options.name');
    const session = await db.session();
    const ref = await session.engine.create({ kind: 'rwlock', name, count: 0, maximum: 1, manualReset: false, initialOwner: false });
    return new RwLock(db, name, ref.id, ref.existed);
  }

  /** @internal */
  static async open(db: Database, name: unknown): Promise<RwLock> {
    const checked = checkName(name, 'name');
    const ref = await (await db.session()).engine.open('rwlock', checked);
    return new RwLock(db, checked, ref.id, true);
  }

  /**
   * Resolves to a {@link ReadLock}, a share held with other readers, once no writer holds
   * the lock or waits before this call.
   *
   * Cancellation: this method uses the lock's queue in the database; an abort or timeout
   * takes the wait out (it loses its place) and rejects with AbortError or TimeoutError.
   * A share granted at that moment is given back: never kept, never lost. If the session
   * is lost while waiting, it rejects with SessionLostError.
   */
  async read(options?: WaitOptions): Promise<ReadLock> {
    const checked = checkWaitOptions(options);
    const session = await this.db.session();
    const grant = await session.wait([this.#reader], false, checked);
    return new ReadLock(session, this.id, grant.wait, grant.fences[0]!, grant.abandoned);
  }

  /**
   * Resolves to a {@link WriteLock} once this call alone holds the lock: no reader, no
   * other writer.
   *
   * Cancellation: an abort or timeout takes the wait out of the lock's queue and rejects
   * with AbortError or TimeoutError; readers queued behind it that can now go are granted
   * in the same transaction (no wake-up is dropped). If the database granted the lock at
   * that moment, it is released again: never kept, never lost. If the session is lost
   * while waiting, it rejects with SessionLostError.
   */
  async write(options?: WaitOptions): Promise<WriteLock> {
    const checked = checkWaitOptions(options);
    const session = await this.db.session();
    const grant = await session.wait([this], false, checked);
    return new WriteLock(session, this.id, grant.wait, grant.fences[0]!, grant.abandoned);
  }

  /** A reader's share if it can be had now (no writer holds it, none is queued), else `null`. Never waits (one round trip). */
  tryRead(): Promise<ReadLock | null> {
    return orNull(this.read({ timeout: 0 }));
  }

  /** The writer's lock if nobody holds it now, else `null`. Never waits (one round trip). */
  tryWrite(): Promise<WriteLock | null> {
    return orNull(this.write({ timeout: 0 }));
  }

  /**
   * Runs `fn` as a reader: acquires with `options` as {@link RwLock.read}, calls
   * `fn(reading)` and gives the share back once `fn`'s result settles, returned or thrown.
   * Resolves with `fn`'s result; rejects with its error, or with the acquire's.
   *
   * Cancellation: `signal` and `timeout` bound the wait only (an abort while queued loses
   * the place and `fn` never runs). Once `fn` has started, an abort does not interrupt
   * it: pass the signal (or `reading.lost`) to `fn` if it can stop early.
   * @example
   * ```ts
   * const settings = await config.runRead(() => fetchSettings(), { timeout: 2_000 });
   * ```
   */
  runRead<T>(fn: (reading: ReadLock) => T | PromiseLike<T>, options?: WaitOptions): Promise<Awaited<T>> {
    return runHolding(() => this.read(options), fn);
  }

  /**
   * Runs `fn` as the writer: acquires with `options` as {@link RwLock.write}, calls
   * `fn(writing)` and releases once `fn`'s result settles, returned or thrown. Resolves
   * with `fn`'s result; rejects with its error, or with the acquire's.
   *
   * Cancellation: as {@link RwLock.runRead}'s; the lock is released however `fn` ends.
   * @example
   * ```ts
   * await config.runWrite((writing) => saveSettings(next, { fence: writing.fence, signal: writing.lost }));
   * ```
   */
  runWrite<T>(fn: (writing: WriteLock) => T | PromiseLike<T>, options?: WaitOptions): Promise<Awaited<T>> {
    return runHolding(() => this.write(options), fn);
  }
}

function orNull<T>(acquired: Promise<T>): Promise<T | null> {
  return acquired.catch((error: unknown) => {
    if ((error as { code?: string }).code === 'ERR_WAIT_TIMEOUT') return null;
    throw error;
  });
}
