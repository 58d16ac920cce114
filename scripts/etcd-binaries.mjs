// etcd's server and client for the tests and the bench (both start throwaway clusters of
// their own): Debian's etcd-server and etcd-client, installed with apt-get if missing, as
// scripts/postgres-binaries.mjs installs PostgreSQL; impossible means an error, never a skip.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ETCD = '/usr/bin/etcd';
const ETCDCTL = '/usr/bin/etcdctl';

/** The paths of `etcd` and `etcdctl`, installed with apt-get if missing (under a file lock: callers start in parallel). */
export function etcdBin() {
  if (existsSync(ETCD) && existsSync(ETCDCTL)) return { etcd: ETCD, etcdctl: ETCDCTL };
  if (process.getuid?.() !== 0)
    throw new Error('etcd is not installed and this is not root: install it with `apt-get install -y etcd-server etcd-client`');
  const script = [
    'set -e',
    `[ -x ${ETCD} ] && [ -x ${ETCDCTL} ] && exit 0`,
    'apt-get update -qq',
    'apt-get install -y -qq --no-install-recommends etcd-server etcd-client',
  ].join('\n');
  const result = spawnSync('flock', [join(tmpdir(), 'waitables-etcd-install.lock'), 'sh', '-c', script], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.status !== 0) throw new Error('apt-get install etcd-server etcd-client failed: no etcd cluster can be started');
  if (!existsSync(ETCD) || !existsSync(ETCDCTL)) throw new Error(`apt-get installed etcd, but ${ETCD} or ${ETCDCTL} is missing`);
  return { etcd: ETCD, etcdctl: ETCDCTL };
}
