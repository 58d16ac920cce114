/** Option bags and their checks (Node's style: TypeError/RangeError naming the path). */
import { ArgumentOutOfRangeError, InvalidArgumentTypeError } from '@waitables/core';
import { checkSchemaName } from './pg/sql-text.js';

/** The options of every waiting method, as `@waitables/async`'s. */
export interface WaitOptions {
  /** Aborts the wait: it rejects with AbortError (`cause`: the signal's reason). */
  readonly signal?: AbortSignal;
  /** Milliseconds before the wait rejects with TimeoutError; 0 tests without waiting. Default: none. */
  readonly timeout?: number;
  /**
   * Whether the pending wait keeps the process alive, as a timer does. Default: `true`.
   * An idle connection (no wait pending) never keeps the process alive.
   */
  readonly ref?: boolean;
}

/** The options checked as `@waitables/async` checks them (the same rules, the same errors). */
export { checkWaitOptions, type CheckedWaitOptions } from '@waitables/async';

/** Options of `connect()`. */
export interface ConnectOptions {
  /** The schema that holds the objects; created and migrated on connect. Default: `'waitables'`. */
  readonly schema?: string;
  /**
   * Milliseconds a session stays owner without renewing its lease (renewed every third
   * of it). A host that vanishes without closing its connection loses what it holds
   * after at most this long; its own `lost` signals fire first. Default: 15000.
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
}

export interface CheckedConnectOptions {
  readonly schema: string;
  readonly lease: number;
  readonly reapInterval: number;
  readonly label: string;
}

export function checkConnectOptions(options: unknown): CheckedConnectOptions {
  const o = options === undefined ? {} : checkObject(options, 'options');
  return {
    schema: o.schema === undefined ? 'waitables' : checkSchemaName(o.schema, 'options.schema'),
    lease: o.lease === undefined ? 15_000 : checkInteger(o.lease, 'options.lease', 300, 3_600_000),
    reapInterval: o.reapInterval === undefined ? 1_000 : checkInteger(o.reapInterval, 'options.reapInterval', 10, 3_600_000),
    label: o.label === undefined ? `pid ${process.pid}` : checkString(o.label, 'options.label'),
  };
}

export function checkObject(value: unknown, path: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object') throw new InvalidArgumentTypeError(path, 'an object', value);
  return value as Record<string, unknown>;
}

export function checkInteger(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number') throw new InvalidArgumentTypeError(path, 'a number', value);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new ArgumentOutOfRangeError(path, `an integer from ${min} to ${max}`, value);
  return value;
}

export function checkBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new InvalidArgumentTypeError(path, 'a boolean', value);
  return value;
}

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
