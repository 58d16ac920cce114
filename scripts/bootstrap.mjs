// Sets up a fresh clone: a project-local pnpm (the exact version of packageManager,
// installed by npm under .cache/pnpm; a pnpm the user has is never replaced or used),
// then the workspace's dependencies. Needs no root. Idempotent.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.replace(/^pnpm@/, '');
const prefix = join(root, '.cache', 'pnpm');
const pnpm = join(prefix, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
const installed = () => existsSync(pnpm) && JSON.parse(readFileSync(join(prefix, 'node_modules', 'pnpm', 'package.json'), 'utf8')).version;

if (installed() !== version) {
  console.log(`bootstrap: installing pnpm ${version} into .cache/pnpm (project-local)`);
  execFileSync(
    'npm',
    ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--no-update-notifier', `pnpm@${version}`],
    {
      stdio: 'inherit',
    },
  );
}
console.log(`bootstrap: pnpm ${version} install`);
// No "update available" box: this pnpm is pinned on purpose, and its advice would replace a global one.
execFileSync(process.execPath, [pnpm, 'install', '--frozen-lockfile=false'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, npm_config_update_notifier: 'false' },
});
