// Used by test/etcd (through test/etcd/cluster.ts) and bench/lib/etcd-scale-out.mjs.
/**
 * A real three-member etcd cluster for one test file or one benchmark run: one `etcd` process per member,
 * each on loopback ports of its own (client and peer) with a data directory under one
 * temporary directory; all killed and the directory removed when the file ends, also
 * when it fails (the caller's stop(), and an exit hook for a process that dies). Clusters of runs
 * that were killed are removed by the next run (their members' pids are in the directory).
 *
 * Where etcd is missing it is installed with apt-get (as PostgreSQL and Wine are); if
 * that is impossible the tests fail, loudly: nothing is skipped.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { etcdBin } from './etcd-binaries.mjs';
import { freePort } from './postgres-binaries.mjs';

const PREFIX = 'waitables-etcd-';
const run = promisify(execFile);

/** Kills the members of clusters whose test process is gone, and removes their directories. */
function removeAbandoned() {
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(PREFIX)) continue;
    const owner = Number(entry.slice(PREFIX.length).split('-')[0]);
    if (!Number.isInteger(owner) || owner <= 0 || processAlive(owner)) continue;
    const dir = join(tmpdir(), entry);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.pid'))) {
      const pid = Number(readFileSync(join(dir, file), 'utf8'));
      if (pid > 0 && processAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Starts a three-member cluster; resolves once every member is healthy and a leader is
 * elected. See etcd-cluster.d.mts for what it returns.
 */
export async function startCluster(options = {}) {
  const { etcd, etcdctl } = etcdBin();
  removeAbandoned();
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
  const members = [];
  for (let i = 1; i <= 3; i++) {
    // A member in a network namespace listens on its own address there, where any port is free.
    const address = options.addresses?.[i - 1] ?? '127.0.0.1';
    members.push({
      name: `m${i}`,
      client: `http://${address}:${await freePort()}`,
      peer: `http://${address}:${await freePort()}`,
      netns: options.netns?.[i - 1] ?? null,
      process: null,
    });
  }
  const initial = members.map((m) => `${m.name}=${m.peer}`).join(',');
  const token = `waitables-${process.pid}-${Date.now()}`;
  const endpoints = members.map((m) => m.client);

  const launch = (m, state) => {
    const log = openSync(join(dir, `${m.name}.log`), 'a');
    const command = [
      etcd,
      `--name=${m.name}`,
      `--data-dir=${join(dir, m.name)}`,
      `--listen-peer-urls=${m.peer}`,
      `--initial-advertise-peer-urls=${m.peer}`,
      `--listen-client-urls=${m.client}`,
      `--advertise-client-urls=${m.client}`,
      `--initial-cluster=${initial}`,
      `--initial-cluster-state=${state}`,
      `--initial-cluster-token=${token}`,
      // A wait-all on many objects is one transaction of a few operations per object.
      '--max-txn-ops=1024',
      // A loaded machine must not look like a dead leader.
      '--heartbeat-interval=200',
      '--election-timeout=2000',
      '--logger=zap',
      '--log-outputs=stderr',
    ];
    // `ip netns exec` execs etcd itself: the child's pid is the member's.
    const [file, ...args] = m.netns ? ['ip', 'netns', 'exec', m.netns, ...command] : command;
    const child = spawn(file, args, { stdio: ['ignore', log, log] });
    writeFileSync(join(dir, `${m.name}.pid`), String(child.pid));
    m.process = child;
  };

  const etcdctlRun = async (args, endpointsOf = endpoints) =>
    (
      await run(etcdctl, [`--endpoints=${endpointsOf.join(',')}`, '--command-timeout=3s', ...args], {
        env: { ...process.env, ETCDCTL_API: '3' },
      })
    ).stdout;

  const running = () => members.filter((m) => m.process !== null).map((m) => m.client);

  const healthy = async () => {
    try {
      await etcdctlRun(['endpoint', 'health'], running());
      return true;
    } catch {
      return false;
    }
  };

  const waitFor = async (condition, what) => {
    const start = Date.now();
    while (!(await condition())) {
      if (Date.now() - start > 90_000) throw new Error(`the etcd cluster: gave up waiting for ${what}; logs in ${dir}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stop);
    for (const m of members) m.process?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', stop);

  const leader = async () => {
    let found = -1;
    await waitFor(async () => {
      try {
        const status = JSON.parse(await etcdctlRun(['endpoint', 'status', '-w', 'json'], running()));
        const lead = status.find((s) => s.Status.leader !== 0 && s.Status.leader === s.Status.header.member_id);
        found = lead ? endpoints.indexOf(lead.Endpoint) : -1;
        return found >= 0;
      } catch {
        return false;
      }
    }, 'a leader');
    return found;
  };

  try {
    for (const m of members) {
      launch(m, 'new');
    }
    await waitFor(healthy, 'every member to be healthy');
    await leader();
  } catch (error) {
    stop();
    throw error;
  }

  return {
    url: `etcd://${members.map((m) => m.client.slice('http://'.length)).join(',')}`,
    endpoints,
    leader,
    healthy,
    async kill(i) {
      const m = members[i];
      const child = m.process;
      if (!child) return;
      m.process = null;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
    async start(i) {
      const m = members[i];
      if (m.process) return;
      launch(m, 'existing');
      await waitFor(healthy, `${m.name} to rejoin`);
    },
    stop,
  };
}

/** Whether a process of this pid exists (one of another user's counts: EPERM). */
function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}
