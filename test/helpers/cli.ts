/** Runs the waitables command as a real process. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

export const cliBin = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));

export interface CliRun {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit status (128 + signal number if killed). */
  readonly status: Promise<number>;
  /** Resolves once stdout contains `text`. */
  printed(text: string): Promise<void>;
  /** Resolves once stderr contains `text`. */
  printedError(text: string): Promise<void>;
}

export function cli(args: string[]): CliRun {
  const child = spawn(process.execPath, [cliBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  // A test that fails half-way leaves no command running behind it (waiting on a server the suite then stops).
  try {
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
  } catch {
    // Called outside a test (a hook): its caller ends it.
  }
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout.on('data', (d) => {
    out += String(d);
    for (const l of listeners) l();
  });
  child.stderr.on('data', (d) => {
    err += String(d);
    for (const l of listeners) l();
  });
  const status = once(child, 'exit').then(
    ([code, signal]) => (code as number | null) ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGINT' ? 2 : 15),
  );
  const watch = (read: () => string, text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (read().includes(text)) {
          listeners.delete(check);
          resolve();
        }
      };
      listeners.add(check);
      void status.then(() => (read().includes(text) ? resolve() : reject(new Error(`exited without printing ${text}; stderr: ${err}`))));
      check();
    });
  return {
    child,
    printedError: (text) => watch(() => err, text),
    stdout: () => out,
    stderr: () => err,
    status,
    printed: (text) => watch(() => out, text),
  };
}

/** A node one-liner as a command line for lock/sem. */
export function nodeCommand(script: string): string[] {
  return ['--', process.execPath, '-e', script];
}

/** A command that prints "held", then runs until `release()` is called (polls a marker file). */
export function holdUntilReleased(): { command: string[]; release(): void } {
  const marker = join(mkdtempSync(join(tmpdir(), 'waitables-cli-')), 'release');
  const file = JSON.stringify(marker);
  return {
    command: nodeCommand(`console.log('held');const t=setInterval(()=>{if(require('fs').existsSync(${file}))clearInterval(t)},20)`),
    release: () => writeFileSync(marker, ''),
  };
}
