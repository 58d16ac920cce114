/**
 * Ending sessions across every object: the reaper (sessions whose key is gone: their
 * lease ended) and a clean close (this session's own holdings, released, not
 * abandoned). Both scan the objects once and run one transaction per object that
 * names such a session; each transaction checks again what it read, so two reapers
 * racing (every session watches the same deletions) end each holding once.
 *
 * Lifetimes: a grant key written to a session that ended before reading it is deleted
 * here, so grant keys are bounded by the live sessions' queued waits.
 */
import type { KVClient } from 'etcd3';
import { type Keys, objectId, type ObjectValue, prefixRange } from './layout.js';
import * as protocol from './protocol.js';
import { transact } from './transaction.js';

export interface ScanContext {
  readonly kv: KVClient;
  readonly keys: Keys;
  /** Runs a read, retried through elections while the session lives. */
  readonly read: <T>(fn: () => Promise<T>) => Promise<T>;
  readonly stopped: () => boolean;
}

/** Runs `end` in one transaction for each object that names a lease `names` picks out. */
async function eachObject(
  c: ScanContext,
  names: (lease: string) => boolean,
  end: (st: protocol.State, id: string) => Promise<unknown>,
): Promise<Set<string>> {
  const objects = await c.read(() => c.kv.range(prefixRange(c.keys.objects)));
  const found = new Set<string>();
  for (const kv of objects.kvs) {
    const o = JSON.parse(kv.value.toString()) as ObjectValue;
    const leases = [o.owner, ...o.permits, ...o.queue].filter((h) => h !== null).map((h) => h.lease);
    const named = leases.filter(names);
    if (named.length === 0) continue;
    for (const l of named) found.add(l);
    const id = objectId(Number(kv.create_revision), kv.key.toString().slice(c.keys.objects.length));
    await transact(
      c.kv,
      async (tx) => {
        const st = new protocol.State(tx, c.keys);
        await end(st, id);
        st.finish();
      },
      c.stopped,
    );
  }
  return found;
}

/** Ends every session whose key is gone: mutexes abandoned, units back, waits out. Resolves to how many. */
export async function endSessionsGone(c: ScanContext): Promise<number> {
  const sessions = await c.read(() => c.kv.range({ ...prefixRange(c.keys.sessions), keys_only: true }));
  const live = new Set(sessions.kvs.map((kv) => kv.key.toString().slice(c.keys.sessions.length)));
  const liveIds = new Set(sessions.kvs.map((kv) => Number(kv.create_revision)));
  // A lease missing from the list read first may belong to a session created since: each
  // transaction checks the session key itself before ending anything.
  const dead = await eachObject(
    c,
    (lease) => !live.has(lease),
    (st, id) => protocol.endHolders(st, id, async (lease) => !(await st.alive(lease)), true),
  );
  // Grants that reached sessions which ended before they read them.
  const grants = await c.read(() => c.kv.range({ ...prefixRange(c.keys.allGrants), keys_only: true }));
  const orphans = new Set<number>();
  for (const kv of grants.kvs) {
    const session = Number(kv.key.toString().slice(c.keys.allGrants.length).split('/')[0]);
    if (!liveIds.has(session) && session < Number(sessions.header.revision)) orphans.add(session);
  }
  for (const session of orphans) await c.kv.deleteRange(prefixRange(c.keys.grants(session))).catch(() => undefined);
  return dead.size;
}

/** A clean end of the session of `lease`: what it holds is released (not abandoned), its waits leave the queues. */
export async function releaseAll(c: ScanContext, lease: string): Promise<void> {
  await eachObject(
    c,
    (l) => l === lease,
    (st, id) => protocol.endHolders(st, id, (l) => Promise.resolve(l === lease), false),
  );
}
