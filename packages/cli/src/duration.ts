/** Durations on the command line: `250ms`, `5s`, `2m`, or a bare number of seconds. */
import { InvalidArgumentError } from 'commander';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** Milliseconds of a duration string; commander's InvalidArgumentError if it is not one. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new InvalidArgumentError(`"${text}" is not a duration (examples: 250ms, 5s, 2m)`);
  const ms = Number(match[1]) * UNITS[match[2] ?? 's']!;
  // Any length a wait takes (timers are chained past 2^31 ms), up to exact integers.
  if (!(ms <= Number.MAX_SAFE_INTEGER)) throw new InvalidArgumentError(`"${text}" is too long (at most ${Number.MAX_SAFE_INTEGER} ms)`);
  return Math.round(ms);
}
