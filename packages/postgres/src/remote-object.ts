/**
 * What every object of a database has: its name, its row, and the database it lives in.
 * @example
 * ```ts
 * const objects: RemoteObject[] = [await db.Mutex.open('a'), await db.Event.open('go')];
 * await waitAll(objects);
 * ```
 */
import type { Database } from './database.js';
import type { ObjectKind } from './engine.js';
import type { Target } from './session.js';

/**
 * What every object of a database has (`Mutex`, `Semaphore`, `Event`, `RwLock`): its
 * name, its kind, and the database it lives in. The type to accept "any object of a
 * database", as {@link waitAny} and {@link waitAll} do.
 * @example
 * ```ts
 * function describe(object: RemoteObject): string {
 *   return `${object.kind} ${object.name}${object.existed ? ' (opened)' : ''}`;
 * }
 * ```
 */
export abstract class RemoteObject implements Target {
  /** `'mutex'`, `'semaphore'`, `'event'` or `'rwlock'`: which class it is, for code that gets a `RemoteObject`. */
  abstract readonly kind: ObjectKind;

  /** @internal */
  constructor(
    /** The database (connection) this object was created or opened through. */
    readonly db: Database,
    /** Its name in the database. */
    readonly name: string,
    /** @internal Its row id. */
    readonly id: string,
    /** `create()` found it already there (ERROR_ALREADY_EXISTS in Win32 terms); `open()` says true. */
    readonly existed: boolean,
    /** @internal Events: manual-reset. */
    readonly manualReset: boolean,
  ) {}
}
