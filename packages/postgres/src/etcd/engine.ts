/**
 * The etcd engine: one `etcd3` client per session, a lease, and two watches.
 *
 * - The session is a lease: its key `<prefix>/s/<lease>` is attached to it, and the
 *   shared session layer (`../session.ts`) renews it every third of `lease` (one
 *   keep-alive each). When the process dies, freezes or loses the cluster for longer
 *   than the lease's TTL, the cluster deletes the key: the session has ended.
 * - Every transition is one optimistic `Txn` (`transaction.ts`, `protocol.ts`). A
 *   session's own transitions run one after another and also rewrite its session key
 *   with their id and reply (the receipt), comparing its mod revision: if a call fails
 *   without an answer (the member died, the leader changed), the receipt says whether
 *   it committed, and the compare makes sure it commits at most once.
 * - A watch on `<prefix>/g/<session id>/` pushes the grants of queued waits; a watch on
 *   the deletions under `<prefix>/s/` tells when another session ended, and the reaper
 *   then ends its holdings (mutexes abandoned to the next waiter, units back). Both
 *   resume after a reconnection from the last revision they saw, so nothing is missed
 *   across an election. No polling.
 */
import { ExponentialBackoff, type IBackoff } from 'cockatiel';
import { Etcd3, EtcdLeaseInvalidError, type IKeyValue, type Lease, type Watcher } from 'etcd3';
import type { CreateRequest, Engine, EngineEvents, EngineSession, ObjectKind, ObjectRef, ObjectState, WaitReply } from '../engine.js';
import { ERROR_FILE_NOT_FOUND, ERROR_INVALID_HANDLE, NotSupportedError } from '@waitables/common';
import { fail, SESSION_GONE } from '../status.js';
import { type GrantValue, Keys, objectId, type ObjectValue, prefixRange, type SessionValue } from './layout.js';
import { endSessionsGone, releaseAll } from './reaper.js';
import * as protocol from './protocol.js';
import { backoff, isBug, Tx } from './transaction.js';

export interface EtcdEngineOptions {
  /** `http://host:port` of each member. */
  readonly hosts: readonly string[];
  readonly prefix: string;
  readonly lease: number;
  readonly label: string;
}

/** `etcd://host1:2379,host2:2379` -> the members' `http://` addresses. */
export function parseEtcdUrl(url: string): string[] {
  const rest = url.slice('etcd://'.length);
  const slash = rest.indexOf('/');
  const hosts = (slash < 0 ? rest : rest.slice(0, slash)).split(',').filter((h) => h !== '');
  return hosts.map((h) => `http://${h}`);
}

export class EtcdEngine implements Engine {
  constructor(readonly options: EtcdEngineOptions) {}

  async open(events: EngineEvents): Promise<EngineSession> {
    const client = new Etcd3({
      hosts: [...this.options.hosts],
      dialTimeout: 5_000,
      // A call to a member that stopped answering gives up and goes to another member.
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + 5_000 }),
      // After a member's death, watches reconnect to another within a second, not 30.
      // (etcd3 calls next() on it as on its own default, a factory, which its type does not say.)
      faultHandling: { watchBackoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 1_000 }) as unknown as IBackoff<unknown> },
    });
    const keys = new Keys(this.options.prefix);
    let lease: Lease | undefined;
    try {
      // etcd counts TTLs in seconds; the local deadline (lease - margin) stays within it.
      lease = client.lease(Math.max(1, Math.ceil(this.options.lease / 1_000)), { autoKeepAlive: false });
      lease.on('lost', () => undefined);
      const leaseId = await lease.grant();
      const value: SessionValue = { label: this.options.label, op: '', reply: null };
      const put = await client.kv.put({
        key: Buffer.from(keys.session(leaseId)),
        value: Buffer.from(JSON.stringify(value)),
        lease: leaseId,
      });
      const id = Number(put.header.revision);
      const session = new EtcdSession(client, keys, lease, leaseId, id, this.options.label, this.options.lease, events);
      await session.watch();
      // Ended sessions of earlier processes are cleaned up at once.
      await session.reap();
      return session;
    } catch (error) {
      await lease?.revoke().catch(() => undefined);
      client.close();
      throw error;
    }
  }
}

/** A reply that says the calling session no longer exists. */
const GONE = Symbol('gone');

class EtcdSession implements EngineSession {
  #ended = false;
  #ops = 0;
  #tail: Promise<unknown> = Promise.resolve();
  /** Each queued wait's objects (to cancel it), from its queuing to its grant or cancellation. */
  readonly #waits = new Map<string, readonly string[]>();
  readonly #watchers: Watcher[] = [];
  /** Grant keys delivered and not yet deleted: the session's next transition deletes them (no write of their own). */
  readonly #delivered = new Set<string>();
  #reaping: Promise<number> | null = null;
  #reapAgain = false;
  /** A session may have ended since the last pass (its key's deletion was seen, or the watch reconnected). */
  #endSeen = true;
  readonly me: protocol.Caller;

  constructor(
    readonly client: Etcd3,
    readonly keys: Keys,
    readonly lease: Lease,
    readonly leaseId: string,
    readonly id: number,
    readonly label: string,
    readonly leaseMs: number,
    readonly events: EngineEvents,
  ) {
    this.me = { session: id, lease: leaseId };
  }

  /** Starts the watches, from the revision after the session's creation. */
  async watch(): Promise<void> {
    const from = String(this.id + 1);
    const grants = await this.client.watch().prefix(this.keys.grants(this.id)).only('put').startRevision(from).create();
    grants.on('put', (kv) => this.#granted(kv));
    grants.on('error', () => undefined);
    this.#watchers.push(grants);
    const ends = await this.client.watch().prefix(this.keys.sessions).only('delete').startRevision(from).create();
    const ended = () => {
      this.#endSeen = true;
      void this.reap().catch(() => undefined);
    };
    ends.on('delete', ended);
    // Deletions during a disconnection are replayed from the last revision seen; a pass after it costs little.
    ends.on('connected', ended);
    ends.on('error', () => undefined);
    this.#watchers.push(ends);
  }

  #granted(kv: IKeyValue): void {
    if (this.#ended) return;
    const key = kv.key.toString();
    const wait = key.slice(this.keys.grants(this.id).length);
    const g = JSON.parse(kv.value.toString()) as GrantValue;
    this.#waits.delete(wait);
    this.events.onGrant({ wait, index: g.index, abandoned: g.abandoned, fences: new Array<number>(g.taken).fill(Number(kv.mod_revision)) });
    this.#delivered.add(key);
  }

  #nextId(): string {
    return `${this.id}.${++this.#ops}`;
  }

  /**
   * Runs one of this session's transitions until it commits, or finds in the receipt
   * that an earlier attempt did: its reply and the commit's revision.
   */
  #op<R>(body: (st: protocol.State) => Promise<R>): Promise<{ reply: R | typeof GONE; revision: number }> {
    const op = this.#nextId();
    const key = this.keys.session(this.leaseId);
    const run = async (): Promise<{ reply: R | typeof GONE; revision: number }> => {
      for (let attempt = 1; ; attempt++) {
        if (this.#ended) throw new Error('the session has ended');
        const tx = new Tx(this.client.kv);
        try {
          const mine = await tx.get(key);
          if (!mine) return { reply: GONE, revision: 0 };
          const receipt = JSON.parse(mine.value.toString()) as SessionValue;
          if (receipt.op === op) return { reply: receipt.reply as R, revision: Number(mine.mod_revision) };
          const st = new protocol.State(tx, this.keys);
          const reply = await body(st);
          st.finish();
          tx.put(key, JSON.stringify({ label: this.label, op, reply } satisfies SessionValue), this.leaseId);
          const delivered = [...this.#delivered];
          for (const grant of delivered) tx.delete(grant);
          const revision = await tx.commit();
          if (revision !== null) {
            for (const grant of delivered) this.#delivered.delete(grant);
            return { reply, revision };
          }
          await backoff(attempt, 50);
        } catch (error) {
          if (this.#ended || isBug(error)) throw error;
          // No answer (an election, a member gone): the next attempt reads the receipt first.
          await backoff(attempt + 5, 1_000);
        }
      }
    };
    const result = this.#tail.then(run);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** A read, retried through elections and member losses while the session lives. */
  async #read<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (this.#ended || attempt >= 20 || isBug(error)) throw error;
        await backoff(attempt + 5, 1_000);
      }
    }
  }

  async create(r: CreateRequest): Promise<ObjectRef> {
    if (r.kind === 'rwlock') throw rwLocksUnsupported();
    const grant = this.#nextId();
    const { reply, revision } = await this.#op((st) => protocol.create(st, this.me, r, grant));
    if (reply === GONE) fail(SESSION_GONE, createName(r.kind));
    if (reply.status !== 0) fail(reply.status, createName(r.kind));
    return {
      id: reply.id ?? objectId(revision, r.name),
      existed: reply.existed!,
      manualReset: reply.manualReset!,
      initial: reply.grant === undefined ? null : { grant: reply.grant, fence: revision },
    };
  }

  async open(kind: ObjectKind, name: string): Promise<ObjectRef> {
    if (kind === 'rwlock') throw rwLocksUnsupported();
    const { kvs } = await this.#read(() => this.client.kv.range({ key: Buffer.from(this.keys.object(name)) }));
    const kv = kvs[0];
    if (!kv) fail(ERROR_FILE_NOT_FOUND, `Open${kindName(kind)}`);
    const o = JSON.parse(kv.value.toString()) as ObjectValue;
    if (o.kind !== kind) fail(ERROR_INVALID_HANDLE, `Open${kindName(kind)}`);
    return { id: objectId(Number(kv.create_revision), name), existed: true, manualReset: o.manualReset, initial: null };
  }

  async remove(name: string): Promise<boolean> {
    const { reply } = await this.#op((st) => protocol.remove(st, name));
    if (reply === GONE) fail(SESSION_GONE, 'RemoveObject');
    if (reply === ERROR_FILE_NOT_FOUND) return false;
    if (reply !== 0) fail(reply, 'RemoveObject');
    return true;
  }

  async wait(ids: readonly string[], all: boolean, enqueue: boolean): Promise<WaitReply> {
    const wait = this.#nextId();
    // Known before the commit: a grant pushed right after it finds its wait.
    this.#waits.set(wait, ids);
    let result: { reply: protocol.WaitResult | typeof GONE; revision: number };
    try {
      result = await this.#op((st) => protocol.wait(st, this.me, wait, ids, all, enqueue));
    } catch (error) {
      this.#waits.delete(wait);
      throw error;
    }
    const { reply, revision } = result;
    if (reply === GONE || !('queued' in reply)) this.#waits.delete(wait);
    if (reply === GONE) fail(SESSION_GONE, 'WaitForMultipleObjects');
    if (reply.status !== 0) fail(reply.status, 'WaitForMultipleObjects');
    if ('granted' in reply) {
      const g = reply.granted;
      return {
        kind: 'granted',
        grant: { wait: g.wait, index: g.index, abandoned: g.abandoned, fences: new Array<number>(g.taken).fill(revision) },
      };
    }
    if ('queued' in reply) return { kind: 'queued', wait: reply.queued };
    return { kind: 'unavailable' };
  }

  async cancel(wait: string): Promise<boolean> {
    const ids = this.#waits.get(wait);
    if (!ids) return false;
    const { reply } = await this.#op((st) => protocol.cancel(st, wait, ids));
    if (reply === GONE) fail(SESSION_GONE, 'CancelWait');
    if (reply) this.#waits.delete(wait);
    return reply;
  }

  async releaseMutex(id: string, grant: string): Promise<void> {
    const { reply } = await this.#op((st) => protocol.releaseMutex(st, this.me, id, grant));
    if (reply === GONE) fail(SESSION_GONE, 'ReleaseMutex');
    if (reply !== 0) fail(reply, 'ReleaseMutex');
  }

  async releasePermit(id: string, grant: string): Promise<void> {
    const { reply } = await this.#op((st) => protocol.releasePermit(st, this.me, id, grant));
    if (reply === GONE) fail(SESSION_GONE, 'ReleaseSemaphore');
    if (reply !== 0) fail(reply, 'ReleaseSemaphore');
  }

  releaseWrite(): Promise<void> {
    return Promise.reject(rwLocksUnsupported());
  }

  releaseRead(): Promise<void> {
    return Promise.reject(rwLocksUnsupported());
  }

  async releaseSemaphore(id: string, count: number): Promise<number> {
    const { reply } = await this.#op((st) => protocol.releaseSemaphore(st, id, count));
    if (reply === GONE) fail(SESSION_GONE, 'ReleaseSemaphore');
    if (reply.status !== 0) fail(reply.status, 'ReleaseSemaphore');
    return reply.previous!;
  }

  async signalEvent(id: string, op: 'set' | 'reset' | 'pulse'): Promise<void> {
    const { reply } = await this.#op((st) => protocol.signalEvent(st, id, op));
    const name = `${op[0]!.toUpperCase()}${op.slice(1)}Event`;
    if (reply === GONE) fail(SESSION_GONE, name);
    if (reply !== 0) fail(reply, name);
  }

  /**
   * Ends the holdings of every session whose key is gone; one pass at a time, another if
   * asked meanwhile. Only when the watch has seen a session end since the last pass: the
   * shared layer's periodic call costs nothing on etcd, where ends are pushed.
   */
  reap(): Promise<number> {
    if (!this.#endSeen && !this.#reaping) return Promise.resolve(0);
    if (this.#reaping) {
      this.#reapAgain = true;
      return this.#reaping;
    }
    const run = async (): Promise<number> => {
      let ended = 0;
      do {
        this.#reapAgain = false;
        this.#endSeen = false;
        ended += await this.#reapOnce();
      } while (this.#reapAgain && !this.#ended);
      return ended;
    };
    this.#reaping = run().finally(() => (this.#reaping = null));
    return this.#reaping;
  }

  #reapOnce(): Promise<number> {
    return endSessionsGone({ kv: this.client.kv, keys: this.keys, read: (fn) => this.#read(fn), stopped: () => this.#ended });
  }

  async renew(): Promise<boolean> {
    if (this.#ended) throw new Error('the session has ended');
    try {
      await this.lease.keepaliveOnce();
      return true;
    } catch (error) {
      if (error instanceof EtcdLeaseInvalidError) return false;
      throw error;
    }
  }

  async list(): Promise<ObjectState[]> {
    const { kvs } = await this.#read(() => this.client.kv.range(prefixRange(this.keys.objects)));
    return kvs.map((kv) =>
      protocol.describe(
        kv.key.toString().slice(this.keys.objects.length),
        JSON.parse(kv.value.toString()) as ObjectValue,
        Number(kv.mod_revision),
      ),
    );
  }

  /**
   * Releases (not abandons) what this session holds, then revokes its lease. Bounded by
   * the lease: a cluster that does not answer that long gets a crash's end instead (the
   * lease expires, what is held is abandoned).
   */
  async close(): Promise<void> {
    if (this.#ended) return;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.leaseMs)));
    try {
      await Promise.race([this.#release().catch(() => undefined), bound]);
    } finally {
      clearTimeout(timer);
      this.#stop();
    }
  }

  async #release(): Promise<void> {
    await this.#tail;
    await releaseAll({ kv: this.client.kv, keys: this.keys, read: (fn) => this.#read(fn), stopped: () => this.#ended }, this.leaseId);
    this.#ended = true;
    await this.lease.revoke().catch(() => undefined);
    await this.client.kv.deleteRange(prefixRange(this.keys.grants(this.id))).catch(() => undefined);
  }

  keepAlive(): void {
    // Not available: the watch streams are gRPC calls that hold the connection (and with
    // it the process) as long as the session is open, whatever the waits' `ref`. An etcd
    // session lets its process exit only once closed (README: "Differences").
  }

  /** A crash: nothing released, the lease left to expire. */
  destroy(): void {
    this.#stop();
  }

  #stop(): void {
    this.#ended = true;
    for (const w of this.#watchers.splice(0)) void w.cancel().catch(() => undefined);
    this.lease.release();
    this.client.close();
  }
}

function kindName(kind: ObjectKind): string {
  return kind === 'mutex' ? 'Mutex' : kind === 'semaphore' ? 'Semaphore' : 'Event';
}

function createName(kind: ObjectKind): string {
  return `Create${kindName(kind)}`;
}

/** Reader-writer locks exist on PostgreSQL (and the in-process engine) only. */
function rwLocksUnsupported(): NotSupportedError {
  return new NotSupportedError('reader-writer locks are not available on etcd (PostgreSQL only)');
}
