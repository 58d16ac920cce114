// The lint step: eslint, prettier --check and the API reference check (scripts/api-docs.mjs).
// Each runs whatever the previous one found; exits non-zero if any failed.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const modules = join(root, 'node_modules');
const checks = [
  ['eslint', [join(modules, 'eslint', 'bin', 'eslint.js'), '.']],
  ['prettier', [join(modules, 'prettier', 'bin', 'prettier.cjs'), '--check', '.']],
  ['api docs', [join(root, 'scripts', 'api-docs.mjs')]],
];
const failed = checks
  .filter(([, args]) => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' }).status !== 0)
  .map(([name]) => name);
if (failed.length > 0) {
  console.error(`lint: failed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
