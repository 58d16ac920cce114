// Prints the counts of the test runs that wrote their JSON reports to .cache/test-results/
// (one per platform), and a closing line of the form "total: N passed, N failed".
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(import.meta.dirname, '..', '.cache', 'test-results');
const labels = { linux: 'linux (native)', wine: 'windows (Node under Wine)' };
let passed = 0;
let failed = 0;
for (const file of existsSync(dir) ? readdirSync(dir).sort() : []) {
  const report = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const run = file.replace(/\.json$/, '');
  const skipped = report.numPendingTests + report.numTodoTests;
  console.log(
    `${labels[run] ?? run}: ${report.numPassedTests} passed, ${report.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`,
  );
  passed += report.numPassedTests;
  failed += report.numFailedTests;
}
console.log(`total: ${passed} passed, ${failed} failed`);
if (failed > 0 || passed === 0) process.exit(1);
