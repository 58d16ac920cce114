// prepack of every package: refuses npm (only pnpm pack / pnpm publish rewrite the
// `workspace:^` ranges into real versions; npm would publish them as they are, and
// nobody could install the package), then builds, so that dist/ is never stale.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const agent = process.env.npm_config_user_agent ?? '';
if (!agent.startsWith('pnpm/')) {
  console.error(
    'prepack: pack and publish this package with pnpm (pnpm pack, pnpm publish): its dependencies on the other ' +
      `@waitables packages are "workspace:^" ranges, which only pnpm rewrites into versions (packing with: ${agent.split(' ')[0] || 'unknown'})`,
  );
  process.exit(1);
}
const r = spawnSync(process.execPath, [join(import.meta.dirname, 'build.mjs')], { stdio: 'inherit' });
process.exit(r.status ?? 1);
