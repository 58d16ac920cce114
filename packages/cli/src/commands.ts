/** The commands: each returns the process's exit status. */
import { Event, Mutex, Semaphore, ticks, waitAll, waitAny } from '@waitables/async';
import { inspectNamespace } from '@waitables/core';
import { escapeControls } from './escape.js';
import { table } from './table.js';
import { EXIT } from './exit-codes.js';
import { named } from './named.js';
import { runCommand } from './run-command.js';
import { statusOf, waitFor } from './waiting.js';

export interface TimeoutOption {
  readonly timeout?: number;
  /** Say on stderr when the command has to wait. */
  readonly verbose?: boolean;
}

export async function lock(name: string, command: string[], options: TimeoutOption): Promise<number> {
  using mutex = named('mutex', name, () => Mutex.create({ name }));
  let held;
  try {
    held = await waitFor(`mutex ${name}`, (signal) => mutex.acquire({ signal, timeout: options.timeout }), options.verbose);
  } catch (error) {
    return statusOf(error, `mutex ${name}`);
  }
  if (held.abandoned)
    process.stderr.write(
      `waitables: mutex ${escapeControls(name)} was abandoned by its previous holder (it died holding it); you hold it now\n`,
    );
  try {
    return await runCommand(command[0]!, command.slice(1), { WAITABLES_NAME: name });
  } finally {
    await held[Symbol.asyncDispose]();
  }
}

export async function sem(name: string, command: string[], options: TimeoutOption & { max: number; crashSafe?: boolean }): Promise<number> {
  // Crash-safe by default: a wrapper killed with -9 gives its unit back.
  const crashSafe = options.crashSafe !== false;
  using semaphore = named('semaphore', name, () =>
    Semaphore.create({ name, initialCount: options.max, maximumCount: options.max, crashSafe }),
  );
  if (semaphore.existed) {
    const { maximum } = semaphore.core.query();
    if (maximum !== options.max) {
      process.stderr.write(`waitables: semaphore ${escapeControls(name)} exists with --max ${maximum}, not ${options.max}\n`);
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
  try {
    return await runCommand(command[0]!, command.slice(1), { WAITABLES_NAME: name });
  } finally {
    void permit.release();
  }
}

export async function wait(names: string[], options: TimeoutOption & { all?: boolean; manual?: boolean }): Promise<number> {
  const events: Event[] = [];
  try {
    for (const name of names) events.push(named('event', name, () => Event.create({ name, manualReset: options.manual ?? false })));
  } catch (error) {
    for (const e of events) e.close();
    throw error;
  }
  const what = names.length === 1 ? `event ${names[0]}` : `${options.all ? 'all' : 'any'} of ${names.join(', ')}`;
  try {
    if (options.all) {
      await waitFor(what, (signal) => waitAll(events, { signal, timeout: options.timeout }), options.verbose);
      return EXIT.ok;
    }
    const fired = await waitFor(what, (signal) => waitAny(events, { signal, timeout: options.timeout }), options.verbose);
    return fired.index;
  } catch (error) {
    return statusOf(error, what);
  } finally {
    for (const e of events) e.close();
  }
}

export function signalEvent(name: string, action: 'set' | 'reset' | 'pulse'): number {
  using event = named('event', name, () => Event.create({ name }));
  if (!event.existed && action !== 'reset') {
    process.stderr.write(`waitables: no process holds event ${escapeControls(name)}: the ${action} is lost when this command exits\n`);
  }
  event.core[action]();
  return EXIT.ok;
}

export async function tickCommand(options: { period: number; count?: number }): Promise<number> {
  if (!Number.isInteger(options.period) || options.period < 1) {
    process.stderr.write('waitables: --period must be a whole number of milliseconds, at least 1ms\n');
    return EXIT.usage;
  }
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const lateness: number[] = [];
  const intervals: number[] = [];
  let missed = 0;
  let previous: number | null = null;
  try {
    for await (const tick of ticks(options.period, { signal: controller.signal })) {
      const late = tick.actual - tick.scheduled;
      lateness.push(late);
      missed += tick.missed;
      if (previous !== null) intervals.push(Math.abs(tick.actual - previous - options.period * (1 + tick.missed)));
      previous = tick.actual;
      process.stdout.write(
        `tick ${tick.index}\t${late >= 0 ? '+' : ''}${late.toFixed(3)} ms${tick.missed ? `\t(${tick.missed} missed)` : ''}\n`,
      );
      if (options.count !== undefined && lateness.length >= options.count) break;
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  const pct = (values: number[], q: number) =>
    [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] ?? 0;
  process.stdout.write(
    `${lateness.length} ticks of ${options.period} ms, ${missed} missed; ` +
      `jitter p50 ${pct(intervals, 0.5).toFixed(3)} ms, p99 ${pct(intervals, 0.99).toFixed(3)} ms, max ${Math.max(0, ...intervals).toFixed(3)} ms; ` +
      `drift ${(lateness.at(-1) ?? 0).toFixed(3)} ms (lateness of the last tick against the schedule)\n`,
  );
  return EXIT.ok;
}

const KNOWN_KINDS = new Set<unknown>(['event', 'mutex', 'semaphore', 'waitable-timer']);

export function ls(options: { json?: boolean; all?: boolean }): number {
  const full = inspectNamespace();
  const snapshot = options.all ? full : { ...full, objects: full.objects.filter((o) => o.name !== null) };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(snapshot, null, 2)}\n`);
    return EXIT.ok;
  }
  const alive = new Map(snapshot.processes.map((p) => [p.pid, p.alive]));
  const rows = snapshot.objects
    .filter((o) => o.kind !== 'process')
    .map((o) => [
      // A kind this version does not know (a newer writer, a damaged slot) is shown, not fatal.
      KNOWN_KINDS.has(o.kind) ? o.kind : 'unknown',
      o.name === null ? '(anonymous)' : escapeControls(o.name),
      o.kind === 'semaphore'
        ? `${o.count}/${o.maximum}${o.crashSafe ? ` crash-safe${o.crashSafe.recovered > 0 ? `, ${o.crashSafe.recovered} recovered` : ''}` : ''}`
        : o.kind === 'mutex'
          ? o.owner
            ? 'owned'
            : o.abandoned
              ? 'free (abandoned)'
              : 'free'
          : o.signaled
            ? 'set'
            : 'unset',
      o.owner
        ? `pid ${o.owner.pid} tid ${o.owner.tid} (${alive.get(o.owner.pid) ? 'alive' : 'dead'})`
        : o.crashSafe && o.crashSafe.holders.length > 0
          ? o.crashSafe.holders.map((h) => `pid ${h.pid} x${h.units}`).join(', ')
          : '-',
      String(o.waiters),
    ]);
  table(['KIND', 'NAME', 'STATE', 'OWNER', 'WAITERS'], rows);
  return EXIT.ok;
}
