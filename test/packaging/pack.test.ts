// The packages as a user gets them: packed by pnpm (scripts/pack.mjs), checked file by
// file, installed with plain npm into a fresh project outside the repository, then used
// from an ES module, from CommonJS (require(esm)), from strict TypeScript (nodenext,
// the packages' declarations checked too) and as the `waitables` command.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { root } from '../helpers/readme-blocks.js';
import { strictConsumerOptions } from '../helpers/strict-consumer.js';

const work = mkdtempSync(join(tmpdir(), 'waitables-pack-'));
const tarballs = join(work, 'tarballs');
const unpacked = join(work, 'unpacked');
const project = join(work, 'project');
const PACKAGES = ['common', 'core', 'async', 'cli', 'postgres'] as const;
/** The packages that load native code (koffi) and say so; the others install anywhere. */
const NATIVE: readonly string[] = ['core', 'async', 'cli'];
const tarball = (name: string) => join(tarballs, `waitables-${name}-0.1.0.tgz`);

function node(args: string[], cwd = project) {
  return spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 120_000 });
}

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'scripts', 'pack.mjs'), tarballs], { stdio: 'pipe' });
  for (const name of PACKAGES) {
    const dir = join(unpacked, name);
    execFileSync('mkdir', ['-p', dir]);
    execFileSync('tar', ['xzf', tarball(name), '-C', dir]);
  }
  execFileSync('mkdir', ['-p', project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'a-user-project', version: '1.0.0', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...PACKAGES.map(tarball)], {
    cwd: project,
    stdio: 'pipe',
    timeout: 300_000,
  });
}, 600_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.each(PACKAGES)('the tarball of @waitables/%s', (name) => {
  const dir = () => join(unpacked, name, 'package');
  const manifest = () => JSON.parse(readFileSync(join(dir(), 'package.json'), 'utf8')) as Record<string, unknown>;

  test('has no workspace: range left, and the fields a registry and a user need', () => {
    const text = readFileSync(join(dir(), 'package.json'), 'utf8');
    expect(text).not.toContain('workspace:');
    const m = manifest();
    expect(m).toMatchObject({ license: 'MIT', type: 'module', engines: { node: '>=20.19' } });
    if (NATIVE.includes(name)) expect(m).toMatchObject({ os: ['linux', 'win32'], cpu: ['x64', 'arm64'] });
    else {
      expect(m.os).toBeUndefined();
      expect(m.cpu).toBeUndefined();
      expect(Object.keys(m.dependencies ?? {}).filter((d) => d.startsWith('@waitables/') && d !== '@waitables/common')).toEqual([]);
    }
    expect(m.repository).toMatchObject({ type: 'git', directory: `packages/${name}` });
    for (const dep of Object.entries((m.dependencies ?? {}) as Record<string, string>)) expect(dep[1]).toMatch(/^\^\d/);
  });

  test('ships the LICENSE (MIT, as the root one) and the README', () => {
    expect(readFileSync(join(dir(), 'LICENSE'), 'utf8')).toBe(readFileSync(join(root, 'LICENSE'), 'utf8'));
    expect(readFileSync(join(dir(), 'README.md'), 'utf8')).toBe(readFileSync(join(root, 'packages', name, 'README.md'), 'utf8'));
  });

  test('ships every source a source map or declaration map points to', () => {
    const maps: string[] = [];
    const walk = (d: string): void => {
      for (const entry of readdirSync(d)) {
        const path = join(d, entry);
        if (statSync(path).isDirectory()) walk(path);
        else if (entry.endsWith('.map')) maps.push(path);
      }
    };
    walk(join(dir(), 'dist'));
    expect(maps.length).toBeGreaterThan(0);
    const missing = maps.flatMap((map) =>
      (JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] }).sources
        .map((source) => normalize(join(dirname(map), source)))
        .filter((source) => {
          try {
            return !statSync(source).isFile();
          } catch {
            return true;
          }
        }),
    );
    expect(missing).toEqual([]);
  });
});

describe('@waitables/postgres on a platform koffi does not run on', () => {
  test('installs for macOS on arm64 without koffi, and imports (the same error classes as async)', () => {
    const mac = join(work, 'mac-project');
    execFileSync('mkdir', ['-p', mac]);
    writeFileSync(join(mac, 'package.json'), JSON.stringify({ name: 'a-mac-project', version: '1.0.0', private: true }));
    execFileSync(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--os=darwin', '--cpu=arm64', tarball('common'), tarball('postgres')],
      { cwd: mac, stdio: 'pipe', timeout: 300_000 },
    );
    expect(existsSync(join(mac, 'node_modules', 'koffi'))).toBe(false);
    expect(existsSync(join(mac, 'node_modules', '@waitables', 'core'))).toBe(false);
    writeFileSync(
      join(mac, 'use.mjs'),
      `import { connect, TimeoutError } from '@waitables/postgres';
import { TimeoutError as Shared } from '@waitables/common';
console.log(typeof connect, TimeoutError === Shared);
`,
    );
    const r = node(['use.mjs'], mac);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('function true\n');
  });
});

describe('a fresh project with the tarballs installed by npm', () => {
  test('imports them from an ES module and uses them across processes', () => {
    writeFileSync(
      join(project, 'use.mjs'),
      `import { Mutex, Semaphore, Win32Error } from '@waitables/async';
import { Event } from '@waitables/core';
const slots = Semaphore.create({ name: 'Local\\\\pack-test-slots', initialCount: 1, maximumCount: 1 });
const answer = await slots.run(() => Mutex.create().runExclusive(() => 42));
try { slots.release(5); } catch (e) { console.log(e instanceof Win32Error, e.code); }
const e = Event.create(); e.set();
console.log(answer, e.wait(0));
`,
    );
    const r = node(['use.mjs']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('true ERROR_TOO_MANY_POSTS\n42 signaled\n');
  });

  test('requires them from CommonJS (Node >= 20.19 loads ES modules with require)', () => {
    writeFileSync(
      join(project, 'use.cjs'),
      `const { Mutex } = require('@waitables/async');
const core = require('@waitables/core');
const win32event = require('@waitables/core/win32event');
const { connect } = require('@waitables/postgres');
console.log(typeof Mutex.create, typeof core.Event.create, win32event.WAIT_OBJECT_0, typeof connect);
`,
    );
    const r = node(['use.cjs']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('function function 0 function\n');
  });

  test('type-checks with strict TypeScript (nodenext, the packages declarations included)', () => {
    writeFileSync(
      join(project, 'use.mts'),
      `import { Mutex, Semaphore, Win32Error, type Lock, type MutexOptions, type WaitOptions } from '@waitables/async';
import { Event, type EventOptions } from '@waitables/core';
import { WaitForSingleObject, WAIT_OBJECT_0 } from '@waitables/core/win32event';
import { connect, type ConnectOptions, SessionLostError } from '@waitables/postgres';
const connectOptions: ConnectOptions | undefined = undefined;
const lost: boolean = new Error() instanceof SessionLostError;
void [connect, connectOptions, lost];
const options: MutexOptions = { name: 'Local\\\\typed' };
const wait: WaitOptions = { timeout: 1_000 };
const n: number = await Mutex.create(options).runExclusive((lock: Lock) => (lock.abandoned ? 0 : 1), wait);
{
  using permit = await Semaphore.create({ initialCount: 1, maximumCount: 1 }).acquire();
  const released: boolean = permit.released;
  void released;
}
const eventOptions: EventOptions = { manualReset: true };
const e = Event.create(eventOptions);
const rc: number = WaitForSingleObject(e.handle, 0);
const failed: boolean = new Error() instanceof Win32Error;
console.log(n, rc === WAIT_OBJECT_0, failed);
`,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          ...strictConsumerOptions,
          typeRoots: [join(root, 'node_modules', '@types')],
          skipLibCheck: false,
        },
        files: ['use.mts'],
      }),
    );
    const r = node([join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project]);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  test('runs the waitables command from node_modules/.bin', () => {
    const bin = join(project, 'node_modules', '.bin', 'waitables');
    const version = spawnSync(bin, ['--version'], { cwd: project, encoding: 'utf8' });
    expect(version.stdout.trim()).toBe('0.1.0');
    const locked = spawnSync(bin, ['lock', 'pack-test-lock', '--', process.execPath, '-e', "console.log('ran under the lock')"], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(locked.stdout).toBe('ran under the lock\n');
    expect(locked.status).toBe(0);
  });
});
