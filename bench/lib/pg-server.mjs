// A throwaway PostgreSQL server for the bench, as test/postgres/server.ts starts one for
// the tests: initdb in a temporary directory, a free loopback port, durable unless asked (fsync on), run as the
// `postgres` user when root (the server refuses root), stopped and removed at the end or
// at exit. Missing binaries are installed with apt-get as the tests do; if that is
// impossible it throws: the scenario is then broken, loudly.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, postgresBin } from '../../scripts/postgres-binaries.mjs';

const isRoot = process.getuid?.() === 0;

function run(command, args) {
  const [file, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  const result = spawnSync(file, argv, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}${result.stdout}`);
}

/**
 * Starts a server; resolves to { url, stop(), settings }. `maxConnections` bounds the
 * fleet it serves. `durable` (the default) keeps fsync, synchronous_commit and
 * full_page_writes on, as a production server has them: figures from a server without
 * them flatter every commit. `settings` says which were used, for the report.
 */
export async function startServer({ maxConnections = 100, durable = true } = {}) {
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
  const durability = durable
    ? ['-c fsync=on', '-c synchronous_commit=on', '-c full_page_writes=on']
    : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'];
  const settings = durability.map((s) => s.slice(3)).join(', ');
  try {
    run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '--no-sync', '-U', 'postgres', '-E', 'UTF8']);
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const options = [
        `-p ${port}`,
        '-c listen_addresses=127.0.0.1',
        `-c unix_socket_directories=${dir}`,
        ...durability,
        '-c shared_buffers=16MB',
        `-c max_connections=${maxConnections}`,
        '-c max_wal_senders=0',
        '-c autovacuum=off',
      ].join(' ');
      try {
        run(join(bin, 'pg_ctl'), ['-D', data, '-w', '-t', '60', '-l', join(dir, 'log'), '-o', options, 'start']);
        return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop, settings };
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
