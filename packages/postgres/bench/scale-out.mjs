// The scale-out benchmark of @waitables/postgres against a server of your own:
//   node packages/postgres/bench/scale-out.mjs <postgres-url> [--quick]
// prints a Markdown table of ratios against a raw pg_advisory_lock loop and the
// advisory-lock npm package, measured in the same run on the same server. The
// measurements live in bench/lib/scale-out.mjs, shared with the bench suite's scale-out
// scenario (`npm run bench -- --only=scale-out`), which starts a throwaway server itself.
import { measure } from '../../../bench/lib/scale-out.mjs';

const [url, ...flags] = process.argv.slice(2);
if (!url || url.startsWith('-')) {
  process.stderr.write('usage: node packages/postgres/bench/scale-out.mjs <postgres-url> [--quick]\n');
  process.exit(2);
}
const only = flags.find((f) => f.startsWith('--only='))?.slice(7);
const rows = await measure(url, {
  quick: flags.includes('--quick'),
  only,
  progress: (what) => process.stderr.write(`scale-out: ${what}\n`),
});
const cell = (v) => (v === null ? '-' : v.toFixed(v >= 100 ? 0 : 2));
const ratio = (a, b) => (a === null || b === null || !b ? '-' : `${(a / b).toFixed(2)}x`);
console.log(
  '| measure | unit | @waitables/postgres | raw (pg_advisory_lock; plain UPDATE for distinct objects) | advisory-lock (npm) | single-lock design | ours / raw | ours / advisory-lock | ours / single-lock | note |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows)
  console.log(
    `| ${r.measure} | ${r.unit} | ${cell(r.ours)} | ${cell(r.raw)} | ${cell(r.package)} | ${cell(r.single)} | ${ratio(r.ours, r.raw)} | ${ratio(r.ours, r.package)} | ${ratio(r.ours, r.single)} | ${r.note.replaceAll('|', '\\|')} |`,
  );
