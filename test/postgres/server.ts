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
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, postgresBin } from '../../scripts/postgres-binaries.mjs';
import { processAlive } from '../helpers/process-alive.js';

export { postgresBin };

const PREFIX = 'waitables-pg-';
const isRoot = process.getuid?.() === 0;

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

export interface TestServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly port: number;
  /** Restarts the server (every connection is cut; the data stays). */
  restart(): void;
  /**
   * Crashes the server (`pg_ctl stop -m immediate`: what has not reached the WAL files
   * is lost, as in a power cut with synchronous_commit off) and starts it again.
   */
  crash(): void;
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
  /** More server settings (`name=value`), after the defaults. */
  readonly settings?: readonly string[];
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
      ...(options.settings ?? []).map((setting) => `-c ${setting}`),
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
    crash: () => {
      run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      start();
    },
    stop,
    log: () => (existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8') : ''),
  };
}
