// Every test file runs in a namespace of its own (Linux): a private directory under
// /dev/shm, handed to this worker and every process it starts through WAITABLES_SHM_DIR.
// The user's default namespace is never touched, and tests of namespace-wide counters
// are not disturbed by other programs that use waitables on the same machine.
//
// Directories are named after the process that made them; one whose process is gone
// (a test run that was killed) is removed by the next run.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { processAlive } from '../helpers/process-alive.js';

const ROOT = '/dev/shm';
const PREFIX = 'waitables-test-';

function removeAbandonedNamespaces(): void {
  for (const entry of readdirSync(ROOT)) {
    if (!entry.startsWith(PREFIX)) continue;
    const pid = Number(entry.slice(PREFIX.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && !processAlive(pid)) rmSync(join(ROOT, entry), { recursive: true, force: true });
  }
}

if (process.platform === 'linux') {
  removeAbandonedNamespaces();
  // mkdtemp makes the directory with mode 0700, as the namespace requires.
  const dir = mkdtempSync(join(ROOT, `${PREFIX}${process.pid}-`));
  process.env.WAITABLES_SHM_DIR = dir;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
}
