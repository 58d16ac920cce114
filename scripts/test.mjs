// The test command (`npm test`): every step runs whatever happened before it, so one
// failing platform never hides the other's results. Steps: build, lint (with the API
// reference check), the suites on Linux, the suites on Windows Node under Wine, then a
// line per platform and `total: N passed, N failed`. Exits non-zero if any step failed
// or a platform reported nothing (a platform that did not run is a failure, never a skip).
//
//   node scripts/test.mjs                  everything
//   node scripts/test.mjs --linux          build, lint and the Linux suites only
//   node scripts/test.mjs FILE...          build, lint, and these test files on both platforms
//                                          (npm test -- FILE... passes them here)
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { summarize } from './test-summary.mjs';

const root = join(import.meta.dirname, '..');
// Options start with --; anything else is a test file (`npm test -- test/cli` passes it here).
const args = process.argv.slice(2).filter((a) => a !== '--');
const linuxOnly = args.includes('--linux');
const files = args.filter((a) => !a.startsWith('--'));
const bin = (name) => join(root, 'node_modules', '.bin', name);

// Logs (CI, a file) get no colour codes; a terminal does.
const env = { ...process.env };
if (!process.stdout.isTTY) {
  env.NO_COLOR = '1';
  delete env.FORCE_COLOR;
}

function run(label, command, args) {
  console.log(`\n== ${label}: ${[command, ...args].join(' ')}`);
  const began = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env, stdio: 'inherit' });
    child.once('error', (error) => {
      console.error(`== ${label}: cannot start: ${error.message}`);
      resolve(false);
    });
    child.once('exit', (code, signal) => {
      const ok = code === 0;
      console.log(`== ${label}: ${ok ? 'ok' : `FAILED (${signal ?? `status ${code}`})`} in ${((Date.now() - began) / 1000).toFixed(0)} s`);
      resolve(ok);
    });
  });
}

rmSync(join(root, '.cache', 'test-results'), { recursive: true, force: true });
const steps = [
  ['build', process.execPath, [join(root, 'scripts', 'build.mjs')]],
  ['lint', process.execPath, [join(root, 'scripts', 'lint.mjs')]],
  [
    'linux suites',
    bin('vitest'),
    ['run', '--reporter=default', '--reporter=json', '--outputFile.json=.cache/test-results/linux.json', ...files],
  ],
];
if (!linuxOnly) steps.push(['windows suites (Node under Wine)', process.execPath, [join(root, 'scripts', 'wine.mjs'), 'test', ...files]]);

const failedSteps = [];
for (const [label, command, args] of steps) if (!(await run(label, command, args))) failedSteps.push(label);

console.log('');
if (failedSteps.length > 0) console.log(`failed steps: ${failedSteps.join(', ')}`);
const { ok } = linuxOnly ? summarize(['linux'], ['wine']) : summarize(['linux', 'wine']);
process.exitCode = ok && failedSteps.length === 0 ? 0 : 1;
