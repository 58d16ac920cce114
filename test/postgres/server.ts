/**
 * A real PostgreSQL server for one test file: initdb in a temporary directory, started
 * on a loopback port of its own with a small footprint (fsync off: a throwaway server),
 * stopped and removed when the file ends, also when it fails (afterAll, and an exit
 * hook for a worker that dies). Directories of runs that were killed are removed by the
 * next run. As root the server runs as the `postgres` user (it refuses root).
 *
 * Where PostgreSQL is missing it is installed with apt-get (as scripts/wine.mjs installs
 * Wine); if that is impossible the tests fail, loudly: nothing is skipped.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'waitables-pg-';
const isRoot = process.getuid?.() === 0;

function findBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

/**
 * The server binaries, installed with apt-get if missing. Test files start in parallel:
 * the install runs under a file lock, and checks again once it has it. Debian's package
 * would create and start a cluster of its own on port 5432; the tests do not want one.
 */
export function postgresBin(): string {
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
  if (result.status !== 0) throw new Error('apt-get install postgresql failed: cannot run the PostgreSQL tests');
  const installed = findBin();
  if (!installed) throw new Error('apt-get installed postgresql, but no /usr/lib/postgresql/*/bin/initdb was found');
  return installed;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function run(command: string, args: string[], options: SpawnSyncOptions = {}): void {
  const full = isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  const result = spawnSync(full[0] as string, full[1] as string[], { encoding: 'utf8', ...options });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${String(result.stderr)}${String(result.stdout)}`);
}

function stopQuietly(bin: string, dir: string): void {
  if (!existsSync(join(dir, 'data', 'postmaster.pid'))) return;
  try {
    run(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
  } catch {
    // Already stopped.
  }
}

/** Removes the servers of runs whose process is gone. */
function removeAbandoned(bin: string): void {
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(PREFIX)) continue;
    const pid = Number(entry.slice(PREFIX.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || processAlive(pid)) continue;
    const dir = join(tmpdir(), entry);
    stopQuietly(bin, dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface TestServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly port: number;
  /** Restarts the server (every connection is cut; the data stays). */
  restart(): void;
  /** Stops the server and removes its directory. */
  stop(): void;
  /** The server's log so far (for failure messages). */
  log(): string;
}

export interface ServerOptions {
  /** Addresses to listen on besides 127.0.0.1 (the host side of a test's network namespace). */
  readonly addresses?: readonly string[];
  /** Networks (CIDR) allowed to connect besides loopback. */
  readonly clients?: readonly string[];
}

export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const bin = postgresBin();
  removeAbandoned(bin);
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
  if (isRoot) chownSync(dir, Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim()), 0);
  let port = await freePort();
  const data = join(dir, 'data');
  const settingsFor = (port: number) =>
    [
      `-p ${port}`,
      `-c listen_addresses=${['127.0.0.1', ...(options.addresses ?? [])].join(',')}`,
      `-c unix_socket_directories=${dir}`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c shared_buffers=8MB',
      '-c max_connections=50',
      '-c max_wal_senders=0',
      '-c autovacuum=off',
    ].join(' ');
  const start = () => run(join(bin, 'pg_ctl'), ['-D', data, '-w', '-t', '60', '-l', join(dir, 'log'), '-o', settingsFor(port), 'start']);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stop);
    stopQuietly(bin, dir);
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', stop);
  try {
    run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '--no-sync', '-U', 'postgres', '-E', 'UTF8']);
    const hba = (options.clients ?? []).map((net) => `host all all ${net} trust\n`).join('');
    if (hba) appendFileSync(join(data, 'pg_hba.conf'), hba);
    // Another program may take the free port between the probe and the start: try others.
    for (let attempt = 1; ; attempt++) {
      try {
        start();
        break;
      } catch (error) {
        if (attempt === 3) throw error;
        port = await freePort();
      }
    }
  } catch (error) {
    stop();
    throw error;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    restart: () => {
      run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
      start();
    },
    stop,
    log: () => (existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8') : ''),
  };
}
