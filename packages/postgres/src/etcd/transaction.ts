/**
 * Optimistic transactions over etcd, as etcd's own software transactional memory
 * (clientv3/concurrency STM) does them: a transition reads the keys it needs, computes
 * the new state here, and commits with one `Txn` whose compares cover every key it
 * read (mod revision equal to what was read, or absent still absent). If any of them
 * changed meanwhile nothing is written and the transition runs again on fresh reads.
 * Every read is linearizable (served through the leader), so a committed transition
 * saw a state that nobody changed before its writes.
 */
import { CompareResult, CompareTarget, type IKeyValue, type IRequestOp, type KVClient } from 'etcd3';

interface Write {
  readonly value: string;
  readonly lease: string | undefined;
}

export class Tx {
  /** Keys read, with what was found: compared on commit. */
  readonly #read = new Map<string, IKeyValue | null>();
  /** Keys whose existence (not value) was read: compared by create revision. */
  readonly #present = new Map<string, number>();
  readonly #writes = new Map<string, Write | null>();

  constructor(readonly kv: KVClient) {}

  async get(key: string): Promise<IKeyValue | null> {
    if (this.#read.has(key)) return this.#read.get(key)!;
    const { kvs } = await this.kv.range({ key: Buffer.from(key) });
    const found = kvs[0] ?? null;
    this.#read.set(key, found);
    return found;
  }

  /** Whether `key` exists; the commit then requires it to be the same key (same creation) or still absent. */
  async exists(key: string): Promise<boolean> {
    if (this.#read.has(key)) return this.#read.get(key) !== null;
    if (!this.#present.has(key)) {
      const { kvs } = await this.kv.range({ key: Buffer.from(key), keys_only: true });
      this.#present.set(key, kvs[0] ? Number(kvs[0].create_revision) : 0);
    }
    return this.#present.get(key)! !== 0;
  }

  put(key: string, value: string, lease?: string): void {
    this.#writes.set(key, { value, lease });
  }

  delete(key: string): void {
    this.#writes.set(key, null);
  }

  /** The revision of the commit, or null if a key read had changed (nothing was written). */
  async commit(): Promise<number | null> {
    const compare = [
      ...[...this.#read].map(([key, kv]) =>
        kv
          ? { key: Buffer.from(key), target: CompareTarget.Mod, result: CompareResult.Equal, mod_revision: kv.mod_revision }
          : { key: Buffer.from(key), target: CompareTarget.Create, result: CompareResult.Equal, create_revision: 0 },
      ),
      ...[...this.#present].map(([key, revision]) => ({
        key: Buffer.from(key),
        target: CompareTarget.Create,
        result: CompareResult.Equal,
        create_revision: revision,
      })),
    ];
    const success: IRequestOp[] = [...this.#writes].map(([key, write]) =>
      write
        ? { request_put: { key: Buffer.from(key), value: Buffer.from(write.value), ...(write.lease ? { lease: write.lease } : {}) } }
        : { request_delete_range: { key: Buffer.from(key) } },
    );
    const response = await this.kv.txn({ compare, success, failure: [] });
    return response.succeeded ? Number(response.header.revision) : null;
  }
}

/** A failure of this code rather than of the cluster: repeating the transition would fail again. */
export function isBug(error: unknown): boolean {
  return error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError || error instanceof ReferenceError;
}

/** Waits a little longer after each conflict, with jitter, so that contenders do not collide again in step. */
export function backoff(attempt: number, ceiling: number): Promise<void> {
  if (attempt <= 1) return Promise.resolve();
  const ms = Math.random() * Math.min(ceiling, 2 ** Math.min(attempt, 10));
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `body` in transactions until one commits: the body's result and the commit's
 * revision. For transitions whose repetition is harmless (they decide from what they
 * read: ending the sessions that are gone); a session's own transitions go through its
 * receipt instead (`engine.ts`).
 */
export async function transact<T>(
  kv: KVClient,
  body: (tx: Tx) => Promise<T>,
  stopped: () => boolean,
): Promise<{ result: T; revision: number }> {
  for (let attempt = 1; ; attempt++) {
    if (stopped()) throw new Error('the session has ended');
    const tx = new Tx(kv);
    try {
      const result = await body(tx);
      const revision = await tx.commit();
      if (revision !== null) return { result, revision };
      await backoff(attempt, 50);
    } catch (error) {
      if (stopped() || isBug(error)) throw error;
      // The cluster is electing a leader or a member is gone: the next attempt reads again.
      await backoff(attempt + 5, 1000);
    }
  }
}
