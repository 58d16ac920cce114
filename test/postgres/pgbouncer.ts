/**
 * A real PgBouncer in front of a test's server: Debian's `pgbouncer` (installed with
 * apt-get where missing, as PostgreSQL is), run as the `postgres` user when root, with a
 * config of its own in a temporary directory, on a free loopback port, in the pool mode
 * asked. Stopped (its pid killed, the directory removed) by `stop()`, and at exit if the
 * test process ends first.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../scripts/postgres-binaries.mjs';
import { processAlive } from '../helpers/process-alive.js';
import { until } from './helpers.js';

const isRoot = process.getuid?.() === 0;

export interface Bouncer {
  readonly url: string;
  stop(): void;
}

function binary(): string {
  for (const path of ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer']) if (existsSync(path)) return path;
  if (!isRoot) throw new Error('pgbouncer is not installed and this is not root: install it with `apt-get install -y pgbouncer`');
  const script =
    'command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] || (apt-get update -qq && apt-get install -y -qq pgbouncer)';
  const result = spawnSync('flock', [join(tmpdir(), 'waitables-pgbouncer-install.lock'), 'sh', '-c', script], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.status !== 0 || !existsSync('/usr/sbin/pgbouncer')) throw new Error('could not install pgbouncer with apt-get');
  return '/usr/sbin/pgbouncer';
}

export async function startBouncer(serverPort: number, mode: 'session' | 'transaction' | 'statement'): Promise<Bouncer> {
  const bin = binary();
  const dir = mkdtempSync(join(tmpdir(), `waitables-pgbouncer-${process.pid}-`));
  if (isRoot) chownSync(dir, Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim()), 0);
  const port = await freePort();
  const ini = join(dir, 'pgbouncer.ini');
  const pidfile = join(dir, 'pgbouncer.pid');
  writeFileSync(join(dir, 'users.txt'), '"postgres" ""\n');
  writeFileSync(
    ini,
    [
      '[databases]',
      `* = host=127.0.0.1 port=${serverPort}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      `pool_mode = ${mode}`,
      'max_client_conn = 50',
      // Each process of ours takes two server connections (its session, its watcher), and one more briefly at connect.
      'default_pool_size = 10',
      'unix_socket_dir =',
      `logfile = ${join(dir, 'log')}`,
      `pidfile = ${pidfile}`,
      '',
    ].join('\n'),
  );
  const stop = () => {
    process.off('exit', stop);
    if (existsSync(pidfile)) {
      const pid = Number(readFileSync(pidfile, 'utf8').trim());
      if (pid > 0 && processAlive(pid)) process.kill(pid, 'SIGTERM'); // immediate shutdown
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', stop);
  const args = ['-d', ini];
  const result = isRoot
    ? spawnSync('runuser', ['-u', 'postgres', '--', bin, ...args], { encoding: 'utf8' })
    : spawnSync(bin, args, { encoding: 'utf8' });
  if (result.status !== 0) {
    stop();
    throw new Error(`pgbouncer failed (${result.status}): ${result.stderr}${result.stdout}`);
  }
  // Daemonized: it may not listen yet when the command returns.
  const log = () => (existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8') : '');
  try {
    await until(() => accepts(port), `pgbouncer listening on ${port}`, 10_000);
  } catch (error) {
    const text = log();
    stop();
    throw new Error(`${(error as Error).message}; its log: ${text}`, { cause: error });
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
