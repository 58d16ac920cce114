/**
 * The protocol of the etcd engine: each transition of `../engine.ts` as a function
 * over one optimistic transaction (`transaction.ts`), on the values of `layout.ts`.
 * The same rules as `../pg/protocol.ts` and `../memory/store.ts`:
 *
 * - a change that makes objects available (a release, a set, units back) then
 *   satisfies each object's queue oldest first: a wait-any gets the lowest index it
 *   can take and leaves every other queue in the same commit; a wait-all takes all of
 *   its objects in that commit or nothing. Invariant after every commit: no queued wait
 *   could be satisfied, so a newcomer that finds an object available overtakes nobody;
 * - a grant to a queued wait is written as a grant key for its session's watch;
 * - a holder whose session key is gone (its lease ended) has ended: a wait that finds
 *   it in its way ends its holdings first (mutexes abandoned, units back), in the same
 *   commit, and the reaper does so for every object.
 *
 * Replies are plain JSON (they are also kept as the session's receipt); parts that
 * depend on the commit's own revision (a new object's id, an immediate grant's fences)
 * are filled in afterwards by the engine.
 */
import { ERROR_ACCESS_DENIED, ERROR_FILE_NOT_FOUND, ERROR_INVALID_HANDLE, ERROR_NOT_OWNER, ERROR_TOO_MANY_POSTS } from '@waitables/common';
import type { CreateRequest, ObjectState } from '../engine.js';
import { SESSION_GONE } from '../status.js';
import { type GrantValue, type Holder, type Keys, type ObjectValue, type QueuedWait, objectId, parseObjectId } from './layout.js';
import type { Tx } from './transaction.js';

interface Loaded {
  readonly key: string;
  readonly before: string;
  value: ObjectValue | null;
}

/** The objects one transaction reads and changes; changed ones are written by `finish()`. */
export class State {
  readonly #objects = new Map<string, Loaded>();
  readonly #alive = new Map<string, boolean>();

  constructor(
    readonly tx: Tx,
    readonly keys: Keys,
  ) {}

  /** The object of a handle's id; null if it is gone (removed, or removed and created again). */
  async object(id: string): Promise<ObjectValue | null> {
    const cached = this.#objects.get(id);
    if (cached) return cached.value;
    const { revision, name } = parseObjectId(id);
    const key = this.keys.object(name);
    const kv = await this.tx.get(key);
    let value: ObjectValue | null = null;
    if (kv && Number(kv.create_revision) === revision) {
      value = JSON.parse(kv.value.toString()) as ObjectValue;
      value.fence ??= Number(kv.mod_revision);
    }
    this.#objects.set(id, { key, before: JSON.stringify(value), value });
    return value;
  }

  /** The object of a name with its id, or null. */
  async named(name: string): Promise<{ id: string; value: ObjectValue } | null> {
    const kv = await this.tx.get(this.keys.object(name));
    if (!kv) return null;
    const id = objectId(Number(kv.create_revision), name);
    const value = await this.object(id);
    return value && { id, value };
  }

  /** Writes a new object (its id is then `<this commit's revision>/<name>`). */
  add(name: string, value: ObjectValue): void {
    this.tx.put(this.keys.object(name), JSON.stringify(value));
  }

  drop(id: string): void {
    const loaded = this.#objects.get(id)!;
    loaded.value = null;
    this.tx.delete(loaded.key);
  }

  /** Whether a session still exists (its lease has not ended). */
  async alive(lease: string): Promise<boolean> {
    let alive = this.#alive.get(lease);
    if (alive === undefined) this.#alive.set(lease, (alive = await this.tx.exists(this.keys.session(lease))));
    return alive;
  }

  grantTo(w: QueuedWait, grant: GrantValue): void {
    this.tx.put(this.keys.grant(w.session, w.grant), JSON.stringify(grant));
  }

  /** Puts every object whose value changed. */
  finish(): void {
    for (const loaded of this.#objects.values()) {
      if (loaded.value === null) continue;
      const after = JSON.stringify(loaded.value);
      if (after !== loaded.before) this.tx.put(loaded.key, after);
    }
  }
}

/** Who runs a transition: the calling session. */
export interface Caller {
  readonly session: number;
  readonly lease: string;
}

export type GrantReply = { readonly wait: string } & GrantValue;

export type WaitResult =
  | { readonly status: number; readonly granted: GrantReply }
  | { readonly status: number; readonly queued: string }
  | { readonly status: number };

export interface CreateResult {
  readonly status: number;
  /** Null: the object is new, its id is `<revision>/<name>`. */
  readonly id?: string | null;
  readonly existed?: boolean;
  readonly manualReset?: boolean;
  readonly grant?: string;
}

function acquirable(o: ObjectValue): boolean {
  return o.kind === 'mutex' ? o.owner === null : o.count > 0;
}

function take(o: ObjectValue, holder: Holder): boolean {
  const abandoned = o.kind === 'mutex' && o.abandoned;
  o.fence = null;
  const held = { grant: holder.grant, session: holder.session, lease: holder.lease, since: Date.now() };
  if (o.kind === 'mutex') {
    o.owner = held;
    o.abandoned = false;
  } else if (o.kind === 'semaphore') {
    o.count -= 1;
    o.permits.push(held);
  } else if (!o.manualReset) {
    o.count = 0;
  }
  return abandoned;
}

async function tryGrant(st: State, w: QueuedWait): Promise<GrantValue | null> {
  const objects: ObjectValue[] = [];
  for (const id of w.objects) {
    const o = await st.object(id);
    if (!o) return null;
    objects.push(o);
  }
  const holder: Holder = { grant: w.grant, session: w.session, lease: w.lease };
  if (w.all) {
    if (!objects.every(acquirable)) return null;
    const abandoned = objects.map((o) => take(o, holder)).some(Boolean);
    return { index: 0, abandoned, taken: objects.length };
  }
  const index = objects.findIndex(acquirable);
  if (index < 0) return null;
  return { index, abandoned: take(objects[index]!, holder), taken: 1 };
}

async function dequeue(st: State, w: QueuedWait): Promise<void> {
  for (const id of new Set(w.objects)) {
    const o = await st.object(id);
    if (o) o.queue = o.queue.filter((q) => q.grant !== w.grant);
  }
}

/** Grants the queued waits of an object that can now be satisfied, oldest first. */
async function satisfy(st: State, id: string): Promise<void> {
  const o = await st.object(id);
  if (!o) return;
  for (const w of [...o.queue]) {
    if (!acquirable(o)) return;
    const grant = await tryGrant(st, w);
    if (!grant) continue;
    await dequeue(st, w);
    st.grantTo(w, grant);
  }
}

/**
 * Ends, on one object, what the sessions for which `gone` holds had there: a mutex is
 * abandoned (or released, for a clean close), units come back, waits leave its queue;
 * then its queue is satisfied. True if anything changed.
 */
export async function endHolders(
  st: State,
  id: string,
  gone: (lease: string) => Promise<boolean>,
  abandon: boolean,
  waits = true,
): Promise<boolean> {
  const o = await st.object(id);
  if (!o) return false;
  let changed = false;
  if (o.owner && (await gone(o.owner.lease))) {
    o.owner = null;
    o.abandoned = abandon;
    changed = true;
  }
  const permits: Holder[] = [];
  for (const p of o.permits) {
    if (await gone(p.lease)) {
      o.count = Math.min(o.maximum, o.count + 1);
      changed = true;
    } else permits.push(p);
  }
  o.permits = permits;
  if (waits) {
    const queue: QueuedWait[] = [];
    for (const w of o.queue) {
      if (await gone(w.lease)) changed = true;
      else queue.push(w);
    }
    o.queue = queue;
  }
  if (changed) await satisfy(st, id);
  return changed;
}

export async function create(st: State, me: Caller, r: CreateRequest, grant: string): Promise<CreateResult> {
  const found = await st.named(r.name);
  if (found) {
    if (found.value.kind !== r.kind) return { status: ERROR_INVALID_HANDLE };
    return { status: 0, id: found.id, existed: true, manualReset: found.value.manualReset };
  }
  if (r.kind === 'rwlock') return { status: ERROR_INVALID_HANDLE }; // refused before (engine.ts): no such kind here
  const owned = r.kind === 'mutex' && r.initialOwner;
  st.add(r.name, {
    kind: r.kind,
    count: r.count,
    maximum: r.maximum,
    manualReset: r.manualReset,
    owner: owned ? { grant, session: me.session, lease: me.lease, since: Date.now() } : null,
    abandoned: false,
    permits: [],
    queue: [],
    fence: owned ? null : 0,
  });
  return { status: 0, id: null, existed: false, manualReset: r.kind === 'mutex' ? false : r.manualReset, ...(owned ? { grant } : {}) };
}

export async function remove(st: State, name: string): Promise<number> {
  const found = await st.named(name);
  if (!found) return ERROR_FILE_NOT_FOUND;
  const o = found.value;
  if (o.owner !== null || o.queue.length > 0 || o.permits.length > 0) return ERROR_ACCESS_DENIED;
  st.drop(found.id);
  return 0;
}

export async function wait(
  st: State,
  me: Caller,
  waitId: string,
  ids: readonly string[],
  all: boolean,
  enqueue: boolean,
): Promise<WaitResult> {
  for (const id of ids) if (!(await st.object(id))) return { status: ERROR_INVALID_HANDLE };
  // Holders whose session has ended are ended here first, so that a wait never queues
  // behind the dead (dead waiters are the reaper's: checking each would cost a read per waiter).
  for (const id of new Set(ids)) {
    if (!acquirable((await st.object(id))!)) await endHolders(st, id, async (lease) => !(await st.alive(lease)), true, false);
  }
  const w: QueuedWait = { grant: waitId, session: me.session, lease: me.lease, all, objects: [...ids], since: Date.now() };
  const grant = await tryGrant(st, w);
  if (grant) return { status: 0, granted: { wait: waitId, ...grant } };
  if (!enqueue) return { status: 0 };
  for (const id of new Set(ids)) (await st.object(id))!.queue.push(w);
  return { status: 0, queued: waitId };
}

/** True if the wait was still queued (now removed from every queue). */
export async function cancel(st: State, waitId: string, ids: readonly string[]): Promise<boolean> {
  const o = await st.object(ids[0]!);
  const w = o?.queue.find((q) => q.grant === waitId);
  if (!w) return false;
  await dequeue(st, w);
  return true;
}

export async function releaseMutex(st: State, me: Caller, id: string, grant: string): Promise<number> {
  const o = await st.object(id);
  if (!o || o.kind !== 'mutex' || o.owner?.grant !== grant || o.owner.session !== me.session) return ERROR_NOT_OWNER;
  o.owner = null;
  await satisfy(st, id);
  return 0;
}

export async function releasePermit(st: State, me: Caller, id: string, grant: string): Promise<number> {
  const o = await st.object(id);
  const index = o ? o.permits.findIndex((p) => p.grant === grant && p.session === me.session) : -1;
  if (!o || index < 0) return SESSION_GONE;
  o.permits.splice(index, 1);
  if (o.count >= o.maximum) return ERROR_TOO_MANY_POSTS;
  o.count += 1;
  await satisfy(st, id);
  return 0;
}

export async function releaseSemaphore(st: State, id: string, count: number): Promise<{ status: number; previous?: number }> {
  const o = await st.object(id);
  if (!o || o.kind !== 'semaphore') return { status: ERROR_INVALID_HANDLE };
  if (count > o.maximum - o.count) return { status: ERROR_TOO_MANY_POSTS };
  const previous = o.count;
  o.count += count;
  await satisfy(st, id);
  return { status: 0, previous };
}

export async function signalEvent(st: State, id: string, op: 'set' | 'reset' | 'pulse'): Promise<number> {
  const o = await st.object(id);
  if (!o || o.kind !== 'event') return ERROR_INVALID_HANDLE;
  o.count = op === 'reset' ? 0 : 1;
  if (op !== 'reset') await satisfy(st, id);
  if (op === 'pulse') o.count = 0;
  return 0;
}

function age(since: number | undefined): number {
  return since === undefined ? 0 : Math.max(0, Date.now() - since);
}

/** One object as `db.list()` shows it (`fence`: the value's, or the key's mod revision). */
export function describe(name: string, o: ObjectValue, modRevision: number): ObjectState {
  return {
    name,
    kind: o.kind,
    count: o.count,
    maximum: o.maximum,
    manualReset: o.manualReset,
    ownerSession: o.owner?.session ?? null,
    abandoned: o.abandoned,
    fence: o.fence ?? modRevision,
    waiters: o.queue.length,
    permitsHeld: o.permits.length,
    // Ages on this process's clock, from the writers' (the hosts' clocks may differ).
    holders: [...(o.owner ? [{ h: o.owner, shared: false }] : []), ...o.permits.map((h) => ({ h, shared: true }))].map(({ h, shared }) => ({
      session: h.session,
      shared,
      heldMs: age(h.since),
    })),
    queue: o.queue.map((w) => ({ session: w.session, shared: false, waitedMs: age(w.since), objects: w.objects.length })),
  };
}
