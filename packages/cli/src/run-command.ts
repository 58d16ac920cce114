/**
 * Runs the command a lock or a unit guards, forwarding signals to it, and never letting it
 * outlive the wrapper that holds the lock for it.
 *
 * The lock lives in this process (the wrapper): if the wrapper dies (kill -9, the OOM
 * killer), the OS abandons the mutex or the database ends the session, and the next
 * holder may enter. So on Linux the command runs under `setpriv --pdeathsig KILL`
 * (util-linux): the kernel kills it when the wrapper's thread ends, whatever ends it.
 * What is not covered: processes the command itself starts (they are not the wrapper's
 * children), and a wrapper killed in the instant between the fork and setpriv's prctl.
 * Without setpriv (not on PATH) the command runs as a plain child: it can outlive a
 * wrapper killed with it running. On Windows, libuv assigns every child it spawns to a job
 * object with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, which the wrapper's death closes: the
 * command is killed with it (tested under Wine). Said in the CLI README.
 *
 * A lock can also be lost while the wrapper lives (`--connect`: the database session
 * ended, and another host may hold the lock from then on): the wrapper passes the
 * holding's `lost` signal as `stop`, and the command gets SIGTERM when it fires, as it
 * would from a supervisor; what it does then (clean up, or exit) is its own choice.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants as fs } from 'node:fs';
import { constants } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;

/** The executable `command` names on PATH (or itself if it has a slash), or null. */
function findExecutable(command: string): string | null {
  const executable = (path: string) => {
    try {
      accessSync(path, fs.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (command.includes('/') || isAbsolute(command)) return executable(command) ? command : null;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && executable(join(dir, command))) return join(dir, command);
  }
  return null;
}

let setpriv: string | null | undefined;

/** setpriv(1) with --pdeathsig, where there is one (Linux, util-linux), else null. */
function parentDeathWrapper(): string | null {
  if (setpriv === undefined) setpriv = process.platform === 'linux' ? findExecutable('setpriv') : null;
  return setpriv;
}

/**
 * Resolves with the command's exit status (128 + signal number if a signal ended it).
 * `env` is added to the command's environment (WAITABLES_NAME, WAITABLES_FENCE); when
 * `stop` aborts (the lock was lost), the command is sent SIGTERM.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  env: Record<string, string> = {},
  stop?: AbortSignal,
): Promise<number> {
  return new Promise((resolve) => {
    const guard = parentDeathWrapper();
    const resolved = guard ? findExecutable(command) : command;
    if (resolved === null) {
      process.stderr.write(`waitables: cannot run ${command}: not found or not executable\n`);
      resolve(127);
      return;
    }
    const [file, argv] = guard ? [guard, ['--pdeathsig', 'KILL', '--', resolved, ...args]] : [command, args];
    const child = spawn(file, argv, { stdio: 'inherit', env: { ...process.env, ...env } });
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const handlers = FORWARDED.map((signal) => [signal, forward(signal)] as const);
    for (const [signal, handler] of handlers) process.on(signal, handler);
    const terminate = () => child.kill('SIGTERM');
    stop?.addEventListener('abort', terminate, { once: true });
    if (stop?.aborted) terminate();
    const done = (status: number) => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
      stop?.removeEventListener('abort', terminate);
      resolve(status);
    };
    child.once('error', (error) => {
      process.stderr.write(`waitables: cannot run ${command}: ${error.message}\n`);
      done(127);
    });
    child.once('exit', (code, signal) => done(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)));
  });
}
