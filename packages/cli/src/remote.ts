/**
 * The commands over a PostgreSQL database or an etcd cluster (`--connect URL` or
 * WAITABLES_CONNECT: postgres://... or etcd://host1:2379,host2:2379,...), through
 * `@waitables/postgres`: the same statuses, one-line failures and cancellation as the
 * local commands. The connection is closed before the status is returned, which
 * releases whatever this process still holds; a process that dies instead has its
 * session ended by the server, and the next holder is told the mutex was abandoned.
 * When the session is lost while the command runs (another host may hold the lock from
 * then on), the command gets SIGTERM.
 */
import { connect, type Database, type Event, type Lock, type ReadLock, type WriteLock } from '@waitables/postgres';
import { escapeControls } from './escape.js';
import { EXIT } from './exit-codes.js';
import { CliError } from './failure.js';
import { runCommand } from './run-command.js';
import { statusOf, waitFor } from './waiting.js';
import { table } from './table.js';

export interface RemoteOptions {
  readonly connect: string;
  readonly timeout?: number;
  readonly verbose?: boolean;
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

function checkName(name: string): void {
  if (name === '') throw new CliError('NAME must not be empty', EXIT.usage);
}

/** A URL `connect()` takes: postgres://, postgresql://, etcd:// (or memory: for tests); otherwise a usage error naming the option. */
function checkUrl(url: string): void {
  // etcd://host1:2379,host2:2379 lists several hosts, which WHATWG URLs do not parse.
  if (/^etcd:\/\/[^/,\s]+(,[^/,\s]+)*\/?$/.test(url)) return;
  let protocol: string | null = null;
  try {
    protocol = new URL(url).protocol;
  } catch {
    // not a URL at all
  }
  if (protocol === 'postgres:' || protocol === 'postgresql:' || protocol === 'memory:') return;
  throw new CliError(
    `--connect (or WAITABLES_CONNECT): "${escapeControls(redact(url))}" is not a PostgreSQL or etcd URL (postgres://user@host:5432/database, etcd://host1:2379,host2:2379,host3:2379)`,
    EXIT.usage,
  );
}

/** Connects, runs `body`, and closes the connection whatever happens. */
async function withDatabase(url: string, body: (db: Database) => Promise<number>): Promise<number> {
  checkUrl(url);
  let db: Database;
  try {
    db = await connect(url, { label: `waitables cli, pid ${process.pid}` });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    throw new CliError(`cannot connect to ${redact(url)}: ${message || (error as Error).name}`, EXIT.failure);
  }
  try {
    return await body(db);
  } finally {
    await db.close().catch(() => undefined);
  }
}

/** Says on stderr when the session holding `held` is lost while the command runs (`runCommand` then stops the command). */
function warnIfLost(held: { readonly lost: AbortSignal }, what: string): void {
  held.lost.addEventListener(
    'abort',
    () =>
      process.stderr.write(
        `waitables: lost ${escapeControls(what)}: the database session ended, another process may hold it now; stopping the command (SIGTERM)\n`,
      ),
    { once: true },
  );
}

export function lock(name: string, command: string[], options: RemoteOptions): Promise<number> {
  checkName(name);
  return withDatabase(options.connect, async (db) => {
    const mutex = await db.Mutex.create({ name });
    let held: Lock;
    try {
      held = await waitFor(`mutex ${name}`, (signal) => mutex.acquire({ signal, timeout: options.timeout }), options.verbose);
    } catch (error) {
      return statusOf(error, `mutex ${name}`);
    }
    if (held.abandoned)
      process.stderr.write(
        `waitables: mutex ${escapeControls(name)} was abandoned by its previous holder (its session ended holding it); you hold it now\n`,
      );
    warnIfLost(held, `mutex ${name}`);
    try {
      return await runCommand(command[0]!, command.slice(1), { WAITABLES_NAME: name, WAITABLES_FENCE: String(held.fence) }, held.lost);
    } finally {
      await held.release().catch(() => undefined);
    }
  });
}

/** Runs the command as a reader (`mode: 'read'`, with other readers) or the writer of a reader-writer lock of the database. */
export function rwlock(name: string, command: string[], options: RemoteOptions & { mode: 'read' | 'write' }): Promise<number> {
  checkName(name);
  return withDatabase(options.connect, async (db) => {
    const lock = await db.RwLock.create({ name });
    const what = `reader-writer lock ${name}`;
    let held: ReadLock | WriteLock;
    try {
      held = await waitFor(
        `${what} (${options.mode === 'read' ? 'as a reader' : 'as the writer'})`,
        (signal): Promise<ReadLock | WriteLock> =>
          options.mode === 'read' ? lock.read({ signal, timeout: options.timeout }) : lock.write({ signal, timeout: options.timeout }),
        options.verbose,
      );
    } catch (error) {
      return statusOf(error, what);
    }
    if (held.abandoned)
      process.stderr.write(
        `waitables: ${escapeControls(what)} was abandoned by a writer (its session ended holding it) and no writer has held it since\n`,
      );
    warnIfLost(held, what);
    try {
      return await runCommand(command[0]!, command.slice(1), { WAITABLES_NAME: name, WAITABLES_FENCE: String(held.fence) }, held.lost);
    } finally {
      await held.release().catch(() => undefined);
    }
  });
}

export function sem(name: string, command: string[], options: RemoteOptions & { max: number }): Promise<number> {
  checkName(name);
  return withDatabase(options.connect, async (db) => {
    const semaphore = await db.Semaphore.create({ name, initialCount: options.max, maximumCount: options.max });
    if (semaphore.existed) {
      const state = (await db.list()).find((o) => o.name === name);
      if (state && state.maximum !== options.max) {
        process.stderr.write(`waitables: semaphore ${escapeControls(name)} exists with --max ${state.maximum}, not ${options.max}\n`);
        return EXIT.usage;
      }
    }
    let permit;
    try {
      permit = await waitFor(
        `a unit of semaphore ${name}`,
        (signal) => semaphore.acquire({ signal, timeout: options.timeout }),
        options.verbose,
      );
    } catch (error) {
      return statusOf(error, `semaphore ${name}`);
    }
    warnIfLost(permit, `a unit of semaphore ${name}`);
    try {
      return await runCommand(command[0]!, command.slice(1), { WAITABLES_NAME: name, WAITABLES_FENCE: String(permit.fence) }, permit.lost);
    } finally {
      await permit.release().catch(() => undefined);
    }
  });
}

export function wait(names: string[], options: RemoteOptions & { all?: boolean; manual?: boolean }): Promise<number> {
  names.forEach(checkName);
  return withDatabase(options.connect, async (db) => {
    const events: Event[] = [];
    for (const name of names) events.push(await db.Event.create({ name, manualReset: options.manual ?? false }));
    const what = names.length === 1 ? `event ${names[0]}` : `${options.all ? 'all' : 'any'} of ${names.join(', ')}`;
    try {
      if (options.all) {
        await waitFor(what, (signal) => db.waitAll(events, { signal, timeout: options.timeout }), options.verbose);
        return EXIT.ok;
      }
      const fired = await waitFor(what, (signal) => db.waitAny(events, { signal, timeout: options.timeout }), options.verbose);
      return fired.index;
    } catch (error) {
      return statusOf(error, what);
    }
  });
}

/** set, reset, pulse. The event lives in the database: nothing is lost when this exits (a pulse reaches only queued waiters). */
export function signalEvent(name: string, action: 'set' | 'reset' | 'pulse', url: string): Promise<number> {
  checkName(name);
  return withDatabase(url, async (db) => {
    const event = await db.Event.create({ name });
    await event[action]();
    return EXIT.ok;
  });
}

/** An age for the table: whole seconds (`12s`), or milliseconds under one second. */
function seconds(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${Math.floor(ms / 1000)}s`;
}

export function ls(options: { json?: boolean; connect: string }): Promise<number> {
  return withDatabase(options.connect, async (db) => {
    const objects = await db.list();
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ database: redact(options.connect), objects }, null, 2)}\n`);
      return EXIT.ok;
    }
    const rows = objects.map((o) => [
      o.kind,
      escapeControls(o.name),
      o.kind === 'semaphore'
        ? `${o.count}/${o.maximum}`
        : o.kind === 'rwlock'
          ? `${o.ownerSession !== null ? 'written' : o.count > 0 ? `read by ${o.count}` : 'free'}${o.abandoned ? ' (abandoned)' : ''}`
          : o.kind === 'mutex'
            ? o.ownerSession !== null
              ? 'owned'
              : o.abandoned
                ? 'free (abandoned)'
                : 'free'
            : `${o.count ? 'set' : 'unset'}${o.manualReset ? ' (manual)' : ''}`,
      o.ownerSession !== null
        ? `session ${o.ownerSession}`
        : o.kind === 'semaphore' && o.permitsHeld
          ? `${o.permitsHeld} held`
          : o.kind === 'rwlock' && o.permitsHeld
            ? `${o.permitsHeld} readers`
            : '-',
      String(o.waiters),
      String(o.fence),
      // How long the oldest holder has held it, and the oldest wait has waited.
      o.holders.length ? seconds(Math.max(...o.holders.map((h) => h.heldMs))) : '-',
      o.queue.length ? seconds(Math.max(...o.queue.map((w) => w.waitedMs))) : '-',
    ]);
    table(['KIND', 'NAME', 'STATE', 'OWNER', 'WAITERS', 'FENCE', 'HELD', 'WAITED'], rows);
    return EXIT.ok;
  });
}
