// prepack of every package: refuses npm (only pnpm pack / pnpm publish rewrite the
// `workspace:^` ranges into real versions; npm would publish them as they are, and
// nobody could install the package), then builds, so that dist/ is never stale.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// npm_execpath names the package manager that runs this script (the user agent alone can
// be inherited from a pnpm that started npm).
const agent = process.env.npm_config_user_agent ?? '';
const runner = process.env.npm_execpath ?? '';
if (!agent.startsWith('pnpm/') || !/pnpm/.test(runner)) {
  console.error(
    'prepack: pack and publish this package with pnpm (pnpm pack, pnpm publish): its dependencies on the other ' +
      `@waitables packages are "workspace:^" ranges, which only pnpm rewrites into versions (packing with: ${runner || agent.split(' ')[0] || 'unknown'})`,
  );
  process.exit(1);
}
const r = spawnSync(process.execPath, [join(import.meta.dirname, 'build.mjs')], { stdio: 'inherit' });
process.exit(r.status ?? 1);
