// waitables on Linux: a namespace directory it must refuse, names with control
// characters and object kinds it does not know, in one line or escaped, never raw or as
// a stack trace.
import { closeSync, mkdtempSync, openSync, readFileSync, writeSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cliBin, holdUntilReleased } from '../helpers/cli.js';
import { spawn } from 'node:child_process';
import { once } from 'node:events';

/** Runs the command with another namespace directory. */
async function inNamespace(dir: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cliBin, ...args], {
    env: { ...process.env, WAITABLES_SHM_DIR: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  const [status] = (await once(child, 'exit')) as [number | null];
  return { status, stdout, stderr };
}

function expectOneLine(stderr: string): void {
  expect(stderr.trimEnd().split('\n'), stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('a namespace directory waitables must not use', () => {
  test.each([['ls'], ['set', 'x']])('%s: one that others can write to is refused in one line (status 1)', async (...args) => {
    const dir = mkdtempSync(join(tmpdir(), 'waitables-public-'));
    await chmod(dir, 0o777);
    const r = await inNamespace(dir, args);
    expectOneLine(r.stderr);
    expect(r.stderr).toMatch(/^waitables: .*mode 0700/);
    expect(r.status).toBe(1);
  });

  test.each([['ls'], ['set', 'x']])('%s: one whose parent is missing is said in one line (status 1)', async (...args) => {
    const r = await inNamespace(join(tmpdir(), `waitables-missing-${process.pid}`, 'a', 'ns'), args);
    expectOneLine(r.stderr);
    expect(r.stderr).toMatch(/^waitables: cannot create the namespace directory .*: its parent .* does not exist\n$/);
    expect(r.status).toBe(1);
  });
});

describe('waitables ls', () => {
  test('escapes control characters in names, and says in one line that an object of an unknown kind is damage', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'waitables-ls-')), 'ns');
    const name = 'evil\u001b[2J\u0007name';
    const hold = holdUntilReleased();
    const holder = spawn(process.execPath, [cliBin, 'lock', name, ...hold.command], {
      env: { ...process.env, WAITABLES_SHM_DIR: dir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(holder, 'exit');
    try {
      await new Promise<void>((resolve) => holder.stdout.on('data', (d) => String(d).includes('held') && resolve()));
      await listUnderTest(dir);
    } finally {
      hold.release();
      // Never left behind, whatever failed above.
      setTimeout(() => holder.kill('SIGKILL'), 10_000).unref();
    }
    expect((await exited)[0]).toBe(0);
  });
});

async function listUnderTest(dir: string): Promise<void> {
  {
    const listed = await inNamespace(dir, ['ls']);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain('Local\\evil\\x1b[2J\\x07name');
    // No control character but the newlines that end the rows.
    expect([...listed.stdout].filter((c) => c !== '\n' && (c < ' ' || c === '\u007f'))).toEqual([]);

    // Make the mutex's slot say a kind this layout version does not have (a newer library uses a new layout version: this is damage).
    const { KIND, O, objectWord, LAYOUT_VERSION } = await import('../../packages/core/dist/linux/layout.js');
    const file = join(dir, `namespace-v${LAYOUT_VERSION}`);
    const words = new Int32Array(readFileSync(file).buffer);
    let slot = -1;
    for (let obj = 0; slot < 0 && objectWord(obj, O.kind) < words.length; obj++)
      if (words[objectWord(obj, O.kind)] === KIND.mutex) slot = obj;
    expect(slot).toBeGreaterThanOrEqual(0);
    const patch = (value: number) => {
      const fd = openSync(file, 'r+');
      const bytes = Buffer.alloc(4);
      bytes.writeInt32LE(value, 0);
      writeSync(fd, bytes, 0, 4, objectWord(slot, O.kind) * 4);
      closeSync(fd);
    };
    patch(42);
    const unknown = await inNamespace(dir, ['ls']);
    patch(KIND.mutex);
    // The Linux backend takes a kind it does not know for damage: said in one line, status 1.
    expectOneLine(unknown.stderr);
    expect(unknown.stderr).toMatch(/^waitables: the namespace is damaged \(the kind of object \d+: 42\).*\n$/);
    expect(unknown.status).toBe(1);
  }
}
