// A throwaway PostgreSQL server for the bench, as test/postgres/server.ts starts one for
// the tests: initdb in a temporary directory, a free loopback port, fsync off, run as the
// `postgres` user when root (the server refuses root), stopped and removed at the end or
// at exit. Missing binaries are installed with apt-get as the tests do; if that is
// impossible it throws: the scenario is then broken, loudly.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const isRoot = process.getuid?.() === 0;

function findBin() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

/** The server binaries, installed with apt-get if missing (under the tests' install lock). */
export function postgresBin() {
  const found = findBin();
  if (found) return found;
  if (!isRoot) throw new Error('PostgreSQL is not installed and this is not root: install it with `apt-get install -y postgresql`');
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
  const installed = result.status === 0 ? findBin() : null;
  if (!installed) throw new Error('apt-get install postgresql failed: no PostgreSQL server to measure against');
  return installed;
}

function run(command, args) {
  const [file, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  const result = spawnSync(file, argv, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}${result.stdout}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a server; resolves to { url, stop() }. `maxConnections` bounds the fleet it serves. */
export async function startServer({ maxConnections = 100 } = {}) {
  const bin = postgresBin();
  // The prefix of the tests' servers: their clean-up removes ours if this run is killed.
  const dir = mkdtempSync(join(tmpdir(), `waitables-pg-${process.pid}-`));
  if (isRoot) chownSync(dir, Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim()), 0);
  const data = join(dir, 'data');
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stop);
    if (existsSync(join(data, 'postmaster.pid'))) {
      try {
        run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already stopped
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', stop);
  try {
    run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '--no-sync', '-U', 'postgres', '-E', 'UTF8']);
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const settings = [
        `-p ${port}`,
        '-c listen_addresses=127.0.0.1',
        `-c unix_socket_directories=${dir}`,
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
        '-c shared_buffers=16MB',
        `-c max_connections=${maxConnections}`,
        '-c max_wal_senders=0',
        '-c autovacuum=off',
      ].join(' ');
      try {
        run(join(bin, 'pg_ctl'), ['-D', data, '-w', '-t', '60', '-l', join(dir, 'log'), '-o', settings, 'start']);
        return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
      } catch (error) {
        // Another program may have taken the port between the probe and the start.
        if (attempt === 3) throw error;
      }
    }
  } catch (error) {
    stop();
    throw error;
  }
}
