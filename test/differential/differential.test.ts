// The same seeded sequence of operations (create, open, set, reset, pulse, release,
// wait-any and wait-all with timeout 0, close; from three threads of one process and
// from a second process) must give identical results on the Linux backend and on
// Windows' kernel32 (Windows Node under Wine).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const trace = 'test/differential/trace.mjs';

async function traces(seed: number, operations: number): Promise<{ linux: unknown[]; windows: unknown[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'waitables-diff-'));
  const linuxFile = join(dir, 'linux.json');
  // Under Wine the output file is written by Windows node: give it a path inside the repository's cache.
  const windowsFile = join(root, '.cache', `diff-${process.pid}-${seed}.json`);
  await Promise.all([
    run(process.execPath, [trace, String(seed), linuxFile, String(operations)], { cwd: root }),
    run(process.execPath, ['scripts/wine.mjs', 'node', trace, String(seed), windowsFile, String(operations)], { cwd: root }),
  ]);
  try {
    return {
      linux: JSON.parse(readFileSync(linuxFile, 'utf8')) as unknown[],
      windows: JSON.parse(readFileSync(windowsFile, 'utf8')) as unknown[],
    };
  } finally {
    await Promise.all([rm(dir, { recursive: true, force: true }), rm(windowsFile, { force: true })]);
  }
}

describe('Linux and Windows', () => {
  test.each([101, 202, 303, 404])(
    'give identical results for the random sequence of seed %i',
    async (seed) => {
      const { linux, windows } = await traces(seed, 400);
      expect(linux.length).toBeGreaterThan(100);
      const first = linux.findIndex((entry, i) => JSON.stringify(entry) !== JSON.stringify(windows[i]));
      expect(first === -1 ? null : { step: first, linux: linux[first], windows: windows[first] }).toBeNull();
      expect(windows).toHaveLength(linux.length);
    },
    120_000,
  );
});
