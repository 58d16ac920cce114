// The differential run shared by the PostgreSQL and etcd columns: see
// test/postgres/differential.test.ts for what it compares and why.
import { expect } from 'vitest';
import * as local from '@waitables/async';
import { type Database, type RemoteObject, waitAll, waitAny } from '@waitables/postgres';

// mulberry32: a small seeded generator.
export function generator(seed: number): () => number {
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
        void lock!.release();
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

/** Runs 300 seeded operations on the local backend and on `db`, and expects the same results. */
export async function compare(db: Database): Promise<void> {
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
