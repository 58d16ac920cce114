/**
 * Durations on the command line: `250ms`, `5s`, `2m`, `1h`, combinations such as `1h30m`
 * or `1m30s`, fractions (`1.5s`), or a bare number of seconds.
 */
import { InvalidArgumentError } from 'commander';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/y;

/** Milliseconds of a duration string; commander's InvalidArgumentError if it is not one. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  let ms: number;
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) {
    ms = Number(trimmed) * 1000;
  } else {
    ms = 0;
    PART.lastIndex = 0;
    let at = 0;
    for (let m = PART.exec(trimmed); m; m = PART.exec(trimmed)) {
      ms += Number(m[1]) * UNITS[m[2]!]!;
      at = PART.lastIndex;
    }
    if (at === 0 || at !== trimmed.length) {
      throw new InvalidArgumentError(`"${text}" is not a duration (examples: 250ms, 5s, 2m, 1h30m)`);
    }
  }
  // Any length a wait takes (timers are chained past 2^31 ms), up to exact integers.
  if (!(ms <= Number.MAX_SAFE_INTEGER)) throw new InvalidArgumentError(`"${text}" is too long (at most ${Number.MAX_SAFE_INTEGER} ms)`);
  return Math.round(ms);
}
