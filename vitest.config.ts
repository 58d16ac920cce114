import { defineConfig } from 'vitest/config';

// The same suites run on every backend: natively on Linux (shared memory and futexes)
// and on Windows Node under Wine (kernel32). WAITABLES_SUITES narrows a run.
const suites = process.env.WAITABLES_SUITES ?? 'unit,conformance';

export default defineConfig({
  test: {
    include: suites.split(',').map((suite) => `test/${suite}/**/*.test.ts`),
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'threads',
  },
});
