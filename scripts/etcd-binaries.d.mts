/** The paths of `etcd` and `etcdctl`, installed with apt-get if missing (throws if impossible). */
export function etcdBin(): { etcd: string; etcdctl: string };
