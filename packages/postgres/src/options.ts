/** Option bags and their checks (Node's style: TypeError/RangeError naming the path). */
import { ArgumentOutOfRangeError, InvalidArgumentTypeError, validateBoolean, validateInteger, validateObject } from '@waitables/common';
import { checkSchemaName } from './pg/sql-text.js';

/** The options of every waiting method: the same as `@waitables/async`'s (an idle connection never keeps the process alive). */
export type { WaitOptions } from '@waitables/common';

/** The options checked as `@waitables/async` checks them (the same function). */
export { checkWaitOptions, type CheckedWaitOptions } from '@waitables/common';

/** Options of `connect()`. */
export interface ConnectOptions {
  /**
   * The schema that holds the objects; created and migrated on connect. On etcd, the
   * prefix of the keys (`<schema>/...`). Default: `'waitables'`.
   */
  readonly schema?: string;
  /**
   * Milliseconds a session stays owner without renewing its lease (renewed every third
   * of it). A host that vanishes without closing its connection loses what it holds
   * after at most this long; its own `lost` signals fire first. On etcd it is the
   * lease's TTL, rounded up to whole seconds, and a holder killed with -9 is seen only
   * once it has run out. Default: 15000.
   */
  readonly lease?: number;
  /**
   * Milliseconds between checks for ended sessions while this process has a wait
   * queued: the bound on how long after a holder's session ends its objects reach the
   * waiters. Default: 1000.
   */
  readonly reapInterval?: number;
  /** A label stored with the session in the sessions table, for an operator's queries. Default: `'pid <pid>'`. */
  readonly label?: string;
  /**
   * Wait for the WAL flush at each transition's commit (`synchronous_commit` as the server
   * sets it). Default: false: the session's transitions commit with `synchronous_commit =
   * off` (a hand-over costs no disk flush). What that can lose is only a server crash's:
   * the last transitions before it, while every session ends with the crash anyway (a
   * release lost so is reported as `abandoned`); fences stay unique through the epoch,
   * which is always committed durably. Set it to keep the server's setting.
   */
  readonly durableCommits?: boolean;
}

/**
 * {@link ConnectOptions} after their checks, every default filled in.
 * @inline
 */
export interface CheckedConnectOptions {
  /** The schema (etcd: the key prefix); default `'waitables'`. */
  readonly schema: string;
  /** The lease, in milliseconds (300 to 3,600,000); default 15000. */
  readonly lease: number;
  /** Milliseconds between checks for ended sessions while a wait is queued (10 to 3,600,000); default 1000. */
  readonly reapInterval: number;
  /** The session's label; default `'pid <pid>'`. */
  readonly label: string;
  /** Whether transitions wait for the WAL flush; default false. */
  readonly durableCommits: boolean;
}

export function checkConnectOptions(options: unknown): CheckedConnectOptions {
  const o = options === undefined ? {} : validateObject(options, 'options');
  return {
    schema: o.schema === undefined ? 'waitables' : checkSchemaName(o.schema, 'options.schema'),
    lease: o.lease === undefined ? 15_000 : validateInteger(o.lease, 'options.lease', 300, 3_600_000),
    reapInterval: o.reapInterval === undefined ? 1_000 : validateInteger(o.reapInterval, 'options.reapInterval', 10, 3_600_000),
    label: o.label === undefined ? `pid ${process.pid}` : checkString(o.label, 'options.label'),
    durableCommits: o.durableCommits === undefined ? false : validateBoolean(o.durableCommits, 'options.durableCommits'),
  };
}

// The shared checks (the same messages as every other package's).
export { validateObject as checkObject, validateInteger as checkInteger, validateBoolean as checkBoolean } from '@waitables/common';

function checkString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new InvalidArgumentTypeError(path, 'a string', value);
  return value;
}

/** An object name: a non-empty string without NUL, at most 260 characters (MAX_PATH, as the local backends). */
export function checkName(value: unknown, path: string): string {
  if (typeof value !== 'string' || value === '') throw new InvalidArgumentTypeError(path, 'a non-empty string', value);
  if (value.includes('\0')) throw new ArgumentOutOfRangeError(path, 'a string without NUL characters', value);
  if (value.length > 260) throw new ArgumentOutOfRangeError(path, 'at most 260 characters long', `a string of length ${value.length}`);
  return value;
}
