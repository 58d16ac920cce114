/**
 * `@waitables/postgres`: the awaitable mutexes, semaphores and events of
 * `@waitables/async`, and reader-writer locks, shared by processes on many hosts through a PostgreSQL database.
 *
 * Aborts and timeouts reject with AbortError and TimeoutError, object errors are
 * Win32Error: the classes of `@waitables/common`, which `@waitables/async` and
 * `@waitables/core` export too (`instanceof` holds whichever package they come from).
 * No native code: it installs on any platform Node and `pg` run on.
 * @packageDocumentation
 */
export { connect } from './connect.js';
export { Database, type ObjectFactory } from './database.js';
export type { ConnectOptions, WaitOptions } from './options.js';
export { Mutex, type MutexOptions } from './mutex.js';
export { Semaphore, type SemaphoreOptions } from './semaphore.js';
export { Event, type EventOptions } from './event.js';
export { RwLock, type RwLockOptions } from './rwlock.js';
export { ReadLock, WriteLock } from './rwlock-holding.js';
export { Lock, Permit } from './holding.js';
export { RemoteObject } from './remote-object.js';
export { waitAny, waitAll, type WaitAnyResult, type WaitAllResult } from './wait.js';
export { SessionLostError, DatabaseClosedError, SessionPoolingError } from './errors.js';
export { SchemaVersionError, SCHEMA_VERSION } from './pg/migrate.js';
export { MemoryStore } from './memory/store.js';
export type { Engine, EngineSession, EngineEvents, ObjectState, HolderState, WaiterState, ObjectKind, GrantReport } from './engine.js';
export { AbortError, TimeoutError } from '@waitables/common';
