// The project's own scripts, as a newcomer meets them: which Wine the test command uses,
// the closing summary of a test run (a platform that did not run is never passed over),
// and a package that npm must not pack.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { root } from '../helpers/readme-blocks.js';

const work = mkdtempSync(join(tmpdir(), 'waitables-scripts-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function script(name: string, args: string[], env: Record<string, string | undefined> = {}) {
  return spawnSync(process.execPath, [join(root, 'scripts', name), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
}

/** A folder holding executable stubs with these names. */
function binDir(...names: string[]): string {
  const dir = mkdtempSync(join(work, 'bin-'));
  for (const name of names) {
    writeFileSync(join(dir, name), '#!/bin/sh\nexit 0\n');
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

describe('scripts/wine.mjs finds Wine', () => {
  const path = process.env.PATH ?? '';
  test('wine64 on PATH first', () => {
    const dir = binDir('wine64', 'wine');
    const r = script('wine.mjs', ['which'], { PATH: `${dir}${delimiter}${path}`, WAITABLES_WINE: undefined });
    expect(r.stdout.trim()).toBe(join(dir, 'wine64'));
  });

  test('then wine on PATH', () => {
    const dir = binDir('wine');
    const r = script('wine.mjs', ['which'], { PATH: `${dir}${delimiter}${path}`, WAITABLES_WINE: undefined });
    expect(r.stdout.trim()).toBe(join(dir, 'wine'));
  });

  test('WAITABLES_WINE over anything on PATH', () => {
    const dir = binDir('wine64');
    const r = script('wine.mjs', ['which'], { PATH: `${dir}${delimiter}${path}`, WAITABLES_WINE: '/opt/wine/bin/wine' });
    expect(r.stdout.trim()).toBe('/opt/wine/bin/wine');
  });
});

describe('scripts/test-summary.mjs', () => {
  const report = (passed: number, failed: number, brokenFiles = 0) => ({
    numPassedTests: passed,
    numFailedTests: failed,
    numPendingTests: 0,
    numTodoTests: 0,
    testResults: Array.from({ length: brokenFiles }, () => ({ status: 'failed', assertionResults: [] })),
  });
  const results = (files: Record<string, unknown>) => {
    const dir = mkdtempSync(join(work, 'results-'));
    mkdirSync(dir, { recursive: true });
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, `${name}.json`), JSON.stringify(content));
    return script('test-summary.mjs', [], { WAITABLES_TEST_RESULTS: dir });
  };

  test('ends with a line per platform and the total; status 0 when all passed', () => {
    const r = results({ linux: report(10, 0), wine: report(7, 0) });
    expect(r.stdout).toBe(
      'linux (native): 10 passed, 0 failed\nwindows (Node under Wine): 7 passed, 0 failed\ntotal: 17 passed, 0 failed\n',
    );
    expect(r.status).toBe(0);
  });

  test('a platform without a report is NOT RUN, and fails the run', () => {
    const r = results({ linux: report(10, 0) });
    expect(r.stdout).toContain('windows (Node under Wine): NOT RUN');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('total: 10 passed, 0 failed, not run: wine');
    expect(r.status).toBe(1);
  });

  test('a failed test, or a test file that failed to load, fails the run', () => {
    const failing = results({ linux: report(10, 1), wine: report(7, 0) });
    expect(failing.stdout.trimEnd().split('\n').at(-1)).toBe('total: 17 passed, 1 failed');
    expect(failing.status).toBe(1);
    const broken = results({ linux: report(10, 0, 2), wine: report(7, 0) });
    expect(broken.stdout).toContain('linux (native): 10 passed, 0 failed, 2 test files failed to load');
    expect(broken.stdout.trimEnd().split('\n').at(-1)).toBe('total: 17 passed, 2 failed');
    expect(broken.status).toBe(1);
  });
});

describe('packing with npm', () => {
  test('is refused (only pnpm rewrites the workspace:^ ranges), before anything is built or written', () => {
    // Run from vitest under pnpm: the pnpm user agent left in the environment must not fool the check.
    const r = spawnSync('npm', ['pack', '--dry-run'], { cwd: join(root, 'packages', 'async'), encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('pack and publish this package with pnpm');
  });
});
