// Builds the API reference (docs/api/, HTML) from the TSDoc of @waitables/core and
// @waitables/async with typedoc (typedoc.json), and checks it:
// - a broken {@link} fails;
// - an exported member without documentation, or an exported signature that names a
//   type the reference does not include, fails unless it is listed in
//   docs/api-baseline.txt (what was undocumented when the check was introduced: the
//   list may only shrink).
//
//   node scripts/api-docs.mjs                    build and check
//   node scripts/api-docs.mjs --update-baseline  build, and rewrite the baseline
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const baselineFile = join(root, 'docs', 'api-baseline.txt');
const r = spawnSync(process.execPath, [join(root, 'node_modules', 'typedoc', 'bin', 'typedoc')], {
  cwd: root,
  encoding: 'utf8',
  env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
});
// eslint-disable-next-line no-control-regex
const lines = `${r.stdout}\n${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
const warnings = lines.filter((l) => /^\[(warning|error)\]/.test(l)).map((l) => l.replace(/^\[(warning|error)\] /, ''));
const summary = /^Found \d+ errors/;
const missing = warnings.filter((w) => / does not have any documentation$| but not included in the documentation$/.test(w));
const other = warnings.filter((w) => !missing.includes(w) && !summary.test(w));

if (process.argv.includes('--update-baseline')) {
  writeFileSync(baselineFile, [...new Set(missing)].sort().join('\n') + '\n');
  console.log(`api-docs: baseline rewritten: ${missing.length} undocumented or unexported members`);
}
const baseline = new Set(existsSync(baselineFile) ? readFileSync(baselineFile, 'utf8').split('\n').filter(Boolean) : []);
const added = missing.filter((w) => !baseline.has(w));
const fixed = [...baseline].filter((w) => !missing.includes(w));

for (const w of other) console.error(`api-docs: ${w}`);
for (const w of added) console.error(`api-docs: ${w} (document it; docs/api-baseline.txt lists only older gaps)`);
if (fixed.length > 0) console.log(`api-docs: ${fixed.length} baseline entries are documented now: run with --update-baseline to drop them`);
const ok = r.status === 0 && other.length === 0 && added.length === 0;
console.log(
  `api-docs: ${ok ? 'ok' : 'FAILED'}: docs/api/ built; ${missing.length} known gaps in docs/api-baseline.txt, ` +
    `${added.length} new, ${other.length} other problems (broken links...)`,
);
if (!ok) process.exitCode = 1;
