// Builds the API reference (HTML, committed in docs/api/) from the TSDoc of
// @waitables/common, core, async and postgres with typedoc (typedoc.json), and checks it:
// - a broken {@link}, an exported member without documentation, or an exported
//   signature that names a type the reference does not include: each fails;
// - the committed docs/api/ must be exactly what this build produces: a file that
//   differs, is missing or is left over fails the check (the reference never goes stale).
//
//   node scripts/api-docs.mjs          build into .cache/api-docs/ and check (npm run lint)
//   node scripts/api-docs.mjs --write  build, check, and replace docs/api/ with the build (npm run docs)
//
// The build is deterministic (no dates, no absolute paths, no source links: typedoc.json
// sets disableSources), so two builds of one tree give identical files.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const committed = join(root, 'docs', 'api');
const built = join(root, '.cache', 'api-docs');
const write = process.argv.includes('--write');
const REFRESH = 'npm run docs';

const r = spawnSync(process.execPath, [join(root, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--out', built], {
  cwd: root,
  encoding: 'utf8',
  env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
});
// eslint-disable-next-line no-control-regex
const lines = `${r.stdout}\n${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
const warnings = lines
  .filter((l) => /^\[(warning|error)\]/.test(l))
  .map((l) => l.replace(/^\[(warning|error)\] /, ''))
  .filter((w) => !/^Found \d+ errors/.test(w));
for (const w of warnings) {
  const undocumented = / does not have any documentation$| but not included in the documentation$/.test(w);
  console.error(`api-docs: ${w}${undocumented ? ' (document it: every exported member has TSDoc, or is @internal)' : ''}`);
}
if (r.status !== 0) console.error(`api-docs: typedoc failed (status ${r.status})${r.error ? `: ${r.error.message}` : ''}`);

/** Every file under `dir`, as paths relative to it, sorted. */
function filesOf(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

let stale = [];
if (r.status === 0) {
  if (write) {
    rmSync(committed, { recursive: true, force: true });
    cpSync(built, committed, { recursive: true });
    console.log('api-docs: docs/api/ rewritten from the build: commit it');
  }
  const want = filesOf(built);
  const have = new Set(filesOf(committed));
  for (const file of want) {
    if (!have.has(file)) stale.push(`${file} (missing)`);
    else if (!readFileSync(join(built, file)).equals(readFileSync(join(committed, file)))) stale.push(`${file} (differs)`);
    have.delete(file);
  }
  stale.push(...[...have].map((file) => `${file} (left over)`));
  for (const s of stale.slice(0, 20)) console.error(`api-docs: docs/api/${s}`);
  if (stale.length > 20) console.error(`api-docs: ... and ${stale.length - 20} more`);
  if (stale.length > 0)
    console.error(
      `api-docs: the committed reference docs/api/ is not what the TSDoc builds (${stale.length} files): run \`${REFRESH}\` and commit docs/api/`,
    );
}

const ok = r.status === 0 && warnings.length === 0 && stale.length === 0;
console.log(
  `api-docs: ${ok ? 'ok' : 'FAILED'}: ${warnings.length} problems in the TSDoc (undocumented members, broken links...), ` +
    `docs/api/ ${r.status !== 0 ? 'not checked' : stale.length === 0 ? 'up to date' : `stale in ${stale.length} files`}`,
);
if (!ok) process.exitCode = 1;
