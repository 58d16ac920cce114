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
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as local from '@waitables/async';
import {
  connect,
  type Database,
  type ReadLock,
  type RemoteObject,
  type RwLock,
  waitAll,
  waitAny,
  type WriteLock,
} from '@waitables/postgres';
import { freshSchema, until, usePostgres } from './helpers.js';

const pgServer = usePostgres();
let db: Database;
beforeAll(async () => {
  db = await connect(pgServer.server.url, { schema: freshSchema() });
});
afterAll(() => db?.close());

// mulberry32: a small seeded generator.
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Kind = 'mutex' | 'semaphore' | 'event';
interface Spec {
  kind: Kind;
  name: string;
  initial: number;
  maximum: number;
  manualReset: boolean;
}
const specs: Spec[] = [
  { kind: 'mutex', name: 'm0', initial: 0, maximum: 1, manualReset: false },
  { kind: 'mutex', name: 'm1', initial: 0, maximum: 1, manualReset: false },
  { kind: 'semaphore', name: 's0', initial: 1, maximum: 2, manualReset: false },
  { kind: 'semaphore', name: 's1', initial: 0, maximum: 3, manualReset: false },
  { kind: 'event', name: 'e0', initial: 0, maximum: 1, manualReset: false },
  { kind: 'event', name: 'e1', initial: 1, maximum: 1, manualReset: true },
];

/** One side of the comparison: every operation resolves to a comparable string. */
interface Side {
  tryTake(i: number): Promise<string>;
  releaseHeld(h: number): Promise<string>;
  releaseSemaphore(i: number, n: number): Promise<string>;
  signal(i: number, op: 'set' | 'reset' | 'pulse'): Promise<string>;
  waitAny(list: number[]): Promise<string>;
  waitAll(list: number[]): Promise<string>;
  held(): number;
}

const code = (error: unknown) => `error ${(error as { code?: string }).code ?? String(error)}`;

function localSide(): Side & { close(): void } {
  const objects = specs.map((s) =>
    s.kind === 'mutex'
      ? local.Mutex.create()
      : s.kind === 'semaphore'
        ? local.Semaphore.create({ initialCount: s.initial, maximumCount: s.maximum })
        : local.Event.create({ manualReset: s.manualReset, initialState: s.initial === 1 }),
  );
  const held: (() => Promise<void>)[] = [];
  const holdingOf = (i: number, lock: local.Lock | null) => {
    if (specs[i]!.kind === 'mutex') {
      held.push(async () => {
        lock!.release();
        await lock![Symbol.asyncDispose]();
      });
    } else if (specs[i]!.kind === 'semaphore') {
      held.push(() => Promise.resolve(void (objects[i] as local.Semaphore).release(1)));
    }
  };
  const run = async (fn: () => Promise<string> | string) => {
    try {
      return await fn();
    } catch (error) {
      return code(error);
    }
  };
  return {
    tryTake: (i) =>
      run(async () => {
        const o = objects[i]!;
        if (o instanceof local.Event) return o.wait({ timeout: 0 }).then<string, string>(() => 'ok', code);
        const taken = o.tryAcquire();
        if (!taken) return 'busy';
        if (taken instanceof local.Lock) held.push(() => (taken.release(), taken[Symbol.asyncDispose]()));
        else held.push(() => Promise.resolve(taken.release()));
        return 'taken';
      }),
    releaseHeld: (h) => run(async () => (await held.splice(h, 1)[0]!(), 'released')),
    releaseSemaphore: (i, n) => run(() => `previous ${(objects[i] as local.Semaphore).release(n)}`),
    signal: (i, op) => run(() => ((objects[i] as local.Event)[op](), op)),
    waitAny: (list) =>
      run(async () => {
        const r = await local.waitAny(
          list.map((i) => objects[i]!),
          { timeout: 0 },
        );
        holdingOf(list[r.index]!, r.lock);
        return `index ${r.index} abandoned ${r.abandoned}`;
      }),
    waitAll: (list) =>
      run(async () => {
        const r = await local.waitAll(
          list.map((i) => objects[i]!),
          { timeout: 0 },
        );
        let lock = 0;
        for (const i of list) holdingOf(i, specs[i]!.kind === 'mutex' ? r.locks[lock++]! : null);
        return `all abandoned ${r.abandoned}`;
      }),
    held: () => held.length,
    close: () => objects.forEach((o) => o.close()),
  };
}

async function postgresSide(db: Database): Promise<Side> {
  const objects: RemoteObject[] = [];
  for (const s of specs) {
    if (s.kind === 'mutex') objects.push(await db.Mutex.create({ name: s.name }));
    else if (s.kind === 'semaphore')
      objects.push(await db.Semaphore.create({ name: s.name, initialCount: s.initial, maximumCount: s.maximum }));
    else objects.push(await db.Event.create({ name: s.name, manualReset: s.manualReset, initialState: s.initial === 1 }));
  }
  const held: (() => Promise<void>)[] = [];
  const keep = (h: { release(): Promise<void> } | null) => h && held.push(() => h.release());
  const run = async (fn: () => Promise<string>) => {
    try {
      return await fn();
    } catch (error) {
      return code(error);
    }
  };
  const sem = (i: number) => objects[i] as import('@waitables/postgres').Semaphore;
  const ev = (i: number) => objects[i] as import('@waitables/postgres').Event;
  return {
    tryTake: (i) =>
      run(async () => {
        const o = objects[i]!;
        if (o.kind === 'event')
          return ev(i)
            .wait({ timeout: 0 })
            .then<string, string>(() => 'ok', code);
        const taken = await (o as import('@waitables/postgres').Mutex | import('@waitables/postgres').Semaphore).tryAcquire();
        if (!taken) return 'busy';
        keep(taken);
        return 'taken';
      }),
    releaseHeld: (h) => run(async () => (await held.splice(h, 1)[0]!(), 'released')),
    releaseSemaphore: (i, n) => run(async () => `previous ${await sem(i).release(n)}`),
    signal: (i, op) => run(async () => (await ev(i)[op](), op)),
    waitAny: (list) =>
      run(async () => {
        const r = await waitAny(
          list.map((i) => objects[i]!),
          { timeout: 0 },
        );
        keep(r.lock ?? r.permit);
        return `index ${r.index} abandoned ${r.abandoned}`;
      }),
    waitAll: (list) =>
      run(async () => {
        const r = await waitAll(
          list.map((i) => objects[i]!),
          { timeout: 0 },
        );
        // Held in the objects' order, as the local side records them.
        let l = 0;
        let p = 0;
        for (const i of list) {
          if (specs[i]!.kind === 'mutex') keep(r.locks[l++]!);
          else if (specs[i]!.kind === 'semaphore') keep(r.permits[p++]!);
        }
        return `all abandoned ${r.abandoned}`;
      }),
    held: () => held.length,
  };
}

async function compare(db: Database): Promise<void> {
  const seed = Number(process.env.WAITABLES_SEED ?? 20261202);
  const random = generator(seed);
  const int = (n: number) => Math.floor(random() * n);
  const localObjects = localSide();
  const remote = await postgresSide(db);
  const trace: { op: string; local: string; postgres: string }[] = [];
  try {
    for (let step = 0; step < 300; step++) {
      const roll = int(8);
      let op: string;
      let run: (side: Side) => Promise<string>;
      if (roll === 0 && localObjects.held() > 0) {
        const h = int(localObjects.held());
        op = `release held ${h}`;
        run = (side) => side.releaseHeld(h);
      } else if (roll <= 2) {
        const i = int(specs.length);
        op = `try ${specs[i]!.name}`;
        run = (side) => side.tryTake(i);
      } else if (roll === 3) {
        const i = 2 + int(2);
        const n = 1 + int(3);
        op = `ReleaseSemaphore ${specs[i]!.name} ${n}`;
        run = (side) => side.releaseSemaphore(i, n);
      } else if (roll === 4) {
        const i = 4 + int(2);
        const what = (['set', 'reset', 'pulse'] as const)[int(3)]!;
        op = `${what} ${specs[i]!.name}`;
        run = (side) => side.signal(i, what);
      } else if (roll === 5 || roll === 6) {
        const list = Array.from({ length: 1 + int(4) }, () => 2 + int(specs.length - 2));
        op = `waitAny ${list.map((i) => specs[i]!.name).join(',')}`;
        run = (side) => side.waitAny(list);
      } else {
        const list = [...new Set(Array.from({ length: 1 + int(3) }, () => 2 + int(specs.length - 2)))];
        op = `waitAll ${list.map((i) => specs[i]!.name).join(',')}`;
        run = (side) => side.waitAll(list);
      }
      trace.push({ op, local: await run(localObjects), postgres: await run(remote) });
    }
  } finally {
    localObjects.close();
  }
  const differences = trace.filter((t) => t.local !== t.postgres);
  if (process.env.WAITABLES_TRACE) (await import('node:fs')).writeFileSync(process.env.WAITABLES_TRACE, JSON.stringify(trace, null, 1));
  expect(differences, `seed ${seed}`).toEqual([]);
  // The sequence exercised each kind of outcome.
  const outcomes = new Set(trace.map((t) => t.local.split(' ')[0]));
  expect([...outcomes].sort()).toEqual(expect.arrayContaining(['all', 'busy', 'error', 'index', 'previous', 'released', 'taken']));
}

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
