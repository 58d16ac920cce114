/**
 * The PostgreSQL engine: one `pg` connection per session. The same connection runs the
 * protocol's functions (one statement each, so one transaction each; `pg` queues them
 * in order) and LISTENs on the session's channel, so a grant is pushed to the waiting
 * process when the granting transaction commits. The connection's backend holds the
 * session's advisory lock: when the process dies or the connection is cut, the backend
 * ends and the lock with it, which is how the watchers of the sessions queued behind it
 * (`watcher.ts`), and every other session's reaper, see the end.
 */
import pg from 'pg';
import type {
  CreateRequest,
  Engine,
  EngineEvents,
  EngineSession,
  GrantReport,
  HolderState,
  ObjectKind,
  ObjectRef,
  ObjectState,
  WaitReply,
  WaiterState,
} from '../engine.js';
import { fail } from '../status.js';
import { migrate } from './migrate.js';
import { channelOf, ident, lockKey } from './sql-text.js';
import { Watcher } from './watcher.js';
import { Renewer } from './renewer.js';
import { checkSession } from './session-check.js';

export interface PgEngineOptions {
  readonly url: string;
  readonly schema: string;
  readonly lease: number;
  readonly label: string;
  /** Keep the server's synchronous_commit for transitions (else off: see ConnectOptions.durableCommits). */
  readonly durableCommits: boolean;
}

/** Parses a grant notification: `<wait> <index> <abandoned> <fence>[,<fence>...]`. */
export function parseGrant(payload: string): GrantReport {
  const [wait, index, abandoned, fences] = payload.split(' ');
  return { wait: wait!, index: Number(index), abandoned: abandoned === '1', fences: fences ? fences.split(',').map(Number) : [] };
}

export class PgEngine implements Engine {
  readonly key: number;
  #migrated = false;

  constructor(readonly options: PgEngineOptions) {
    this.key = lockKey(options.schema);
  }

  async open(events: EngineEvents): Promise<EngineSession> {
    const client = new pg.Client({ connectionString: this.options.url, keepAlive: true, application_name: 'waitables' });
    // Errors before the session exists are the caller's (connect rejects); after it, they end the session.
    const early = (error: unknown) => void error;
    client.on('error', early);
    try {
      await client.connect();
      // Before anything is written: refused behind a pooler that does not keep sessions.
      await checkSession(client, this.options.url);
      // A host that vanishes without closing its socket: the server gives up on it after about 15 s.
      await client.query('set tcp_keepalives_idle = 5; set tcp_keepalives_interval = 2; set tcp_keepalives_count = 5');
      // A crash ends every session, and the epoch (always committed durably) keeps fences
      // unique: a transition need not wait for the disk (ConnectOptions.durableCommits).
      if (!this.options.durableCommits) await client.query('set synchronous_commit = off');
      if (!this.#migrated) {
        await migrate(client, this.options.schema, this.key);
        this.#migrated = true;
      }
      const s = ident(this.options.schema);
      const { rows } = await client.query<{ id: number }>(`select ${s}.open_session($1, $2) as id`, [
        this.options.lease,
        this.options.label,
      ]);
      const id = rows[0]!.id;
      await client.query(`listen ${ident(channelOf(this.key, id))}`);
      const session = new PgSession(client, s, id, events, new Watcher(this.options.url, s, id), new Renewer(this.options.url, s, id));
      client.off('error', early);
      session.keepAlive(false);
      // Ended sessions of earlier processes (or of a server restart) are cleaned up at once.
      await session.reap();
      return session;
    } catch (error) {
      client.off('error', early);
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
      throw error;
    }
  }
}

class PgSession implements EngineSession {
  #ended = false;
  /** Statements run one after another on the connection (pg 9 no longer queues them itself). */
  #tail: Promise<unknown> = Promise.resolve();
  #running = 0;
  #wanted = false;

  constructor(
    readonly client: pg.Client,
    readonly s: string,
    readonly id: number,
    readonly events: EngineEvents,
    readonly watcher: Watcher,
    readonly renewer: Renewer,
  ) {
    client.on('notification', (message) => {
      if (message.payload) events.onGrant(parseGrant(message.payload));
    });
    client.on('error', (error) => this.#lose(error));
    client.on('end', () => this.#lose(new Error('the connection to the database ended')));
  }

  #lose(cause: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.watcher.close();
    this.renewer.close();
    this.events.onLost(cause);
  }

  /** `name`: a prepared statement of this connection (parsed and planned once). */
  #query<R extends pg.QueryResultRow>(text: string, args: unknown[] = [], name?: string): Promise<pg.QueryResult<R>> {
    this.#running += 1;
    this.#ref();
    const result = this.#tail.then(() => this.client.query<R>(name === undefined ? { text, values: args } : { name, text, values: args }));
    this.#tail = result.catch(() => undefined);
    const done = () => {
      this.#running -= 1;
      this.#ref();
    };
    result.then(done, done);
    return result;
  }

  keepAlive(wanted: boolean): void {
    this.#wanted = wanted;
    this.#ref();
  }

  /** The socket keeps the process alive only while a statement runs or a wait wants it. */
  #socket(): { ref?(): void; unref?(): void } | undefined {
    return (this.client as unknown as { connection?: { stream?: { ref?(): void; unref?(): void } } }).connection?.stream;
  }

  #ref(): void {
    const socket = this.#socket();
    if (this.#ended || !socket) return;
    if (this.#running > 0 || this.#wanted) socket.ref?.();
    else socket.unref?.();
  }

  async #call<R extends pg.QueryResultRow>(fn: string, args: unknown[]): Promise<R> {
    const { rows } = await this.#query<R>(statement(this.s, fn, args.length), args, `${fn}/${args.length}`);
    return rows[0]!;
  }

  /**
   * A transition that may touch several objects: first with the object's row lock only;
   * if a multi-object wait turned up there meanwhile (status -2, nothing changed), once
   * more under the schema lock (`protocol.ts`).
   */
  async #transition<R extends pg.QueryResultRow>(fn: string, args: unknown[]): Promise<R> {
    const row = await this.#call<R>(fn, [...args, false]);
    return scalar(row) === RETRY ? this.#call<R>(fn, [...args, true]) : row;
  }

  async create(r: CreateRequest): Promise<ObjectRef> {
    const row = await this.#call<{
      r_status: number;
      r_id: string;
      r_existed: boolean;
      r_manual: boolean;
      r_grant: string | null;
      r_fence: string | null;
    }>('create_object', [this.id, r.name, r.kind, r.count, r.maximum, r.manualReset, r.initialOwner]);
    if (row.r_status !== 0) fail(row.r_status, createName(r.kind));
    return {
      id: row.r_id,
      existed: row.r_existed,
      manualReset: row.r_manual,
      initial: row.r_grant === null ? null : { grant: row.r_grant, fence: Number(row.r_fence) },
    };
  }

  async open(kind: ObjectKind, name: string): Promise<ObjectRef> {
    const row = await this.#call<{ r_status: number; r_id: string; r_manual: boolean }>('open_object', [name, kind]);
    if (row.r_status !== 0) fail(row.r_status, `Open${kindName(kind)}`);
    return { id: row.r_id, existed: true, manualReset: row.r_manual, initial: null };
  }

  async remove(name: string): Promise<boolean> {
    const status = scalar<number>(await this.#call('remove_object', [name]));
    if (status === 2) return false;
    if (status !== 0) fail(status, 'RemoveObject');
    return true;
  }

  async wait(ids: readonly string[], all: boolean, enqueue: boolean, shared: boolean): Promise<WaitReply> {
    const row = await this.#transition<{
      r_status: number;
      r_wait: string | null;
      r_index: number | null;
      r_abandoned: boolean | null;
      r_fences: string[] | null;
    }>('wait', [this.id, ids, all, shared, enqueue]);
    if (row.r_status !== 0) fail(row.r_status, 'WaitForMultipleObjects');
    if (row.r_index !== null) {
      return {
        kind: 'granted',
        grant: { wait: row.r_wait!, index: row.r_index, abandoned: row.r_abandoned === true, fences: (row.r_fences ?? []).map(Number) },
      };
    }
    if (row.r_wait === null) return { kind: 'unavailable' };
    // Queued behind someone: the watcher learns at once if that someone dies.
    this.watcher.poke();
    return { kind: 'queued', wait: row.r_wait };
  }

  async cancel(wait: string): Promise<boolean> {
    return scalar<number>(await this.#transition('cancel_wait', [this.id, wait])) === 1;
  }

  async releaseMutex(id: string, grant: string): Promise<void> {
    const status = scalar<number>(await this.#transition('release_mutex', [this.id, id, grant]));
    if (status !== 0) fail(status, 'ReleaseMutex');
  }

  async releasePermit(id: string, grant: string): Promise<void> {
    const status = scalar<number>(await this.#transition('release_permit', [this.id, id, grant]));
    if (status !== 0) fail(status, 'ReleaseSemaphore');
  }

  /** The writer's release is a mutex's (`release_mutex` takes both kinds). */
  async releaseWrite(id: string, grant: string): Promise<void> {
    const status = scalar<number>(await this.#transition('release_mutex', [this.id, id, grant]));
    if (status !== 0) fail(status, 'ReleaseSRWLockExclusive');
  }

  async releaseRead(id: string, grant: string): Promise<void> {
    const status = scalar<number>(await this.#transition('release_shared', [this.id, id, grant]));
    if (status !== 0) fail(status, 'ReleaseSRWLockShared');
  }

  async releaseSemaphore(id: string, count: number): Promise<number> {
    const row = await this.#transition<{ r_status: number; r_previous: number }>('release_semaphore', [id, count]);
    if (row.r_status !== 0) fail(row.r_status, 'ReleaseSemaphore');
    return row.r_previous;
  }

  async signalEvent(id: string, op: 'set' | 'reset' | 'pulse'): Promise<void> {
    const status = scalar<number>(await this.#transition('signal_event', [id, op]));
    if (status !== 0) fail(status, `${op[0]!.toUpperCase()}${op.slice(1)}Event`);
  }

  async reap(): Promise<number> {
    return scalar<number>(await this.#call('reap', []));
  }

  /** On a connection of its own: never behind a transition that waits in the server. */
  async renew(lease: number): Promise<boolean> {
    if (this.#ended) throw new Error('the session has ended');
    return this.renewer.renew(lease);
  }

  async list(): Promise<ObjectState[]> {
    const { rows } = await this.#query<InspectRow>(`select * from ${this.s}.inspect()`);
    return rows.map((r) => ({
      name: r.name,
      kind: r.kind,
      count: r.count,
      maximum: r.maximum,
      manualReset: r.manual_reset,
      ownerSession: r.owner_session,
      abandoned: r.abandoned,
      fence: Number(r.fence),
      waiters: Number(r.waiters),
      permitsHeld: Number(r.permits_held),
      holders: r.holders,
      queue: r.queue,
    }));
  }

  async close(): Promise<void> {
    try {
      if (!this.#ended) await this.#call('close_session', [this.id]);
    } finally {
      this.#ended = true;
      this.watcher.close();
      this.renewer.close();
      // The goodbye must complete even when nothing else keeps the process alive.
      this.#socket()?.ref?.();
      await this.client.end().catch(() => undefined);
    }
  }

  destroy(): void {
    this.#ended = true;
    this.watcher.close();
    this.renewer.close();
    this.client.on('error', () => undefined);
    // Not end(): a crash does not release anything, it only drops the connection.
    (this.client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  }
}

interface InspectRow {
  name: string;
  kind: ObjectKind;
  count: number;
  maximum: number;
  manual_reset: boolean;
  owner_session: number | null;
  abandoned: boolean;
  fence: string;
  waiters: string;
  permits_held: string;
  holders: HolderState[];
  queue: WaiterState[];
}

const statements = new Map<string, string>();

/** The text of a call of a protocol function (the same text each time, as a prepared statement must be). */
function statement(schema: string, fn: string, arity: number): string {
  const key = `${schema}.${fn}/${arity}`;
  let text = statements.get(key);
  if (text === undefined) {
    const params = Array.from({ length: arity }, (_, i) => `$${i + 1}`).join(', ');
    text = `select * from ${schema}.${fn}(${params})`;
    statements.set(key, text);
  }
  return text;
}

/** A transition's status: repeat it under the schema lock. */
const RETRY = -2;

function scalar<T>(row: object): T {
  return Object.values(row)[0] as T;
}

function kindName(kind: ObjectKind): string {
  return { mutex: 'Mutex', semaphore: 'Semaphore', event: 'Event', rwlock: 'RwLock' }[kind];
}

function createName(kind: ObjectKind): string {
  return `Create${kindName(kind)}`;
}
