/**
 * Opening the object a command names: an empty name is a usage error (it would make an
 * anonymous object that excludes nobody), and a name held by an object of another kind
 * is said to be so, where the OS only answers ERROR_INVALID_HANDLE.
 */
import { Event, Mutex, Semaphore, WaitableTimer, SYNCHRONIZE } from '@waitables/core';
import { CliError } from './failure.js';
import { EXIT } from './exit-codes.js';

export type NamedKind = 'event' | 'mutex' | 'semaphore' | 'waitable timer';

const OPENERS: [NamedKind, (name: string) => { close(): void }][] = [
  ['event', (name) => Event.open(name, { access: SYNCHRONIZE })],
  ['mutex', (name) => Mutex.open(name, { access: SYNCHRONIZE })],
  ['semaphore', (name) => Semaphore.open(name, { access: SYNCHRONIZE })],
  ['waitable timer', (name) => WaitableTimer.open(name, { access: SYNCHRONIZE })],
];

/** The kind of the object that holds `name`, if another kind than `not` can open it. */
function kindOf(name: string, not: NamedKind): NamedKind | null {
  for (const [kind, open] of OPENERS) {
    if (kind === not) continue;
    try {
      open(name).close();
      return kind;
    } catch {
      // not this kind
    }
  }
  return null;
}

/** Checks `name`, then runs `create`, translating a clash of kinds into a plain sentence. */
export function named<T>(kind: NamedKind, name: string, create: () => T): T {
  if (name === '') throw new CliError('NAME must not be empty (an empty name makes an anonymous object, shared with nobody)', EXIT.usage);
  try {
    return create();
  } catch (error) {
    // By name and code, not instanceof (see failure.ts).
    if (error instanceof Error && error.name === 'Win32Error' && (error as { code?: unknown }).code === 'ERROR_INVALID_HANDLE') {
      const other = kindOf(name, kind);
      const article = (k: string) => (/^[aeiou]/.test(k) ? 'an' : 'a');
      if (other)
        throw new CliError(
          `that name is ${article(other)} ${other}, not ${article(kind)} ${kind}: ${name} (ERROR_INVALID_HANDLE)`,
          EXIT.failure,
        );
    }
    throw error;
  }
}
