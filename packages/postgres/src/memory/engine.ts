/**
 * The in-process engine: `connect('memory:<name>')` gives the same objects and
 * semantics without a database, for tests. Sessions of one name in one process share
 * the objects; nothing crosses processes, and a session ends only when closed (or
 * through `MemoryStore.named(name).endSession(id, true)`, which behaves as a death:
 * mutexes abandoned, units back, `lost` fired).
 */
import type { CreateRequest, Engine, EngineEvents, EngineSession, ObjectKind, ObjectRef, ObjectState, WaitReply } from '../engine.js';
import { fail } from '../status.js';
import { MemoryStore } from './store.js';

export class MemoryEngine implements Engine {
  readonly store: MemoryStore;

  constructor(name: string) {
    this.store = MemoryStore.named(name);
  }

  open(events: EngineEvents): Promise<EngineSession> {
    return Promise.resolve(new MemorySession(this.store, this.store.openSession(events)));
  }
}

function kindName(kind: ObjectKind): string {
  return { mutex: 'Mutex', semaphore: 'Semaphore', event: 'Event', rwlock: 'RwLock' }[kind];
}

class MemorySession implements EngineSession {
  constructor(
    readonly store: MemoryStore,
    readonly id: number,
  ) {}

  // Each method is async so that its result, like a database's, arrives on a later tick.
  async create(r: CreateRequest): Promise<ObjectRef> {
    const c = this.store.create(this.id, r);
    if (c.status !== 0) fail(c.status, `Create${kindName(r.kind)}`);
    return Promise.resolve({
      id: c.id!,
      existed: c.existed!,
      manualReset: c.manualReset!,
      initial: c.grant === undefined ? null : { grant: c.grant, fence: c.fence! },
    });
  }

  async open(kind: ObjectKind, name: string): Promise<ObjectRef> {
    const o = this.store.open(name, kind);
    if (o.status !== 0) fail(o.status, `Open${kindName(kind)}`);
    return Promise.resolve({ id: o.id!, existed: true, manualReset: o.manualReset!, initial: null });
  }

  async remove(name: string): Promise<boolean> {
    const status = this.store.remove(name);
    if (status === 2) return false;
    if (status !== 0) fail(status, 'RemoveObject');
    return Promise.resolve(true);
  }

  async wait(ids: readonly string[], all: boolean, enqueue: boolean, shared: boolean): Promise<WaitReply> {
    const w = this.store.wait(this.id, ids, all, enqueue, shared);
    if (w.status !== 0) fail(w.status, 'WaitForMultipleObjects');
    if (w.grant) return { kind: 'granted', grant: w.grant };
    return Promise.resolve(w.wait === undefined ? { kind: 'unavailable' } : { kind: 'queued', wait: w.wait });
  }

  cancel(wait: string): Promise<boolean> {
    return Promise.resolve(this.store.cancel(this.id, wait));
  }

  async releaseMutex(id: string, grant: string): Promise<void> {
    const status = this.store.releaseMutex(this.id, id, grant);
    if (status !== 0) fail(status, 'ReleaseMutex');
    return Promise.resolve();
  }

  async releasePermit(id: string, grant: string): Promise<void> {
    const status = this.store.releasePermit(this.id, id, grant);
    if (status !== 0) fail(status, 'ReleaseSemaphore');
    return Promise.resolve();
  }

  async releaseWrite(id: string, grant: string): Promise<void> {
    const status = this.store.releaseMutex(this.id, id, grant);
    if (status !== 0) fail(status, 'ReleaseSRWLockExclusive');
    return Promise.resolve();
  }

  async releaseRead(id: string, grant: string): Promise<void> {
    const status = this.store.releaseShared(this.id, id, grant);
    if (status !== 0) fail(status, 'ReleaseSRWLockShared');
    return Promise.resolve();
  }

  async releaseSemaphore(id: string, count: number): Promise<number> {
    const r = this.store.releaseSemaphore(id, count);
    if (r.status !== 0) fail(r.status, 'ReleaseSemaphore');
    return Promise.resolve(r.previous!);
  }

  async signalEvent(id: string, op: 'set' | 'reset' | 'pulse'): Promise<void> {
    const status = this.store.signalEvent(id, op);
    if (status !== 0) fail(status, `${op[0]!.toUpperCase()}${op.slice(1)}Event`);
    return Promise.resolve();
  }

  reap(): Promise<number> {
    return Promise.resolve(0);
  }

  renew(): Promise<boolean> {
    return Promise.resolve(this.store.alive(this.id));
  }

  list(): Promise<ObjectState[]> {
    return Promise.resolve(this.store.list());
  }

  close(): Promise<void> {
    this.store.endSession(this.id, false);
    return Promise.resolve();
  }

  keepAlive(): void {
    // Nothing to keep alive: pending waits are promises of this process.
  }

  destroy(): void {
    this.store.endSession(this.id, true);
  }
}
