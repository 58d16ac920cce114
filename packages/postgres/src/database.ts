/** A connection to one database's objects: what `connect()` returns. */
import type { Engine, ObjectState } from './engine.js';
import { DatabaseClosedError } from './errors.js';
import { Event, type EventOptions } from './event.js';
import { Mutex, type MutexOptions } from './mutex.js';
import { checkName, type CheckedConnectOptions, type WaitOptions } from './options.js';
import { RwLock, type RwLockOptions } from './rwlock.js';
import { Semaphore, type SemaphoreOptions } from './semaphore.js';
import { Session } from './session.js';
import { waitAll, waitAny, type WaitAllResult, type WaitAnyResult } from './wait.js';
import type { RemoteObject } from './remote-object.js';

/** `create()` and `open()` of one kind of object, as the classes of `@waitables/async` have them. */
export interface ObjectFactory<T, O> {
  /** Creates the named object, or opens it if it exists (`existed: true`; its creation options are then ignored). */
  create(options: O): Promise<T>;
  /** Opens an existing object: Win32Error ERROR_FILE_NOT_FOUND if there is none, ERROR_INVALID_HANDLE if it is of another kind. */
  open(name: string): Promise<T>;
}

/**
 * The objects of one database, seen through one session (one connection) of this
 * process. A session that is lost (connection cut, server restart) is replaced by a new
 * one at the next operation; what the old one held is reported through `lost` signals.
 * @example
 * ```ts
 * await using db = await connect('postgres://app@db.internal/app');
 * const jobs = await db.Semaphore.create({ name: 'jobs', initialCount: 4, maximumCount: 4 });
 * ```
 */
export class Database implements AsyncDisposable {
  /**
   * Mutexes of this database: `create({ name, initialOwner })` creates one or opens the
   * existing one (`existed: true`, and no initial ownership then); `open(name)` opens an
   * existing one (none: Win32Error ERROR_FILE_NOT_FOUND).
   * Rejects with InvalidArgumentTypeError / ArgumentOutOfRangeError for bad options
   * (naming `options.<field>`), Win32Error ERROR_INVALID_HANDLE if the name belongs to
   * an object of another kind, SessionLostError if the session ended on the way,
   * DatabaseClosedError after `db.close()`.
   * @example
   * ```ts
   * const device = await db.Mutex.create({ name: 'device' });
   * ```
   */
  readonly Mutex: ObjectFactory<Mutex, MutexOptions> = {
    create: (options) => Mutex.create(this, options),
    open: (name) => Mutex.open(this, name),
  };
  /**
   * Semaphores of this database: `create({ name, initialCount, maximumCount })` creates
   * one or opens the existing one (`existed: true`, its counts unchanged); `open(name)`
   * opens an existing one (none: Win32Error ERROR_FILE_NOT_FOUND). `initialCount`
   * defaults to 0; `maximumCount` is 1 to 2147483647 and at least `initialCount`.
   * Rejects with InvalidArgumentTypeError / ArgumentOutOfRangeError for bad options
   * (naming `options.<field>`), Win32Error ERROR_INVALID_HANDLE if the name belongs to
   * an object of another kind, SessionLostError if the session ended on the way,
   * DatabaseClosedError after `db.close()`.
   * @example
   * ```ts
   * const jobs = await db.Semaphore.create({ name: 'jobs', initialCount: 4, maximumCount: 4 });
   * await using permit = await jobs.acquire();
   * ```
   */
  readonly Semaphore: ObjectFactory<Semaphore, SemaphoreOptions> = {
    create: (options) => Semaphore.create(this, options),
    open: (name) => Semaphore.open(this, name),
  };
  /**
   * Events of this database: `create({ name, manualReset, initialState })` creates one
   * (auto-reset and unset by default) or opens the existing one (`existed: true`, as it
   * is); `open(name)` opens an existing one (none: Win32Error ERROR_FILE_NOT_FOUND).
   * `create()` without options rejects: an event needs a name.
   * Rejects with InvalidArgumentTypeError / ArgumentOutOfRangeError for bad options
   * (naming `options.<field>`), Win32Error ERROR_INVALID_HANDLE if the name belongs to
   * an object of another kind, SessionLostError if the session ended on the way,
   * DatabaseClosedError after `db.close()`.
   * @example
   * ```ts
   * const ready = await db.Event.create({ name: 'config-ready', manualReset: true });
   * await ready.set();
   * ```
   */
  readonly Event: ObjectFactory<Event, EventOptions> = {
    create: (options = { name: '' }) => Event.create(this, options),
    open: (name) => Event.open(this, name),
  };
  /** Reader-writer locks: see {@link RwLock}. */
  readonly RwLock: ObjectFactory<RwLock, RwLockOptions> = {
    create: (options) => RwLock.create(this, options),
    open: (name) => RwLock.open(this, name),
  };

  #current: Promise<Session> | null = null;
  #live: Session | null = null;
  #closed = false;

  /** @internal */
  constructor(
    /** @internal */ readonly engine: Engine,
    /** The options `connect()` was given, checked, with every default filled in. */
    readonly options: CheckedConnectOptions,
  ) {}

  /** @internal The live session, opened (again) if needed. */
  session(): Promise<Session> {
    if (this.#closed) return Promise.reject(new DatabaseClosedError());
    this.#current ??= this.#open();
    return this.#current;
  }

  async #open(): Promise<Session> {
    const session = new Session(this.options, (ended) => {
      if (this.#live === ended) {
        this.#live = null;
        this.#current = null;
      }
    });
    try {
      session.start(await this.engine.open(session));
    } catch (error) {
      this.#current = null;
      throw error;
    }
    this.#live = session;
    return session;
  }

  /** The id of the current session (as `db.list()` shows owners), or null between sessions. */
  get sessionId(): number | null {
    return this.#live?.engine.id ?? null;
  }

  /** See {@link waitAny}. */
  waitAny<T extends RemoteObject>(objects: readonly T[], options?: WaitOptions): Promise<WaitAnyResult<T>> {
    return waitAny(objects, options);
  }

  /** See {@link waitAll}. */
  waitAll(objects: readonly RemoteObject[], options?: WaitOptions): Promise<WaitAllResult> {
    return waitAll(objects, options);
  }

  /** Every object with its state, its holders and its queue (each with its age), for listings (`waitables ls`). */
  async list(): Promise<ObjectState[]> {
    return (await this.session()).engine.list();
  }

  /**
   * Removes a named object. Resolves false if there is none; rejects with Win32Error
   * ERROR_ACCESS_DENIED while it is owned, held or waited for.
   */
  async remove(name: string): Promise<boolean> {
    const checked = checkName(name, 'name');
    return (await this.session()).engine.remove(checked);
  }

  /** Ends the sessions that are gone now, instead of at the next periodic check. Resolves to how many. */
  async reap(): Promise<number> {
    return (await this.session()).engine.reap();
  }

  /**
   * Closes the connection cleanly: pending waits reject with DatabaseClosedError, and
   * every lock and permit still held is released (not abandoned) first.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const current = this.#current;
    this.#current = null;
    const session = await current?.catch(() => null);
    await session?.close();
  }

  /** `await using db = await connect(...)`: {@link close} at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
