/**
 * The contract between the awaitable objects and a database engine. The objects, the
 * wait bookkeeping, leases and lost-lock signals (`session.ts`) are engine-neutral; an
 * engine (PostgreSQL in `pg/`, and later others such as etcd) only has to provide these
 * transitions, each atomic, with these guarantees:
 *
 * - `wait` grants at once what can be taken (the lowest index for wait-any, everything
 *   for wait-all), or queues the wait in FIFO order on each of its objects; a reader-writer
 *   lock's queue is strictly FIFO (nobody overtakes its head: a reader behind a queued
 *   writer waits), and taking a wait out of it grants what its head held back;
 * - a later transition that makes a queued wait satisfiable grants it in the same
 *   atomic step, removes it from every queue, and reports the grant to the waiting
 *   session through `onGrant` (pushed, not polled);
 * - a session ends when its process dies or its connection is cut; `reap` (run by any
 *   session) ends such sessions: their mutexes are abandoned to the next waiter, their
 *   semaphore units and readers' shares come back (a writer's lock is abandoned), their
 *   waits go. The engine reports the end of its own
 *   session through `onLost`;
 * - failures are `Win32Error`s with the local backends' codes, or `SessionLostError`.
 */

/** The kinds of object a database holds, as {@link ObjectState.kind} and `RemoteObject.kind` name them. */
export type ObjectKind = 'mutex' | 'semaphore' | 'event' | 'rwlock';

/** A grant of a wait: which object (wait-any) or all (wait-all, index 0), and the fencing tokens. */
export interface GrantReport {
  /** The wait's id, which is also the grant's id (a mutex's owner, a unit's holder). */
  readonly wait: string;
  /** Wait-any: the index of the object granted, the lowest that could be taken; wait-all: 0. */
  readonly index: number;
  /** A mutex among those taken had been abandoned by its previous owner's session (a reader-writer lock: by a writer's, and no writer has held it since). */
  readonly abandoned: boolean;
  /** Per object taken (one for wait-any, each for wait-all, in order): the object's new fencing token. */
  readonly fences: readonly number[];
}

export type WaitReply =
  | { readonly kind: 'granted'; readonly grant: GrantReport }
  | { readonly kind: 'queued'; readonly wait: string }
  | { readonly kind: 'unavailable' };

export interface CreateRequest {
  readonly kind: ObjectKind;
  readonly name: string;
  /** Semaphore: initial count; event: 1 if initially set. */
  readonly count: number;
  readonly maximum: number;
  readonly manualReset: boolean;
  /** Mutex: take ownership if it is created now. */
  readonly initialOwner: boolean;
}

export interface ObjectRef {
  readonly id: string;
  readonly existed: boolean;
  readonly manualReset: boolean;
  /** The grant of the initial ownership of a new mutex created with `initialOwner`. */
  readonly initial: { readonly grant: string; readonly fence: number } | null;
}

/** Who holds an object, as `db.list()` shows it. */
export interface HolderState {
  /** The session (`db.sessionId` of its process) that holds it. */
  readonly session: number;
  /** A semaphore unit or a reader's share (others may hold it too); false: a mutex's owner or a writer. */
  readonly shared: boolean;
  /** Milliseconds since it was granted (the server's clock). */
  readonly heldMs: number;
}

/** A wait queued on an object, as `db.list()` shows it (in FIFO order). */
export interface WaiterState {
  /** The session (`db.sessionId` of its process) that waits. */
  readonly session: number;
  /** A reader's wait on a reader-writer lock. */
  readonly shared: boolean;
  /** Milliseconds since it was queued (the server's clock). */
  readonly waitedMs: number;
  /** How many objects the wait is on (more than 1 for a wait-any or wait-all). */
  readonly objects: number;
}

/** One object's state, as listed by `db.list()`. */
export interface ObjectState {
  /** Its name in the database. */
  readonly name: string;
  /** What kind of object it is. */
  readonly kind: ObjectKind;
  /** Semaphore: units available; event: 1 if set, else 0; reader-writer lock: readers holding it; mutex: 0. */
  readonly count: number;
  /** Semaphore: its maximum count; 1 for the other kinds. */
  readonly maximum: number;
  /** Event: manual-reset (false: auto-reset); false for the other kinds. */
  readonly manualReset: boolean;
  /** Mutex: the session id that owns it; reader-writer lock: the writer's; or null. */
  readonly ownerSession: number | null;
  /** Mutex: the next grant will report abandoned; reader-writer lock: the grants until the next writer's will. */
  readonly abandoned: boolean;
  /** The latest fencing token. */
  readonly fence: number;
  /** Waits queued on it. */
  readonly waiters: number;
  /** Semaphore: units held as permits; reader-writer lock: readers. */
  readonly permitsHeld: number;
  /** Who holds it, and for how long: the owner or writer first, then units or readers, oldest first. */
  readonly holders: readonly HolderState[];
  /** The waits queued on it, oldest first, and for how long. */
  readonly queue: readonly WaiterState[];
}

/**
 * One session of an engine: a process's connection, with its own identity as an owner.
 * @internal The engines' contract, not an API: `connect()` chooses the engine from the URL.
 */
export interface EngineSession {
  /** The session's number: the owner and holder id `db.list()` shows, and `db.sessionId`. */
  readonly id: number;
  /** Creates the object, or opens the one of that name (another kind: ERROR_INVALID_HANDLE). */
  create(request: CreateRequest): Promise<ObjectRef>;
  /** Opens the object of that name (none: ERROR_FILE_NOT_FOUND; another kind: ERROR_INVALID_HANDLE). */
  open(kind: ObjectKind, name: string): Promise<ObjectRef>;
  /** Removes the object of that name: false if there is none; ERROR_ACCESS_DENIED while it is held or waited for. */
  remove(name: string): Promise<boolean>;
  /** `shared`: a reader's wait on one reader-writer lock (false for every other wait). */
  wait(ids: readonly string[], all: boolean, enqueue: boolean, shared: boolean): Promise<WaitReply>;
  /** True if the wait was still queued (now removed); false if it was granted already. */
  cancel(wait: string): Promise<boolean>;
  /** Gives a mutex back for that grant; not its owner (any more): ERROR_NOT_OWNER. */
  releaseMutex(id: string, grant: string): Promise<void>;
  /** Gives a permit's unit back; not held (its session ended): SessionLostError; the semaphore full: ERROR_TOO_MANY_POSTS. */
  releasePermit(id: string, grant: string): Promise<void>;
  /** A reader-writer lock's writer lets go (abandoned locks are cleared by this grant's take, not here). */
  releaseWrite(id: string, grant: string): Promise<void>;
  /** A reader-writer lock's reader gives its share back. */
  releaseRead(id: string, grant: string): Promise<void>;
  /** ReleaseSemaphore: the count before. */
  releaseSemaphore(id: string, count: number): Promise<number>;
  /** SetEvent, ResetEvent or PulseEvent, granting the waits it satisfies in the same step. */
  signalEvent(id: string, op: 'set' | 'reset' | 'pulse'): Promise<void>;
  /** Ends the sessions that are gone; returns how many. */
  reap(): Promise<number>;
  /** Renews this session's lease; false if the session no longer exists. */
  renew(lease: number): Promise<boolean>;
  /** Every object with its holders and queue, as `db.list()` returns them. */
  list(): Promise<ObjectState[]>;
  /** A clean end: what the session owns is released (not abandoned), then the connection closes. */
  close(): Promise<void>;
  /**
   * Whether the connection should keep the process alive while no statement runs
   * (pending waits with `ref`). An idle session never does.
   */
  keepAlive(wanted: boolean): void;
  /** Drops the connection without releasing anything (what a crash does). */
  destroy(): void;
}

/**
 * What an engine reports to a session, pushed as it happens.
 * @internal The engines' contract, not an API.
 */
export interface EngineEvents {
  /** A wait this session queued was granted (in the transaction of another session's transition). */
  onGrant(grant: GrantReport): void;
  /** The session ended without `close()` (connection cut, lease expired, ended by another): what it held is gone. */
  onLost(cause: unknown): void;
}

/**
 * Opens sessions of one database.
 * @internal The engines' contract, not an API: `connect()` chooses the engine from the URL.
 */
export interface Engine {
  /** Opens a new session that reports to `events`. */
  open(events: EngineEvents): Promise<EngineSession>;
}
