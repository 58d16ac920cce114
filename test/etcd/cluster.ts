/**
 * A real three-member etcd cluster for one test file: one `etcd` process per member,
 * each on loopback ports of its own (client and peer) with a data directory under one
 * temporary directory; all killed and the directory removed when the file ends, also
 * when it fails (afterAll, and an exit hook for a worker that dies). Clusters of runs
 * that were killed are removed by the next run (their members' pids are in the directory).
 *
 * Where etcd is missing it is installed with apt-get (as PostgreSQL and Wine are); if
 * that is impossible the tests fail, loudly: nothing is skipped.
 */
export { type ClusterOptions, startCluster, type TestCluster } from '../../scripts/etcd-cluster.mjs';
