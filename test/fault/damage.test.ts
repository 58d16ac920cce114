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
  await promisify(execFile)('cp', ['--sparse=always', namespaceFile(source.dir), namespaceFile(dir)]);
  const w = region(dir);
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

describe('a namespace file left by a crash', () => {
  test('of the right size and all zero (the creator died before writing its header) is initialized as a new one', async () => {
    const dir = await privateNamespaceDir();
    await promisify(execFile)('truncate', ['-s', String(OFFSET.sizeBytes), namespaceFile(dir)]);
    await promisify(execFile)('chmod', ['600', namespaceFile(dir)]);
    expect((await runFixture(dir, 'namespace-probe.mjs')).stdout).toContain('"ok":true');
  });
});
