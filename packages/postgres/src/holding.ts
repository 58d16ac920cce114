/** Locks and permits: what a grant hands to the program, until released or lost. */
import { refuseCloning } from '@waitables/common';
import { ERROR_NOT_OWNER, Win32Error } from '@waitables/common';
import { SessionLostError } from './errors.js';
import type { Holding, Session } from './session.js';

/** @internal What every holding has: its fence, its `lost` signal, its release. */
export abstract class Held implements Holding, Disposable, AsyncDisposable {
  #released = false;
  #lost: unknown = null;
  readonly #lostController = new AbortController();

  /** @internal */
  constructor(
    /** @internal */ readonly session: Session,
    /** @internal */ readonly objectId: string,
    /** @internal */ readonly grant: string,
    /**
     * The fencing token of this grant: larger than every token handed out before for this
     * object. Pass it to the resource you protect and have it refuse smaller ones, so that
     * a holder that lost its session (and does not know it yet) cannot act.
     */
    readonly fence: number,
  ) {
    refuseCloning(
      this,
      `a ${new.target.name} cannot be cloned or sent to another thread or process (its session holds it): release it here and acquire it there`,
    );
    session.hold(this);
  }

  /**
   * Fires when the session that holds this is lost (connection cut, server restart,
   * lease not renewed): from then on, another process may hold it. `reason` is a
   * SessionLostError. Never fires after a release.
   */
  get lost(): AbortSignal {
    return this.#lostController.signal;
  }

  /** `release()` was called (whether or not the database still had it). */
  get released(): boolean {
    return this.#released;
  }

  /** @internal */
  lose(cause: unknown): void {
    if (this.#released || this.#lost !== null) return;
    this.#lost = cause;
    this.#lostController.abort(new SessionLostError({ cause }));
  }

  /**
   * Gives it back (one database transaction, handing it to the oldest waiter). A second
   * call resolves at once. The returned promise may be ignored: a failure is then not
   * an unhandled rejection.
   */
  release(): Promise<void> {
    if (this.#released) return Promise.resolve();
    this.#released = true;
    this.session.unhold(this);
    const done = this.#lost !== null ? Promise.reject(this.lostError()) : this.giveBack();
    done.catch(() => undefined);
    return done;
  }

  protected abstract giveBack(): Promise<void>;
  protected abstract lostError(): Error;

  /** `using`: starts the release without waiting for it (a failure is not an unhandled rejection). */
  [Symbol.dispose](): void {
    void this.release();
  }

  /** `await using`: the release, awaited at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}

/**
 * Ownership of a mutex by one `acquire()` of this session. `await using` releases it at
 * the end of the block.
 * @example
 * ```ts
 * {
 *   await using lock = await mutex.acquire({ timeout: 5000 });
 *   await storage.write(data, { fence: lock.fence });
 * }
 * ```
 */
export class Lock extends Held {
  /** @internal */
  constructor(
    session: Session,
    objectId: string,
    grant: string,
    fence: number,
    /** The previous owner's session ended while owning the mutex: what it protects may be inconsistent. */
    readonly abandoned: boolean,
  ) {
    super(session, objectId, grant, fence);
  }

  /**
   * Gives the mutex up, to the oldest waiter across every process, in one transaction.
   * A second call resolves at once. Rejects with Win32Error ERROR_NOT_OWNER if the
   * lock was lost before (its {@link lost} signal fired: another process may own the
   * mutex now), with SessionLostError if the session turned out to have ended when the
   * release reached the database, or with the connection's error. The returned promise
   * may be ignored: a failure is then not an unhandled rejection.
   * @example
   * ```ts
   * const lock = await device.acquire();
   * try { await useDevice(lock.fence); } finally { await lock.release(); }
   * ```
   */
  override release(): Promise<void> {
    return super.release();
  }

  /** @internal */
  protected giveBack(): Promise<void> {
    return this.session.engine.releaseMutex(this.objectId, this.grant);
  }

  /** @internal */
  protected lostError(): Error {
    return new Win32Error(ERROR_NOT_OWNER, 'ReleaseMutex');
  }
}

/**
 * One unit of a semaphore held by this session. `using`/`await using` gives it back at
 * the end of the block.
 * @example
 * ```ts
 * {
 *   await using permit = await slots.acquire();
 *   await encode(file);
 * }
 * ```
 */
export class Permit extends Held {
  /**
   * Gives the unit back, to the oldest waiter across every process, in one transaction.
   * A second call resolves at once. Rejects with SessionLostError if the session that
   * held it ended (the unit came back to the semaphore then), with Win32Error
   * ERROR_TOO_MANY_POSTS if `release(count)` filled the semaphore meanwhile (the unit is
   * dropped), or with the connection's error. The returned promise may be ignored: a
   * failure is then not an unhandled rejection.
   * @example
   * ```ts
   * const permit = await slots.acquire();
   * try { await encode(file); } finally { await permit.release(); }
   * ```
   */
  override release(): Promise<void> {
    return super.release();
  }

  /** @internal */
  protected giveBack(): Promise<void> {
    return this.session.engine.releasePermit(this.objectId, this.grant);
  }

  /** @internal */
  protected lostError(): Error {
    return new SessionLostError();
  }
}
