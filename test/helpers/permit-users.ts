/** Processes that use a crash-safe semaphore (test/fixtures/permit-user.mjs), for the tests that kill them. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { killAndWait } from './fault-objects.js';

const fixture = fileURLToPath(new URL('../fixtures/permit-user.mjs', import.meta.url));

export interface PermitUser {
  child: ChildProcess;
  /** Resolves once the child has printed `line` (at any time since it started). */
  printed(line: string): Promise<void>;
  output(): string;
}

/** Starts and tracks permit users; `killAll()` (in afterEach) ends those still running. */
export class PermitUsers {
  readonly #children = new Set<ChildProcess>();

  /** `node permit-user.mjs <name> <mode> ...args` (see the fixture for the modes). */
  start(name: string, ...args: string[]): PermitUser {
    const child = spawn(process.execPath, [fixture, name, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.#children.add(child);
    let text = '';
    const listeners = new Set<() => void>();
    child.stdout.on('data', (chunk) => {
      text += String(chunk);
      for (const listener of listeners) listener();
    });
    return {
      child,
      output: () => text,
      printed: (line) =>
        new Promise((resolve, reject) => {
          const check = () => {
            if (text.includes(`${line}\n`)) {
              listeners.delete(check);
              resolve();
            }
          };
          listeners.add(check);
          child.once('exit', (code, signal) =>
            setImmediate(() => (text.includes(`${line}\n`) ? resolve() : reject(new Error(`exited (${signal ?? code}) before "${line}"`)))),
          );
          check();
        }),
    };
  }

  async killAll(): Promise<void> {
    await Promise.all([...this.#children].map((child) => killAndWait(child)));
    this.#children.clear();
  }
}
