// The Linux namespace: private to its user, names that are never paths, and a clear
// error (never a crash) for a region that is damaged or of another layout version.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, ftruncateSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { cp, mkdtemp, rm, chmod, chown } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { Event } from '@waitables/core';
import { uniqueName } from '../helpers/names.js';

const probe = fileURLToPath(new URL('../fixtures/namespace-probe.mjs', import.meta.url));
// The test file's own namespace (test/setup/private-namespace.ts).
const namespaceDir = process.env.WAITABLES_SHM_DIR!;
const { LAYOUT_VERSION } = await import('../../packages/core/dist/linux/layout.js');
const namespaceFile = `namespace-v${LAYOUT_VERSION}`;
const temporary: string[] = [];
afterAll(() => Promise.all(temporary.map((d) => rm(d, { recursive: true, force: true }))));

/**
 * The probe and the packages it loads, copied where another user can read them: the
 * checkout may be private (mode 0700, as under a home directory).
 */
async function probeForOtherUsers(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'waitables-probe-'));
  temporary.push(dir);
  const modules = join(dir, 'node_modules');
  const from = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
  await cp(from('packages/core/package.json'), join(modules, '@waitables/core/package.json'));
  await cp(from('packages/core/dist'), join(modules, '@waitables/core/dist'), { recursive: true });
  await cp(from('packages/common/package.json'), join(modules, '@waitables/common/package.json'));
  await cp(from('packages/common/dist'), join(modules, '@waitables/common/dist'), { recursive: true });
  await cp(from('node_modules/koffi'), join(modules, 'koffi'), { recursive: true });
  const native = `node_modules/@koromix/koffi-${process.platform}-${process.arch}`;
  await cp(from(native), join(dir, native), { recursive: true });
  await cp(probe, join(dir, 'namespace-probe.mjs'));
  await promisify(execFile)('chmod', ['-R', 'a+rX', dir]);
  return join(dir, 'namespace-probe.mjs');
}

async function runProbe(options: { env?: NodeJS.ProcessEnv; uid?: number; gid?: number }, name?: string) {
  const script = options.uid === undefined ? probe : await probeForOtherUsers();
  const { stdout } = await promisify(execFile)(process.execPath, [script, ...(name ? [name] : [])], {
    env: { ...process.env, ...options.env },
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid, cwd: dirname(script) }),
  });
  return JSON.parse(stdout) as { ok: boolean; name?: string; code?: string; message?: string };
}

async function privateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'waitables-ns-'));
  temporary.push(dir);
  return dir;
}

describe('the namespace', () => {
  test('lives in a directory of mode 0700 and a file of mode 0600, both the user’s', () => {
    using _e = Event.create({});
    const dir = statSync(namespaceDir);
    expect(dir.mode & 0o777).toBe(0o700);
    expect(dir.uid).toBe(process.getuid!());
    for (const file of readdirSync(namespaceDir)) {
      const st = statSync(join(namespaceDir, file));
      expect(st.mode & 0o777).toBe(0o600);
      expect(st.uid).toBe(process.getuid!());
    }
  });

  test('of another user does not hold this user’s objects, and this user’s cannot be used by it', async () => {
    const name = uniqueName('private');
    using _e = Event.create({ name });
    expect(await runProbe({}, name)).toEqual({ ok: true });
    // The other user's own namespace, in a private directory of theirs (never their default one).
    const theirs = await privateDir();
    await chown(theirs, 65534, 65534);
    expect(await runProbe({ uid: 65534, gid: 65534, env: { WAITABLES_SHM_DIR: theirs } }, name)).toMatchObject({
      ok: false,
      code: 'ERROR_FILE_NOT_FOUND',
    });
    const forced = await runProbe({ uid: 65534, gid: 65534, env: { WAITABLES_SHM_DIR: namespaceDir } }, name);
    expect(forced.ok).toBe(false);
    expect(forced.code === 'ERR_WAITABLES_NAMESPACE' || forced.code === 'EACCES').toBe(true);
  });

  test('in a directory whose parent is missing is a NamespaceError that says so', async () => {
    const dir = join(await privateDir(), 'missing', 'namespace');
    const r = await runProbe({ env: { WAITABLES_SHM_DIR: dir } });
    expect(r).toMatchObject({ ok: false, code: 'ERR_WAITABLES_NAMESPACE' });
    expect(r.message).toMatch(/parent .* does not exist/);
  });

  test('made under a umask of 0277 is usable by that process and by later ones', async () => {
    const dir = join(await privateDir(), 'ns');
    const underUmask = async () => {
      const { stdout } = await promisify(execFile)('sh', ['-c', 'umask 0277; exec "$0" "$@"', process.execPath, probe], {
        env: { ...process.env, WAITABLES_SHM_DIR: dir },
      });
      return JSON.parse(stdout) as { ok: boolean };
    };
    expect(await underUmask()).toEqual({ ok: true });
    expect(await underUmask()).toEqual({ ok: true });
    expect(await runProbe({ env: { WAITABLES_SHM_DIR: dir } })).toEqual({ ok: true });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  test('refuses a directory that others can read, with the chmod to run; run, it is used', async () => {
    const dir = await privateDir();
    await chmod(dir, 0o755);
    const refused = await runProbe({ env: { WAITABLES_SHM_DIR: dir } });
    expect(refused).toMatchObject({ ok: false, code: 'ERR_WAITABLES_NAMESPACE' });
    expect(refused.message).toContain('mode 0755');
    expect(refused.message).toContain(`Run: chmod 700 '${dir}'`);
    await promisify(execFile)('chmod', ['700', dir]);
    expect(await runProbe({ env: { WAITABLES_SHM_DIR: dir } })).toEqual({ ok: true });
  });

  test('refuses a path that is not a directory, saying so', async () => {
    const file = join(await privateDir(), 'not-a-directory');
    writeFileSync(file, '');
    const r = await runProbe({ env: { WAITABLES_SHM_DIR: file } });
    expect(r).toMatchObject({ ok: false, code: 'ERR_WAITABLES_NAMESPACE' });
    expect(r.message).toMatch(/is not a directory: remove it/);
  });

  test('refuses a namespace file open to other users, with the chmod to run; run, it is used', async () => {
    const dir = await privateDir();
    expect(await runProbe({ env: { WAITABLES_SHM_DIR: dir } })).toEqual({ ok: true });
    const file = join(dir, namespaceFile);
    await chmod(file, 0o644);
    const refused = await runProbe({ env: { WAITABLES_SHM_DIR: dir } });
    expect(refused).toMatchObject({ ok: false, code: 'ERR_WAITABLES_NAMESPACE' });
    expect(refused.message).toContain(`run chmod 600 '${file}'`);
    await chmod(file, 0o600);
    expect(await runProbe({ env: { WAITABLES_SHM_DIR: dir } })).toEqual({ ok: true });
  });

  test('names are never paths: no name creates a file or reaches outside', () => {
    const before = readdirSync(namespaceDir).sort();
    using _a = Event.create({ name: uniqueName('..').replace('Local\\', '') + '/../../etc/passwd' });
    using _b = Event.create({ name: 'Local\\' + uniqueName('x').replace('Local\\', '') + '/..' });
    expect(readdirSync(namespaceDir).sort()).toEqual(before);
  });
});

describe('a damaged or foreign region', () => {
  async function withRegion(write: (fd: number) => void) {
    const dir = await privateDir();
    const fd = openSync(join(dir, namespaceFile), 'w', 0o600);
    write(fd);
    closeSync(fd);
    return runProbe({ env: { WAITABLES_SHM_DIR: dir } });
  }
  const size = async () => {
    const dir = await privateDir();
    await runProbe({ env: { WAITABLES_SHM_DIR: dir } });
    return statSync(join(dir, namespaceFile)).size;
  };

  test('of the wrong size is refused with a clear error', async () => {
    const r = await withRegion((fd) => ftruncateSync(fd, 4096));
    expect(r).toMatchObject({ ok: false, code: 'ERR_WAITABLES_NAMESPACE' });
    expect(r.message).toMatch(/has 4096 bytes/);
    // The recovery step it gives works: the file deleted, the next process makes it anew.
    const file = /rm '([^']+)'/.exec(r.message ?? '')?.[1] ?? '';
    expect(file).toMatch(new RegExp(`${namespaceFile}$`));
    expect(r.message).toContain(`fuser -v '${file}'`);
    rmSync(file);
    expect(await runProbe({ env: { WAITABLES_SHM_DIR: dirname(file) } })).toEqual({ ok: true });
  });

  test('with a wrong magic number is refused', async () => {
    const bytes = await size();
    const r = await withRegion((fd) => {
      ftruncateSync(fd, bytes);
      writeSync(fd, Buffer.from('garbage!'), 0, 8, 0);
    });
    expect(r).toMatchObject({ ok: false, code: 'ERR_WAITABLES_NAMESPACE' });
    expect(r.message).toMatch(/not a waitables namespace/);
  });

  test('of another layout version is refused', async () => {
    const bytes = await size();
    const r = await withRegion((fd) => {
      ftruncateSync(fd, bytes);
      const header = Buffer.alloc(16);
      header.writeUInt32LE(0x54494157, 0);
      header.writeUInt32LE(99, 4);
      writeSync(fd, header, 0, 16, 0);
    });
    expect(r).toMatchObject({ ok: false, code: 'ERR_WAITABLES_NAMESPACE' });
    expect(r.message).toMatch(/layout version 99/);
  });

  test('whose header was zeroed while in use is refused, not initialized over the live tables; the message says how to recover', async () => {
    const dir = await privateDir();
    // A process that has the namespace open: its registration is in the tables.
    const user = spawn(
      process.execPath,
      [
        '-e',
        "import('@waitables/core').then(({ Event }) => { globalThis.e = Event.create({ name: 'Local\\\\held' }); console.log('up'); })",
      ],
      {
        env: { ...process.env, WAITABLES_SHM_DIR: dir },
        cwd: fileURLToPath(new URL('../../packages/core/', import.meta.url)),
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      await once(user.stdout, 'data');
      const fd = openSync(join(dir, namespaceFile), 'r+');
      writeSync(fd, Buffer.alloc(256), 0, 256, 0);
      closeSync(fd);
      const r = await runProbe({ env: { WAITABLES_SHM_DIR: dir } });
      expect(r).toMatchObject({ ok: false, code: 'ERR_WAITABLES_NAMESPACE' });
      expect(r.message).toMatch(/header is zero but its tables are in use/);
      expect(r.message).toContain(`rm '${join(dir, namespaceFile)}'`);
    } finally {
      user.kill('SIGKILL');
    }
  });

  test('that is all zero (sized by a process that died before writing the header) is initialized', async () => {
    const bytes = await size();
    const r = await withRegion((fd) => ftruncateSync(fd, bytes));
    expect(r).toEqual({ ok: true });
  });

  test('a change committed by a holder that died before applying it is finished by the next one, which takes the lock over', async () => {
    const dir = await privateDir();
    expect(await runProbe({ env: { WAITABLES_SHM_DIR: dir } })).toEqual({ ok: true });
    const { H, OFFSET } = await import('../../packages/core/dist/linux/layout.js');
    const file = join(dir, namespaceFile);
    const words = (at: number, values: number[]) => {
      const fd = openSync(file, 'r+');
      const bytes = Buffer.alloc(values.length * 4);
      values.forEach((v, i) => bytes.writeInt32LE(v, i * 4));
      writeSync(fd, bytes, 0, bytes.length, at * 4);
      closeSync(fd);
    };
    // A dead thread (slot 999, never registered) holds the lock, with a committed log of two writes.
    words(OFFSET.log, [H.sequence, 4242, H.hintHandle, 7]);
    words(H.logCount, [2]);
    words(H.lock, [1000]);
    words(H.logCommitted, [1]);
    expect(await runProbe({ env: { WAITABLES_SHM_DIR: dir } })).toEqual({ ok: true });
    const header = new Int32Array(readFileSync(file).buffer.slice(0, 64 * 4));
    expect(header[H.logCommitted]).toBe(0);
    expect(header[H.lock]).toBe(0);
    expect(header[H.sequence]).toBe(4242);
    expect(header[H.lockTakeovers]).toBe(1);
    expect(header[H.logReplays]).toBe(1);
  });

  test('with a damaged redo log gives a clear error, not a crash or a write out of bounds', async () => {
    const dir = await privateDir();
    expect(await runProbe({ env: { WAITABLES_SHM_DIR: dir } })).toEqual({ ok: true });
    const { H, OFFSET } = await import('../../packages/core/dist/linux/layout.js');
    const patch = (word: number, value: number) => {
      const fd = openSync(join(dir, namespaceFile), 'r+');
      const bytes = Buffer.alloc(4);
      bytes.writeInt32LE(value, 0);
      writeSync(fd, bytes, 0, 4, word * 4);
      closeSync(fd);
    };
    // A committed log claiming more entries than it can hold.
    patch(H.logCount, 0x7fffffff);
    patch(H.logCommitted, 1);
    const tooLong = await runProbe({ env: { WAITABLES_SHM_DIR: dir } });
    expect(tooLong).toMatchObject({ ok: false, code: 'ERR_WAITABLES_NAMESPACE' });
    expect(tooLong.message).toMatch(/redo log/);
    // A committed log whose entry writes outside the tables.
    patch(H.logCount, 1);
    patch(OFFSET.log, OFFSET.words + 100);
    const outside = await runProbe({ env: { WAITABLES_SHM_DIR: dir } });
    expect(outside).toMatchObject({ ok: false, code: 'ERR_WAITABLES_NAMESPACE' });
    expect(outside.message).toMatch(/redo log entry/);
  });
});
