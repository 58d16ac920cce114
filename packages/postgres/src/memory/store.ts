/**
 * The in-process engine's state and transitions: the same protocol as
 * `../pg/protocol.ts`, on plain maps, for tests of programs that use this package
 * (`connect('memory:<name>')`). Every transition runs synchronously, so each is atomic;
 * grants are reported on a later microtask, as a notification arrives after its commit.
 *
 * Reader-writer locks as there: the writer is the owner, readers' shares are permits,
 * `count` counts the readers, and the queue is strictly FIFO.
 *
 * Lifetimes: a store lives as long as the process (one per name); sessions leave it on
 * close() or `endSession()`, waits when granted, cancelled or their session ends.
 */
import { ERROR_ACCESS_DENIED, ERROR_FILE_NOT_FOUND, ERROR_INVALID_HANDLE, ERROR_NOT_OWNER, ERROR_TOO_MANY_POSTS } from '@waitables/common';
import type { CreateRequest, EngineEvents, GrantReport, ObjectKind, ObjectState } from '../engine.js';
import { SESSION_GONE } from '../status.js';

interface Obj {
  readonly id: string;
  readonly name: string;
  readonly kind: ObjectKind;
  count: number;
  readonly maximum: number;
  readonly manualReset: boolean;
  ownerGrant: string | null;
  ownerSession: number | null;
  /** When the owner was granted it (ms, `Date.now()`), for `list()`. */
  ownerSince: number;
  abandoned: boolean;
  fence: number;
}

interface Wait {
  readonly id: string;
  readonly session: number;
  readonly all: boolean;
  /** A reader's wait on a reader-writer lock. */
  readonly shared: boolean;
  readonly objects: readonly string[];
  readonly queuedAt: number;
}

interface Permit {
  readonly grant: string;
  readonly object: string;
  readonly session: number;
  readonly since: number;
}

const stores = new Map<string, MemoryStore>();

/**
 * The objects of one `memory:<name>` in this process.
 * @example
 * ```ts
 * const db = await connect('memory:test');
 * // Make the session end as if its process had died: its mutexes are abandoned.
 * MemoryStore.named('test').endSession(db.sessionId!, true);
 * ```
 */
export class MemoryStore {
  readonly #objects = new Map<string, Obj>();
  readonly #byName = new Map<string, Obj>();
  /** Insertion order is id order: FIFO. */
  readonly #waits = new Map<string, Wait>();
  readonly #permits: Permit[] = [];
  readonly #sessions = new Map<number, EngineEvents>();
  #nextId = 1;
  #nextSession = 1;

  /** The store of a name, made on first use. */
  static named(name: string): MemoryStore {
    let store = stores.get(name);
    if (!store) stores.set(name, (store = new MemoryStore()));
    return store;
  }

  /** @internal Registers a session; returns its id (the in-process engine's transition, called by `memory/engine.ts`). */
  openSession(events: EngineEvents): number {
    const id = this.#nextSession++;
    this.#sessions.set(id, events);
    return id;
  }

  /**
   * Ends a session as its death would (`abandon`: its mutexes are abandoned, its units
   * come back, its waits go, and its holdings' `lost` signals fire) or as a clean close
   * (released, no signal). `session` is `db.sessionId`; an unknown or ended one is ignored.
   */
  endSession(session: number, abandon: boolean): void {
    if (!this.#sessions.has(session)) return;
    const waitedFor = new Set<string>();
    for (const [id, w] of this.#waits) {
      if (w.session !== session) continue;
      this.#waits.delete(id);
      for (const o of w.objects) waitedFor.add(o);
    }
    for (const o of this.#objects.values()) {
      if (o.ownerSession !== session) continue;
      o.ownerGrant = null;
      o.ownerSession = null;
      o.abandoned = abandon;
      this.#satisfy(o);
    }
    for (const p of this.#permits.filter((p) => p.session === session)) {
      this.#permits.splice(this.#permits.indexOf(p), 1);
      const o = this.#objects.get(p.object)!;
      // A reader's share goes; a unit comes back (dropped if release(count) filled the semaphore).
      o.count = o.kind === 'rwlock' ? o.count - 1 : Math.min(o.maximum, o.count + 1);
      this.#satisfy(o);
    }
    // A writer of the session queued at the head may have held readers back.
    for (const id of waitedFor) this.#satisfy(this.#objects.get(id)!);
    const events = this.#sessions.get(session);
    this.#sessions.delete(session);
    if (abandon) queueMicrotask(() => events?.onLost(new Error('the session was ended')));
  }

  /** @internal Whether the session is registered and not ended (the in-process engine's transition, called by `memory/engine.ts`). */
  alive(session: number): boolean {
    return this.#sessions.has(session);
  }

  /** @internal CreateMutex/CreateSemaphore/CreateEvent: status 0, ERROR_INVALID_HANDLE or SESSION_GONE (the in-process engine's transition, called by `memory/engine.ts`). */
  create(
    session: number,
    r: CreateRequest,
  ): { status: number; id?: string; existed?: boolean; manualReset?: boolean; grant?: string; fence?: number } {
    if (!this.alive(session)) return { status: SESSION_GONE };
    const found = this.#byName.get(r.name);
    if (found)
      return { status: found.kind === r.kind ? 0 : ERROR_INVALID_HANDLE, id: found.id, existed: true, manualReset: found.manualReset };
    const o: Obj = {
      id: String(this.#nextId++),
      name: r.name,
      kind: r.kind,
      count: r.count,
      maximum: r.maximum,
      manualReset: r.manualReset,
      ownerGrant: null,
      ownerSession: null,
      ownerSince: 0,
      abandoned: false,
      fence: 0,
    };
    this.#objects.set(o.id, o);
    this.#byName.set(o.name, o);
    if (r.kind === 'mutex' && r.initialOwner) {
      const grant = String(this.#nextId++);
      return { status: 0, id: o.id, existed: false, manualReset: false, grant, fence: this.#take(o, grant, session, false).fence };
    }
    return { status: 0, id: o.id, existed: false, manualReset: r.manualReset };
  }

  /** @internal Open*: status 0, ERROR_FILE_NOT_FOUND or ERROR_INVALID_HANDLE (the in-process engine's transition, called by `memory/engine.ts`). */
  open(name: string, kind: ObjectKind): { status: number; id?: string; manualReset?: boolean } {
    const o = this.#byName.get(name);
    if (!o) return { status: ERROR_FILE_NOT_FOUND };
    return { status: o.kind === kind ? 0 : ERROR_INVALID_HANDLE, id: o.id, manualReset: o.manualReset };
  }

  /** @internal Removes an object: 0, 2 if there is none, ERROR_ACCESS_DENIED while in use (the in-process engine's transition, called by `memory/engine.ts`). */
  remove(name: string): number {
    const o = this.#byName.get(name);
    if (!o) return ERROR_FILE_NOT_FOUND;
    const waited = [...this.#waits.values()].some((w) => w.objects.includes(o.id));
    if (o.ownerGrant !== null || waited || this.#permits.some((p) => p.object === o.id)) return ERROR_ACCESS_DENIED;
    this.#objects.delete(o.id);
    this.#byName.delete(name);
    return 0;
  }

  /** @internal Grants a wait now, queues it (`enqueue`), or reports it unavailable (the in-process engine's transition, called by `memory/engine.ts`). */
  wait(
    session: number,
    ids: readonly string[],
    all: boolean,
    enqueue: boolean,
    shared: boolean,
  ): { status: number; wait?: string; grant?: GrantReport } {
    if (!this.alive(session)) return { status: SESSION_GONE };
    if (ids.some((id) => !this.#objects.has(id))) return { status: ERROR_INVALID_HANDLE };
    // A reader's wait is on one reader-writer lock, and a reader-writer lock is waited for alone.
    if ((shared || ids.length > 1) && ids.some((id) => (this.#objects.get(id)!.kind === 'rwlock') !== shared))
      return { status: ERROR_INVALID_HANDLE };
    const w: Wait = { id: String(this.#nextId++), session, all, shared, objects: [...ids], queuedAt: Date.now() };
    // A reader that finds a wait queued (a writer's) queues behind it: writers never starve.
    const behind = shared && [...this.#waits.values()].some((q) => q.objects.includes(ids[0]!));
    const grant = behind ? null : this.#tryGrant(w);
    if (grant) return { status: 0, grant };
    if (!enqueue) return { status: 0 };
    this.#waits.set(w.id, w);
    return { status: 0, wait: w.id };
  }

  /** @internal Takes a queued wait out: true if it was still queued (the in-process engine's transition, called by `memory/engine.ts`). */
  cancel(session: number, wait: string): boolean {
    const w = this.#waits.get(wait);
    if (!w || w.session !== session) return false;
    this.#waits.delete(wait);
    // A writer cancelled at the head of a reader-writer lock's queue may have held readers back.
    for (const id of w.objects) this.#satisfy(this.#objects.get(id)!);
    return true;
  }

  /** @internal ReleaseMutex of a grant: 0, ERROR_NOT_OWNER or SESSION_GONE (the in-process engine's transition, called by `memory/engine.ts`). */
  releaseMutex(session: number, id: string, grant: string): number {
    if (!this.alive(session)) return SESSION_GONE;
    const o = this.#objects.get(id);
    if (!o || (o.kind !== 'mutex' && o.kind !== 'rwlock') || o.ownerGrant !== grant || o.ownerSession !== session) return ERROR_NOT_OWNER;
    o.ownerGrant = null;
    o.ownerSession = null;
    this.#satisfy(o);
    return 0;
  }

  /** @internal A reader gives its share back: 0, or SESSION_GONE if it is not held (its session ended). */
  releaseShared(session: number, id: string, grant: string): number {
    const index = this.#permits.findIndex((p) => p.grant === grant && p.object === id && p.session === session);
    if (index < 0) return SESSION_GONE;
    this.#permits.splice(index, 1);
    const o = this.#objects.get(id)!;
    o.count -= 1;
    this.#satisfy(o);
    return 0;
  }

  /** @internal Gives a permit's unit back: 0, SESSION_GONE, or ERROR_TOO_MANY_POSTS (the unit dropped) (the in-process engine's transition, called by `memory/engine.ts`). */
  releasePermit(session: number, id: string, grant: string): number {
    const index = this.#permits.findIndex((p) => p.grant === grant && p.object === id && p.session === session);
    if (index < 0) return SESSION_GONE;
    this.#permits.splice(index, 1);
    const o = this.#objects.get(id)!;
    if (o.count >= o.maximum) return ERROR_TOO_MANY_POSTS;
    o.count += 1;
    this.#satisfy(o);
    return 0;
  }

  /** @internal ReleaseSemaphore: the previous count, or ERROR_TOO_MANY_POSTS and no change (the in-process engine's transition, called by `memory/engine.ts`). */
  releaseSemaphore(id: string, count: number): { status: number; previous?: number } {
    const o = this.#objects.get(id);
    if (!o || o.kind !== 'semaphore') return { status: ERROR_INVALID_HANDLE };
    if (count > o.maximum - o.count) return { status: ERROR_TOO_MANY_POSTS };
    const previous = o.count;
    o.count += count;
    this.#satisfy(o);
    return { status: 0, previous };
  }

  /** @internal SetEvent, ResetEvent or PulseEvent (the in-process engine's transition, called by `memory/engine.ts`). */
  signalEvent(id: string, op: 'set' | 'reset' | 'pulse'): number {
    const o = this.#objects.get(id);
    if (!o || o.kind !== 'event') return ERROR_INVALID_HANDLE;
    o.count = op === 'reset' ? 0 : 1;
    if (op !== 'reset') this.#satisfy(o);
    if (op === 'pulse') o.count = 0;
    return 0;
  }

  /** @internal Every object's state, as `db.list()` returns it (the in-process engine's transition, called by `memory/engine.ts`). */
  list(): ObjectState[] {
    return [...this.#objects.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((o) => ({
        name: o.name,
        kind: o.kind,
        count: o.count,
        maximum: o.maximum,
        manualReset: o.manualReset,
        ownerSession: o.ownerSession,
        abandoned: o.abandoned,
        fence: o.fence,
        waiters: [...this.#waits.values()].filter((w) => w.objects.includes(o.id)).length,
        permitsHeld: this.#permits.filter((p) => p.object === o.id).length,
        holders: [
          ...(o.ownerSession !== null ? [{ session: o.ownerSession, shared: false, heldMs: Date.now() - o.ownerSince }] : []),
          ...this.#permits
            .filter((p) => p.object === o.id)
            .map((p) => ({ session: p.session, shared: true, heldMs: Date.now() - p.since })),
        ],
        queue: [...this.#waits.values()]
          .filter((w) => w.objects.includes(o.id))
          .map((w) => ({ session: w.session, shared: w.shared, waitedMs: Date.now() - w.queuedAt, objects: w.objects.length })),
      }));
  }

  /** `shared`: a reader's wait (reader-writer locks only). */
  #acquirable(o: Obj, shared: boolean): boolean {
    if (o.kind === 'mutex') return o.ownerGrant === null;
    if (o.kind === 'rwlock') return o.ownerGrant === null && (shared || o.count === 0);
    return o.count > 0;
  }

  #take(o: Obj, grant: string, session: number, shared: boolean): { abandoned: boolean; fence: number } {
    // A reader is told of a writer's abandonment too; only the next writer clears it.
    const abandoned = (o.kind === 'mutex' || o.kind === 'rwlock') && o.abandoned;
    o.fence += 1;
    if (o.kind === 'mutex' || (o.kind === 'rwlock' && !shared)) {
      o.ownerGrant = grant;
      o.ownerSession = session;
      o.ownerSince = Date.now();
      o.abandoned = false;
    } else if (o.kind === 'rwlock' || o.kind === 'semaphore') {
      o.count += o.kind === 'rwlock' ? 1 : -1;
      this.#permits.push({ grant, object: o.id, session, since: Date.now() });
    } else if (!o.manualReset) {
      o.count = 0;
    }
    return { abandoned, fence: o.fence };
  }

  #tryGrant(w: Wait): GrantReport | null {
    const objects = w.objects.map((id) => this.#objects.get(id)!);
    if (w.all) {
      if (!objects.every((o) => this.#acquirable(o, w.shared))) return null;
      const taken = objects.map((o) => this.#take(o, w.id, w.session, w.shared));
      return { wait: w.id, index: 0, abandoned: taken.some((t) => t.abandoned), fences: taken.map((t) => t.fence) };
    }
    const index = objects.findIndex((o) => this.#acquirable(o, w.shared));
    if (index < 0) return null;
    const taken = this.#take(objects[index]!, w.id, w.session, w.shared);
    return { wait: w.id, index, abandoned: taken.abandoned, fences: [taken.fence] };
  }

  #satisfy(o: Obj): void {
    // Stops at the first wait of this object it cannot satisfy (a reader-writer lock's head: nobody overtakes it).
    for (const w of [...this.#waits.values()]) {
      if (!w.objects.includes(o.id)) continue;
      if (!this.#acquirable(o, w.shared)) return;
      const grant = this.#tryGrant(w);
      if (!grant) continue;
      this.#waits.delete(w.id);
      const events = this.#sessions.get(w.session);
      queueMicrotask(() => events?.onGrant(grant));
    }
  }
}
