/** The command line, parsed with commander. */
import { Command, InvalidArgumentError, Option } from 'commander';
import * as commands from './commands.js';
import { parseDuration } from './duration.js';
import { EXIT } from './exit-codes.js';
import { CliError } from './failure.js';

function positiveInteger(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 0x7fffffff)
    throw new InvalidArgumentError(`"${text}" is not a whole number from 1 to 2147483647`);
  return n;
}

const verbose = () => new Option('-v, --verbose', 'say on stderr when it has to wait (a terminal shows a running count anyway)');

const timeout = () =>
  new Option('-t, --timeout <duration>', 'give up after this long (250ms, 5s, 2m, 1h30m; a bare number is seconds)').argParser(
    parseDuration,
  );

/**
 * Usage errors in one line, as every other failure: commander's message, where to read
 * more, and for a command run under a lock the reminder that its own options come after --.
 */
function oneLineUsageErrors(command: Command, path: string, runsACommand: boolean): void {
  command.configureOutput({
    outputError: (text, write) => {
      const message = text
        .replace(/^error: /, '')
        .trim()
        .split('\n')[0]!;
      const hint =
        runsACommand && /^unknown option/.test(message)
          ? `; put -- before the command if the option is its own (waitables ${path} NAME -- COMMAND ARGS...)`
          : '';
      write(`waitables: ${message}${hint} (see waitables${path ? ` ${path}` : ''} --help)\n`);
    },
  });
}

// Loaded only with --connect: local commands do not load pg.
const remote = () => import('./remote.js');

const connect = () =>
  new Option(
    '--connect <url>',
    'use the objects of this PostgreSQL database (postgres://...) or etcd cluster (etcd://host1:2379,host2:2379,...) instead of the local ones',
  ).env('WAITABLES_CONNECT');

const STATUSES = `
Exit status:
  lock, sem, rwlock: the command's status (${EXIT.sigterm} if it was stopped because the --connect session was lost);
  ${EXIT.timeout} if not obtained within --timeout;
  wait: the index of the name that fired (0 for NAME, 1 for the first --any, ...), 0 for --all;
  ${EXIT.timeout}: timed out; ${EXIT.sigint}/${EXIT.sigterm}: interrupted by SIGINT/SIGTERM while waiting (nothing held);
  ${EXIT.usage}: bad usage, including a name that cannot be a name (empty, too long, a misplaced backslash);
  ${EXIT.failure}: another error, said in one line with its Win32 error name (such as a name held by
  another kind of object, or a database that cannot be reached).
  WAITABLES_DEBUG=1 adds the stack of an error.

Across hosts: lock, sem, wait, set, reset, pulse and ls take --connect <url> (or WAITABLES_CONNECT)
to use the objects of a PostgreSQL database or an etcd cluster (@waitables/postgres) instead of this
machine's; rwlock (a reader-writer lock) exists only on PostgreSQL. If the session is lost while a
command runs under lock, sem or rwlock, the command gets SIGTERM.`;

/** Runs a command's action: `start` may throw, return a status or a promise of one. */
export type Runner = (start: () => Promise<number> | number) => void;

export function program(run: Runner, version: string): Command {
  const cli = new Command('waitables')
    .description('Named mutexes, semaphores, events and timers shared by processes (Windows semantics, on Linux and Windows).')
    .version(version, '-V, --version', 'print the version')
    .addHelpText('after', STATUSES)
    // Usage errors exit with status 2 (commander's default is 1), for the subcommands too.
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : EXIT.usage));

  cli
    .command('lock')
    .description('run a command while holding a named mutex (like flock)')
    .argument('<name>', 'mutex name, e.g. Local\\backup')
    .argument('<command...>', 'the command and its arguments (after --)')
    .addOption(timeout())
    .addOption(verbose())
    .addOption(connect())
    .addHelpText(
      'after',
      '\nExamples:\n  waitables lock nightly-backup -- rsync -a /data /backup\n  waitables lock --timeout 5s device -- ./flash-firmware.sh\n' +
        '  waitables lock --connect postgres://app@db/app nightly-report -- ./report.sh',
    )
    .action((name: string, command: string[], options: commands.TimeoutOption & { connect?: string }) =>
      run(() =>
        options.connect !== undefined
          ? remote().then((r) => r.lock(name, command, { ...options, connect: options.connect! }))
          : commands.lock(name, command, options),
      ),
    );

  cli
    .command('rwlock')
    .description(
      'run a command as a reader (--read, with other readers) or the writer (--write, alone) of a reader-writer lock of a database (--connect only)',
    )
    .argument('<name>', 'reader-writer lock name')
    .argument('<command...>', 'the command and its arguments (after --)')
    .addOption(new Option('-r, --read', 'hold it shared, with other readers').conflicts('write'))
    .addOption(new Option('-w, --write', 'hold it alone (no reader, no other writer)').conflicts('read'))
    .addOption(timeout())
    .addOption(verbose())
    .addOption(connect())
    .addHelpText(
      'after',
      '\nExamples:\n  waitables rwlock --connect postgres://app@db/app --read catalog -- ./export.sh\n' +
        '  waitables rwlock --connect postgres://app@db/app --write catalog -- ./import.sh',
    )
    .action((name: string, command: string[], options: commands.TimeoutOption & { read?: boolean; write?: boolean; connect?: string }) =>
      run(() => {
        if (!options.read && !options.write) throw new CliError('rwlock needs --read or --write', EXIT.usage);
        if (options.connect === undefined)
          throw new CliError('rwlock needs --connect URL (or WAITABLES_CONNECT): reader-writer locks live in a database', EXIT.usage);
        return remote().then((r) =>
          r.rwlock(name, command, { ...options, connect: options.connect!, mode: options.read ? 'read' : 'write' }),
        );
      }),
    );

  cli
    .command('sem')
    .description("run a command holding one unit of a named semaphore of maximum N (like GNU parallel's sem)")
    .argument('<name>', 'semaphore name')
    .argument('<command...>', 'the command and its arguments (after --)')
    .requiredOption('-m, --max <n>', 'units of the semaphore (checked against an existing one)', positiveInteger)
    .option('--no-crash-safe', "a plain semaphore: a unit held by a process that dies is lost (the kernel semaphore's own semantics)")
    .addOption(timeout())
    .addOption(verbose())
    .addOption(connect())
    .addHelpText(
      'after',
      '\nExamples:\n  waitables sem encoders --max 2 -- ffmpeg -i in.mov out.mp4\n' +
        '  WAITABLES_CONNECT=postgres://app@db/app waitables sem encoders --max 8 -- ./encode.sh',
    )
    .action((name: string, command: string[], options: commands.TimeoutOption & { max: number; crashSafe: boolean; connect?: string }) =>
      run(() =>
        options.connect !== undefined
          ? remote().then((r) => r.sem(name, command, { ...options, connect: options.connect! }))
          : commands.sem(name, command, options),
      ),
    );

  cli
    .command('wait')
    .description('wait until a named event is set (creating it if no process holds it)')
    .argument('<name>', 'event name')
    .option('--any <names...>', 'also wait for these events; the exit status says which fired')
    .option('--all', 'wait until all of them are set at once')
    .option('--manual', 'create missing events as manual-reset (stay set until reset)')
    .addOption(timeout())
    .addOption(verbose())
    .addOption(connect())
    .addHelpText(
      'after',
      '\nExamples:\n  waitables wait job-done --timeout 10m\n  waitables wait shutdown --any reload; echo "fired: $?"\n' +
        '  waitables wait --connect postgres://app@db/app deploy-done',
    )
    .action((name: string, options: commands.TimeoutOption & { any?: string[]; all?: boolean; manual?: boolean; connect?: string }) =>
      run(() =>
        options.connect !== undefined
          ? remote().then((r) => r.wait([name, ...(options.any ?? [])], { ...options, connect: options.connect! }))
          : commands.wait([name, ...(options.any ?? [])], options),
      ),
    );

  for (const action of ['set', 'reset', 'pulse'] as const) {
    cli
      .command(action)
      .description(`${action} a named event`)
      .argument('<name>', 'event name')
      .addOption(connect())
      .addHelpText(
        'after',
        `\nExamples:\n  waitables ${action} job-done\n  waitables ${action} --connect postgres://app@db/app deploy-done`,
      )
      .action((name: string, options: { connect?: string }) =>
        run(() =>
          options.connect !== undefined
            ? remote().then((r) => r.signalEvent(name, action, options.connect!))
            : commands.signalEvent(name, action),
        ),
      );
  }

  cli
    .command('ticks')
    .description('print the ticks of a high-resolution waitable timer with their lateness, then jitter and drift')
    .requiredOption('-p, --period <duration>', 'tick period (10ms, 1s)', parseDuration)
    .option('-c, --count <n>', 'stop after n ticks (default: until Ctrl-C)', positiveInteger)
    .addHelpText('after', '\nExample:\n  waitables ticks --period 10ms --count 100')
    .action((options: { period: number; count?: number }) => run(() => commands.tickCommand(options)));

  cli
    .command('ls')
    .description('list the named objects of this user (Linux), or of a database (--connect): kind, state, owner, waiters')
    .option('--json', 'print JSON for scripts')
    .option('-a, --all', 'include anonymous objects')
    .addOption(connect())
    .addHelpText(
      'after',
      '\nExamples:\n  waitables ls\n  waitables ls --json | jq \'.objects[] | select(.kind == "mutex")\'\n  waitables ls --connect postgres://app@db/app',
    )
    .action((options: { json?: boolean; all?: boolean; connect?: string }) =>
      run(() =>
        options.connect !== undefined ? remote().then((r) => r.ls({ ...options, connect: options.connect! })) : commands.ls(options),
      ),
    );

  oneLineUsageErrors(cli, '', false);
  for (const command of cli.commands) oneLineUsageErrors(command, command.name(), ['lock', 'sem', 'rwlock'].includes(command.name()));
  return cli;
}
