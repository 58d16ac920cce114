// Damage campaigns: copies of a live namespace, each with words of one region set to
// values that cannot be right, are used by a new process through the public API. Every
// step ends in working objects or a typed error (a NamespaceError, or a Win32Error with
// its code); never a crash, a hang, or an untyped error. WAITABLES_DAMAGE_TRIALS sets
// the copies per region (default 6).
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { uniqueName } from '../helpers/names.js';
import { layout, namespaceFile, privateNamespaceDir, region, runFixture, startFixture, lines } from '../helpers/region.js';

const TRIALS = Number(process.env.WAITABLES_DAMAGE_TRIALS ?? 6);
const { H, OFFSET, LIMITS, HEADER_WORDS, THREAD_WORDS, OBJECT_WORDS, HANDLE_WORDS, PROCESS_WORDS } = layout;

const source = { dir: '', prefix: uniqueName('damage') };
let populator: ReturnType<typeof startFixture>;

beforeAll(async () => {
  source.dir = await privateNamespaceDir();
  populator = startFixture(source.dir, 'populate.mjs', [source.prefix]);
  expect(await lines(populator)()).toBe('ready');
}, 60_000);
afterAll(async () => {
  populator.kill('SIGKILL');
  await once(populator, 'exit');
});

/** Values a damaged word may hold: boundaries, negatives, and noise. */
function badValue(): number {
  const picks = [0, -1, 1, 2, 3, 0x7fffffff, -0x80000000, LIMITS.objects, LIMITS.threads, LIMITS.handles + 1, 0x1234, 1 << 20];
  return Math.random() < 0.6 ? picks[Math.floor(Math.random() * picks.length)]! : (Math.random() * 2 ** 32) | 0;
}

/** The first words of each region: where a live namespace of a few objects has its entries. */
const regions = {
  header: { from: H.lock, words: 20 },
  log: { from: OFFSET.log, words: 64 },
  processes: { from: OFFSET.processes, words: 4 * PROCESS_WORDS },
  threads: { from: OFFSET.threads, words: 8 * THREAD_WORDS },
  'wait lists': { from: OFFSET.waitLists, words: 8 * LIMITS.waitList * 2 },
  objects: { from: OFFSET.objects, words: 40 * OBJECT_WORDS },
  handles: { from: OFFSET.handles, words: 60 * HANDLE_WORDS },
  names: { from: OFFSET.namesByte / 4, words: 20 * (LIMITS.nameUnits / 2) },
} as const;

/** A copy of the live source namespace with `count` words of one region damaged. */
async function damagedCopy(from: number, words: number, count: number): Promise<string> {
  const dir = await mkdtemp(join(process.env.WAITABLES_SHM_DIR!, 'damaged-'));
  const w = region(dir);
  // The source is live (its waiting thread takes the lock every 50 ms): a copy taken while
  // that thread held the lock would be a namespace whose live holder never lets go, which
  // is a stopped holder, not damage. Copy again until the copy's lock is free.
  for (let attempt = 0; ; attempt++) {
    await promisify(execFile)('cp', ['--sparse=always', namespaceFile(source.dir), namespaceFile(dir)]);
    if (w.read(H.lock)[0] === 0 && w.read(H.logCommitted)[0] === 0) break;
    if (attempt === 100) throw new Error('the live namespace was never copied with its lock free');
  }
  for (let i = 0; i < count; i++) w.write(from + Math.floor(Math.random() * words), [badValue()]);
  if (from === OFFSET.log && Math.random() < 0.5) w.write(H.logCommitted, [1]); // make the damaged log one to replay
  return dir;
}

const TYPED = /^(ERR_WAITABLES_NAMESPACE|ERR_WAITABLES_NAMESPACE_BUSY|ERROR_[A-Z_]+)$/;

describe('a damaged copy of a live namespace', () => {
  expect(HEADER_WORDS).toBeGreaterThan(H.lock);
  for (const [name, { from, words }] of Object.entries(regions)) {
    test(`damaged in its ${name}: every step works or fails with a typed error; no crash, no hang`, async () => {
      const problems: string[] = [];
      for (let trial = 0; trial < TRIALS; trial++) {
        const dir = await damagedCopy(from, words, 1 + (trial % 4));
        const r = await runFixture(dir, 'damage-probe.mjs', [source.prefix], 30_000);
        if (r.code !== 0) {
          problems.push(
            `trial ${trial}: ${r.signal === 'SIGKILL' ? 'hung' : `ended with ${r.code ?? r.signal}`}: ${r.stderr.slice(0, 300)}`,
          );
          continue;
        }
        const steps = JSON.parse(r.stdout) as { label: string; ok: boolean; name?: string; code?: string; message?: string }[];
        for (const s of steps) {
          if (!s.ok && !TYPED.test(String(s.code))) problems.push(`trial ${trial}, ${s.label}: untyped ${s.name} ${s.code}: ${s.message}`);
        }
      }
      expect(problems).toEqual([]);
    }, 300_000);
  }
});

describe('the damaged words reported in the field', () => {
  const { T, O, WAITING, threadWord, objectWord } = layout;

  /** The first slot index in [0, count) whose words satisfy `match`. */
  function find(words: ReturnType<typeof region>, count: number, at: (i: number) => number, match: (w: number[]) => boolean, size: number) {
    for (let i = 0; i < count; i++) if (match(words.read(at(i), size))) return i;
    return -1;
  }

  test('a waiter whose process word is garbage: a state change that concerns it is a NamespaceError', async () => {
    const dir = await damagedCopy(0, 0, 0);
    const words = region(dir);
    const waiter = find(
      words,
      LIMITS.threads,
      (t) => threadWord(t, 0),
      (w) => w[T.status] === WAITING,
      THREAD_WORDS,
    );
    expect(waiter).toBeGreaterThanOrEqual(0);
    words.write(threadWord(waiter, T.process), [0x7fff1234]);
    const steps = JSON.parse((await runFixture(dir, 'damage-probe.mjs', [source.prefix])).stdout) as { label: string; code?: string }[];
    expect(steps.find((s) => s.label === 'set auto')).toMatchObject({ code: 'ERR_WAITABLES_NAMESPACE' });
  });

  test('an object name of a huge length: inspectNamespace() is a NamespaceError, not a stack overflow', async () => {
    const dir = await damagedCopy(0, 0, 0);
    const words = region(dir);
    const named = find(
      words,
      64,
      (o) => objectWord(o, 0),
      (w) => w[O.kind] !== 0 && w[O.nameLength]! > 0,
      OBJECT_WORDS,
    );
    expect(named).toBeGreaterThanOrEqual(0);
    words.write(objectWord(named, O.nameLength), [0x7fffffff]);
    const steps = JSON.parse((await runFixture(dir, 'damage-probe.mjs', [source.prefix])).stdout) as { label: string; code?: string }[];
    expect(steps.find((s) => s.label === 'inspect')).toMatchObject({ code: 'ERR_WAITABLES_NAMESPACE' });
  });

  test('the status word of a blocked wait set to garbage: the wait ends with a NamespaceError', async () => {
    const dir = await privateNamespaceDir();
    const name = uniqueName('status');
    const user = startFixture(dir, 'namespace-user.mjs', [name]);
    const next = lines(user);
    try {
      expect(await next()).toBe('ready');
      user.stdin!.write('wait 20000\n');
      const words = region(dir);
      let waiter = -1;
      for (let attempt = 0; attempt < 500 && waiter < 0; attempt++) {
        waiter = find(
          words,
          64,
          (t) => threadWord(t, 0),
          (w) => w[T.status] === WAITING && w[T.pid] === user.pid,
          THREAD_WORDS,
        );
        if (waiter < 0) await new Promise((r) => setTimeout(r, 10));
      }
      expect(waiter).toBeGreaterThanOrEqual(0);
      words.write(threadWord(waiter, T.status), [0x1234]);
      expect(JSON.parse(await next())).toMatchObject({ ok: false, code: 'ERR_WAITABLES_NAMESPACE' });
    } finally {
      user.kill('SIGKILL');
    }
  });
});

describe('a namespace file left by a crash', () => {
  test('of the right size and all zero (the creator died before writing its header) is initialized as a new one', async () => {
    const dir = await privateNamespaceDir();
    await promisify(execFile)('truncate', ['-s', String(OFFSET.sizeBytes), namespaceFile(dir)]);
    await promisify(execFile)('chmod', ['600', namespaceFile(dir)]);
    expect((await runFixture(dir, 'namespace-probe.mjs')).stdout).toContain('"ok":true');
  });
});
