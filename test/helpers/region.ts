/**
 * Reads and writes words of a Linux namespace file from outside, as damage or a crash
 * would leave them, and runs processes against a namespace of a test's own.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const layout = await import('../../packages/core/dist/linux/layout.js');

/** A new private namespace directory under /dev/shm, removed with the test file's own (see test/setup). */
export async function privateNamespaceDir(): Promise<string> {
  return mkdtemp(join(process.env.WAITABLES_SHM_DIR!, 'ns-'));
}

export function namespaceFile(dir: string): string {
  return join(dir, `namespace-v${layout.LAYOUT_VERSION}`);
}

/** Word access to the namespace file in `dir`. */
export function region(dir: string) {
  const file = namespaceFile(dir);
  return {
    read(word: number, count = 1): number[] {
      const fd = openSync(file, 'r');
      try {
        const bytes = Buffer.alloc(count * 4);
        readSync(fd, bytes, 0, bytes.length, word * 4);
        return Array.from({ length: count }, (_, i) => bytes.readInt32LE(i * 4));
      } finally {
        closeSync(fd);
      }
    },
    write(word: number, values: readonly number[]): void {
      const fd = openSync(file, 'r+');
      try {
        const bytes = Buffer.alloc(values.length * 4);
        values.forEach((v, i) => bytes.writeInt32LE(v | 0, i * 4));
        writeSync(fd, bytes, 0, bytes.length, word * 4);
      } finally {
        closeSync(fd);
      }
    },
  };
}

export const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** Runs a fixture to its end in namespace `dir`; its exit code, signal and output. */
export async function runFixture(
  dir: string,
  script: string,
  args: readonly string[] = [],
  timeoutMs = 60_000,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [fixture(script), ...args], {
      env: { ...process.env, WAITABLES_SHM_DIR: dir },
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      maxBuffer: 16 << 20,
    });
    return { code: 0, signal: null, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number | string; signal?: string | null; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : null, signal: e.signal ?? null, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Starts a fixture in namespace `dir` with pipes for stdin and stdout. */
export function startFixture(dir: string, script: string, args: readonly string[] = []): ChildProcess {
  return spawn(process.execPath, [fixture(script), ...args], {
    env: { ...process.env, WAITABLES_SHM_DIR: dir },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

/** The lines a child prints, one at a time. */
export function lines(child: ChildProcess): () => Promise<string> {
  let buffered = '';
  const waiting: ((line: string) => void)[] = [];
  const ready: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += String(chunk);
    for (let at = buffered.indexOf('\n'); at >= 0; at = buffered.indexOf('\n')) {
      const line = buffered.slice(0, at);
      buffered = buffered.slice(at + 1);
      const next = waiting.shift();
      if (next) next(line);
      else ready.push(line);
    }
  });
  return () => {
    const line = ready.shift();
    if (line !== undefined) return Promise.resolve(line);
    return new Promise((resolve, reject) => {
      waiting.push(resolve);
      child.once('exit', (code, signal) => reject(new Error(`the child ended (${code ?? signal}) before printing a line`)));
    });
  };
}
