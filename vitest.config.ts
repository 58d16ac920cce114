import { defineConfig } from 'vitest/config';

// Which suites run where. The conformance suite needs a backend: Windows (kernel32,
// here under Wine) has one; Linux gets its own with issue 3, and until then the
// README's test command runs this suite under Wine and says so on Linux.
const suites = process.env.WAITABLES_SUITES ?? (process.platform === 'win32' ? 'unit,conformance' : 'unit');

export default defineConfig({
  test: {
    include: suites.split(',').map((suite) => `test/${suite}/**/*.test.ts`),
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'threads',
  },
});
