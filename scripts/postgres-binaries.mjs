// PostgreSQL's server binaries for the tests and the bench (both start throwaway
// servers of their own): Debian's /usr/lib/postgresql/<version>/bin, installed with
// apt-get if missing, as scripts/wine.mjs installs Wine; impossible means an error, never
// a skip. Also a free loopback port for such a server.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function findBin() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

/**
 * The server binaries' directory, installed with apt-get if missing. Callers start in
 * parallel: the install runs under a file lock and checks again once it has it. Debian's
 * package would create and start a cluster of its own on port 5432; nobody here wants one.
 */
export function postgresBin() {
  const found = findBin();
  if (found) return found;
  if (process.getuid?.() !== 0)
    throw new Error('PostgreSQL is not installed and this is not root: install it with `apt-get install -y postgresql`');
  const script = [
    'set -e',
    'ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && exit 0',
    'mkdir -p /etc/postgresql-common',
    '[ -e /etc/postgresql-common/createcluster.conf ] || echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf',
    'apt-get update -qq',
    'apt-get install -y -qq --no-install-recommends postgresql',
  ].join('\n');
  const result = spawnSync('flock', [join(tmpdir(), 'waitables-pg-install.lock'), 'sh', '-c', script], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.status !== 0) throw new Error('apt-get install postgresql failed: no PostgreSQL server can be started');
  const installed = findBin();
  if (!installed) throw new Error('apt-get installed postgresql, but no /usr/lib/postgresql/*/bin/initdb was found');
  return installed;
}

/** A loopback port nobody listens on now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
