/** The holdings of a reader-writer lock: a reader's share, a writer's lock. */
import { ERROR_NOT_OWNER, Win32Error } from '@waitables/common';
import { SessionLostError } from './errors.js';
import { Held } from './holding.js';
import type { Session } from './session.js';

/**
 * A reader's share of a reader-writer lock, held by one `read()` of this session; other
 * readers may hold it at the same time, no writer does. `await using` gives it back at
 * the end of the block.
 * @example
 * ```ts
 * {
 *   await using reading = await config.read({ timeout: 5000 });
 *   if (reading.abandoned) console.warn('a writer died while writing: check before trusting it');
 *   return load({ fence: reading.fence });
 * }
 * ```
 */
export class ReadLock extends Held {
  /** @internal */
  constructor(
    session: Session,
    objectId: string,
    grant: string,
    fence: number,
    /**
     * A writer's session ended while it held the lock, and no writer has held it since:
     * what it protects may be half-written. (Readers that die abandon nothing.)
     */
    readonly abandoned: boolean,
  ) {
    super(session, objectId, grant, fence);
  }

  /** Rejects with SessionLostError if the session that held it ended (the share went then). */
  override release(): Promise<void> {
    return super.release();
  }

  /** Gives the share back to the database (one transaction, which grants what the queue's head waits for). */
  protected giveBack(): Promise<void> {
    return this.session.engine.releaseRead(this.objectId, this.grant);
  }

  /** What `release()` rejects with once the share is lost: the share went with the session. */
  protected lostError(): Error {
    return new SessionLostError();
  }
}

/**
 * The writer's lock of a reader-writer lock, held by one `write()` of this session: no
 * other writer and no reader holds it meanwhile. `await using` releases it at the end of
 * the block.
 * @example
 * ```ts
 * {
 *   await using writing = await config.write({ signal });
 *   await store.put(next, { fence: writing.fence });
 * }
 * ```
 */
export class WriteLock extends Held {
  /** @internal */
  constructor(
    session: Session,
    objectId: string,
    grant: string,
    fence: number,
    /** The previous writer's session ended while it held the lock: what it protects may be half-written. */
    readonly abandoned: boolean,
  ) {
    super(session, objectId, grant, fence);
  }

  /** Rejects with Win32Error ERROR_NOT_OWNER if the lock was lost (the session ended). */
  override release(): Promise<void> {
    return super.release();
  }

  /** Releases the lock in the database (one transaction, which grants what the queue's head waits for). */
  protected giveBack(): Promise<void> {
    return this.session.engine.releaseWrite(this.objectId, this.grant);
  }

  /** What `release()` rejects with once the lock is lost: someone else may hold it now. */
  protected lostError(): Error {
    return new Win32Error(ERROR_NOT_OWNER, 'ReleaseSRWLockExclusive');
  }
}
