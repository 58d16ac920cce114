// Packs every package with the project's pnpm (which rewrites the `workspace:^` ranges
// into versions) into .cache/packages/ (or the folder given), building first (prepack).
//   node scripts/pack.mjs [destination]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = join(import.meta.dirname, '..');
const destination = resolve(process.argv[2] ?? join(root, '.cache', 'packages'));
const pnpm = join(root, '.cache', 'pnpm', 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
if (!existsSync(pnpm)) {
  console.error('pack: the project-local pnpm is missing: run `npm run bootstrap` first');
  process.exit(1);
}
mkdirSync(destination, { recursive: true });
for (const name of readdirSync(join(root, 'packages')).sort()) {
  execFileSync(process.execPath, [pnpm, 'pack', '--pack-destination', destination], {
    cwd: join(root, 'packages', name),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
console.log(
  `pack: ${readdirSync(destination)
    .filter((f) => f.endsWith('.tgz'))
    .sort()
    .join(', ')} in ${destination}`,
);
