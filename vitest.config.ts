import { defineConfig } from 'vitest/config';

// The same suites run on every backend: natively on Linux (shared memory and futexes)
// and on Windows Node under Wine (kernel32). WAITABLES_SUITES narrows a run.
// fault (kill -9), differential (Linux against Windows under Wine) and cli-linux
// (`waitables ls`) test the Linux backend and run from Linux only; docs (the READMEs'
// TypeScript and shell blocks), packaging (pack, install, use) and scripts (the
// project's own scripts) check files, the same on every platform, and run from Linux;
// postgres (@waitables/postgres) runs against a real PostgreSQL server that its tests
// start, from Linux; etcd (the etcd engine of @waitables/postgres) against a real
// three-member etcd cluster that its tests start, from Linux.
const suites =
  process.env.WAITABLES_SUITES ??
  (process.platform === 'win32'
    ? 'unit,conformance,async,cli'
    : 'unit,conformance,async,cli,fault,differential,cli-linux,docs,packaging,scripts,postgres,etcd');

export default defineConfig({
  test: {
    include: suites.split(',').map((suite) => `test/${suite}/**/*.test.ts`),
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'threads',
    // Each test file gets a namespace of its own (Linux): see test/setup/private-namespace.ts.
    // ... and its wait threads are stopped before its worker ends: see test/setup/close-wait-pool.ts.
    setupFiles: ['test/setup/private-namespace.ts', 'test/setup/close-wait-pool.ts'],
  },
});
