// Every JavaScript block of every README runs as written, as an ES module on this Node
// (on Linux and on Windows Node under Wine). The TypeScript and shell blocks are checked
// by test/docs/readme-blocks.test.ts.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { KINDS, blocks, root } from '../helpers/readme-blocks.js';

// Inside the repository, so that `@waitables/...` imports resolve to this checkout's packages.
mkdirSync(join(root, '.cache'), { recursive: true });
const dir = mkdtempSync(join(root, '.cache', 'readme-js-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(code: string, n: number): { status: number | null; stdout: string; stderr: string } {
  const file = join(dir, `block-${n}.mjs`);
  writeFileSync(file, code);
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const all = blocks();

describe('the READMEs', () => {
  test('have only blocks of a kind a test checks (js, ts, sh, python, json), and some of each', () => {
    expect(all.filter((b) => !(KINDS as readonly string[]).includes(b.lang)).map((b) => `${b.where} ${b.lang || '(none)'}`)).toEqual([]);
    for (const kind of ['js', 'ts', 'sh']) expect(all.some((b) => b.lang === kind)).toBe(true);
  });

  test('show examples/async-tour.mjs as it is, as the tour of @waitables/async', () => {
    const file = readFileSync(join(root, 'examples', 'async-tour.mjs'), 'utf8');
    const tour = all.find((b) => b.where.startsWith('packages/async/README.md') && b.lang === 'js');
    expect(tour?.code).toBe(file.split('\n').slice(1).join('\n'));
  });
});

describe.each(all.filter((b) => b.lang === 'js').map((b, n) => [b.where, b, n] as const))('the js block at %s', (_where, block, n) => {
  test('runs to the end as written', () => {
    const r = run(block.code, n);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    if (block.where.startsWith('packages/async/README.md') && block.code.includes('A named semaphore caps work')) {
      expect(r.stdout.split('\n')).toEqual(
        expect.arrayContaining([
          'holding a slot false',
          'ran holding a slot',
          'using the device',
          'work to do',
          'signal 1',
          'the child exited',
        ]),
      );
    }
  });
});
