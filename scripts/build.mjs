// Builds every package (tsc -b), then makes the command's entry point executable: tsc
// writes files without the x bit, and a clone bootstrapped before its first build would
// otherwise have a `waitables` bin that cannot be spawned (EACCES).
import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const r = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b'], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
chmodSync(join(root, 'packages', 'cli', 'dist', 'bin.js'), 0o755);
