// The PostgreSQL column of the differential test: the same seeded random operations on
// @waitables/async's local objects (this machine's backend) and on @waitables/postgres
// objects (on PostgreSQL, and on the in-process engine) must give the same results,
// operation by operation. The operations are those
// both support without a race: non-blocking acquires and waits (timeout 0), wait-any
// and wait-all, releases, ReleaseSemaphore with its ERROR_TOO_MANY_POSTS, set, reset
// and pulse. (Queued waits are compared by the other files' FIFO and hand-over tests.)
// Wait-any and wait-all draw from the semaphores and events only: @waitables/async runs
// a compound wait that includes a mutex on a wait thread, and with `timeout: 0` its
// timer wins against that thread's answer, so it times out even on a free mutex.
// Reader-writer locks have no local counterpart: there the PostgreSQL and in-process
// engines are compared with each other, queued waits and aborts included (each step
// waits until the grants it caused have arrived, so both runs see one order).
// The comparison itself (differential-run.ts) is shared with the etcd suite.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, type Database, type ReadLock, type RwLock, type WriteLock } from '@waitables/postgres';
import { compare, generator } from './differential-run.js';
import { freshSchema, until, usePostgres } from './helpers.js';

const pgServer = usePostgres();
let db: Database;
beforeAll(async () => {
  db = await connect(pgServer.server.url, { schema: freshSchema() });
});
afterAll(() => db?.close());

it('gives the same results on PostgreSQL as the local backend for 300 seeded random operations', () => compare(db));

it('gives the same results on the in-process engine (memory:) as the local backend', async () => {
  const memory = await connect(`memory:differential-${process.pid}`);
  try {
    await compare(memory);
  } finally {
    await memory.close();
  }
});

/** The seeded reader-writer lock operations on one engine: each step's result and the lock's state after it. */
async function rwTrace(open: () => Promise<Database>, seed: number): Promise<string[]> {
  const random = generator(seed);
  const int = (n: number) => Math.floor(random() * n);
  const conns = [await open(), await open(), await open()];
  const locks: RwLock[] = [await conns[0]!.RwLock.create({ name: 'rw' })];
  for (const c of conns.slice(1)) locks.push(await c.RwLock.open('rw'));
  const who = (session: number) => conns.findIndex((c) => c.sessionId === session);
  // Fences of PostgreSQL start at its epoch (epoch * 2^32 + 1), the in-process engine's at 1.
  const fence = (f: number) => f % 2 ** 32;
  type Holding = ReadLock | WriteLock;
  const held: { name: string; holding: Holding }[] = [];
  interface Pending {
    name: string;
    controller: AbortController;
    outcome: Holding | Error | null;
  }
  const pending: Pending[] = [];
  let waits = 0;
  const state = async () => (await conns[0]!.list()).find((o) => o.name === 'rw')!;
  const settle = async () => {
    // Every wait the server granted or took out has reached its promise.
    await until(async () => pending.filter((p) => p.outcome === null).length === (await state()).queue.length, 'the grants arrived');
    const log: string[] = [];
    for (const p of pending.splice(0)) {
      if (p.outcome === null) pending.push(p);
      else if (p.outcome instanceof Error) log.push(`${p.name} ${p.outcome.name}`);
      else {
        held.push({ name: p.name, holding: p.outcome });
        log.push(`${p.name} granted ${fence(p.outcome.fence)}${p.outcome.abandoned ? ' abandoned' : ''}`);
      }
    }
    const o = await state();
    const holders = o.holders.map((h) => `${who(h.session)}${h.shared ? 'r' : 'w'}`).sort();
    const queue = o.queue.map((w) => `${who(w.session)}${w.shared ? 'r' : 'w'}`);
    return `${log.join(', ')} | count ${o.count} fence ${fence(o.fence)} holders [${holders.join(' ')}] queue [${queue.join(' ')}]`;
  };
  const trace: string[] = [];
  try {
    for (let step = 0; step < 120; step++) {
      const roll = int(8);
      const c = int(conns.length);
      const write = random() < 0.4;
      let result: string;
      if (roll <= 1) {
        const got = write ? await locks[c]!.tryWrite() : await locks[c]!.tryRead();
        if (got) held.push({ name: `try${step}`, holding: got });
        result = `${c} try${write ? 'Write' : 'Read'}: ${got ? `fence ${fence(got.fence)}` : 'null'}`;
      } else if (roll <= 3 && held.length > 0) {
        const [h] = held.splice(int(held.length), 1);
        await h!.holding.release();
        result = `release ${h!.name}`;
      } else if (roll === 4 && pending.length > 0) {
        const p = pending[int(pending.length)]!;
        p.controller.abort();
        await until(() => p.outcome !== null, 'the abort settled');
        result = `abort ${p.name}`;
      } else if (pending.length < 4) {
        const name = `w${++waits}`;
        const p: Pending = { name, controller: new AbortController(), outcome: null };
        const queuedBefore = (await state()).queue.length;
        const signal = p.controller.signal;
        void (write ? locks[c]!.write({ signal }) : locks[c]!.read({ signal })).then(
          (h) => (p.outcome = h),
          (e: Error) => (p.outcome = e),
        );
        pending.push(p);
        await until(async () => p.outcome !== null || (await state()).queue.length > queuedBefore, 'granted or queued');
        result = `${c} ${name} ${write ? 'write' : 'read'}`;
      } else {
        result = 'skip';
      }
      trace.push(`${result} -> ${await settle()}`);
    }
    for (const p of pending) p.controller.abort();
    await until(() => pending.every((p) => p.outcome !== null), 'every wait settled');
    trace.push(`abort all -> ${await settle()}`);
    for (const h of held.splice(0)) await h.holding.release();
    trace.push(`release all -> ${await settle()}`);
  } finally {
    for (const c of conns) await c.close();
  }
  return trace;
}

it('gives the same results on PostgreSQL and on the in-process engine for 120 seeded reader-writer lock operations, queued waits and aborts included', async () => {
  const seed = Number(process.env.WAITABLES_SEED ?? 20261205);
  const schema = freshSchema();
  const onPostgres = await rwTrace(() => connect(pgServer.server.url, { schema }), seed);
  const inProcess = await rwTrace(() => connect(`memory:rw-differential-${process.pid}`), seed);
  expect(inProcess, `seed ${seed}`).toEqual(onPostgres);
  const text = onPostgres.join('\n');
  // The sequence exercised readers together, a writer, a queued wait granted, an abort, a reader behind a writer.
  for (const seen of [/holders \[\d+r \d+r/, /holders \[\d+w\]/, /w\d+ granted/, /AbortError/, /queue \[\d+w \d+r/])
    expect(text).toMatch(seen);
  expect(onPostgres.at(-1)).toMatch(/count 0 fence \d+ holders \[\] queue \[\]$/);
});
