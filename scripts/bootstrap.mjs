// Sets up a fresh machine: pnpm (corepack cannot verify pnpm here, npm can install
// it), then the workspace's dependencies. Idempotent.
import { execSync } from 'node:child_process';

const PNPM = '10.34.9';
const run = (cmd) => execSync(cmd, { stdio: 'inherit' });
let have = '';
try {
  have = execSync('pnpm --version', { stdio: ['ignore', 'pipe', 'ignore'] })
    .toString()
    .trim();
} catch {
  // not installed
}
if (have !== PNPM) run(`npm install -g pnpm@${PNPM}`);
run('pnpm install --frozen-lockfile=false');
