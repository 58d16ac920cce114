/** Helpers for the SQL text of the schema: identifiers and the engine's lock key. */
import { ArgumentOutOfRangeError, InvalidArgumentTypeError } from '@waitables/common';

/** A schema name: lower-case letters, digits and `_`, starting with a letter, at most 40 characters. */
export function checkSchemaName(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new InvalidArgumentTypeError(path, 'a string', value);
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(value)) {
    throw new ArgumentOutOfRangeError(path, 'lower-case letters, digits and _, starting with a letter, at most 40 characters', value);
  }
  return value;
}

/** A quoted SQL identifier (the names reaching here are already checked). */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * The first key of every advisory lock of a schema (PostgreSQL's two-int form), so that
 * two schemas in one database never share a lock: FNV-1a of the schema name, 31 bits.
 */
export function lockKey(schema: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(`waitables:${schema}`)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash & 0x7fffffff || 1;
}

/** The LISTEN channel of a session: grants to its waits arrive there. */
export function channelOf(key: number, session: number): string {
  return `w${key}_${session}`;
}
