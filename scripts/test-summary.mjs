// Prints the counts of the test runs that wrote their JSON reports to
// .cache/test-results/ (one per platform), then `total: N passed, N failed`. A platform
// that was expected and wrote no report is said to be NOT RUN and fails the summary.
//
//   node scripts/test-summary.mjs    (expects linux and wine; exits 1 on any failure)
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = process.env.WAITABLES_TEST_RESULTS ?? join(import.meta.dirname, '..', '.cache', 'test-results');
const labels = { linux: 'linux (native)', wine: 'windows (Node under Wine)' };

/** Prints the summary; `ok` is false if a test failed, a file failed to load or a platform did not run. */
export function summarize(platforms = ['linux', 'wine'], notAsked = []) {
  let passed = 0;
  let failed = 0;
  const notRun = [];
  for (const platform of platforms) {
    const file = join(dir, `${platform}.json`);
    const label = labels[platform] ?? platform;
    if (!existsSync(file)) {
      console.log(`${label}: NOT RUN (no report; see its step above)`);
      notRun.push(platform);
      continue;
    }
    const report = JSON.parse(readFileSync(file, 'utf8'));
    const skipped = report.numPendingTests + report.numTodoTests;
    // A file that fails to load has no failed test, only a failed suite.
    const brokenFiles = report.testResults.filter((r) => r.status === 'failed' && r.assertionResults.length === 0).length;
    console.log(
      `${label}: ${report.numPassedTests} passed, ${report.numFailedTests} failed` +
        `${skipped ? `, ${skipped} skipped` : ''}${brokenFiles ? `, ${brokenFiles} test files failed to load` : ''}`,
    );
    passed += report.numPassedTests;
    failed += report.numFailedTests + brokenFiles;
  }
  // Left out on request (`npm test -- --linux`): said, never silent.
  for (const platform of notAsked) console.log(`${labels[platform] ?? platform}: not run (left out on request)`);
  console.log(`total: ${passed} passed, ${failed} failed${notRun.length ? `, not run: ${notRun.join(', ')}` : ''}`);
  return { passed, failed, ok: failed === 0 && notRun.length === 0 && passed > 0 };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (!summarize().ok) process.exitCode = 1;
}
