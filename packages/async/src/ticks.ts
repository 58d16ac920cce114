/** Timer ticks on an absolute schedule. */
import { ArgumentOutOfRangeError, InvalidArgumentTypeError, WaitableTimer } from '@waitables/core';
import { checkWaitOptions, type WaitOptions } from './options.js';
import { waitPool } from './pool.js';
import { CancellableIterator } from './signal-iterator.js';

/** One tick of {@link ticks}. */
export interface Tick {
  /** Which tick of the schedule this is, from 1 (ticks missed are skipped, not repeated). */
  readonly index: number;
  /** When it was due, in `performance.now()` milliseconds. */
  readonly scheduled: number;
  /** When the awaiting code resumed, in `performance.now()` milliseconds. */
  readonly actual: number;
  /** Ticks that came and went while the consumer was busy, coalesced into this one. */
  readonly missed: number;
}

/**
 * Ticks of a high-resolution waitable timer every `periodMs` (an integer), on an
 * absolute schedule: tick n is due at start + n × period, so lateness never
 * accumulates. A consumer that falls behind gets the next tick with `missed` counting
 * what it skipped, never a burst. `break` stops and closes the timer.
 * @example
 * ```ts
 * for await (const tick of ticks(10, { signal })) {
 *   console.log(tick.index, (tick.actual - tick.scheduled).toFixed(2), 'ms late');
 * }
 * ```
 */
export function ticks(periodMs: number, options: Omit<WaitOptions, 'timeout'> = {}): AsyncIterableIterator<Tick> {
  if (typeof periodMs !== 'number') throw new InvalidArgumentTypeError('periodMs', 'a number', periodMs);
  if (!Number.isInteger(periodMs) || periodMs < 1 || periodMs > 0x7fffffff) {
    throw new ArgumentOutOfRangeError('periodMs', 'an integer from 1 to 2147483647', periodMs);
  }
  const { signal, ref } = checkWaitOptions(options);
  const timer = WaitableTimer.create({ highResolution: true });
  let start = -1;
  let index = 0;
  return new CancellableIterator(
    async (stop) => {
      if (start < 0) {
        // The schedule starts once a wait thread runs, not while one starts up.
        await waitPool().warmUp();
        start = performance.now();
        timer.set({ delayMs: periodMs }, { periodMs });
      }
      const { at } = await waitPool().acquire(timer, { signal: stop, timeout: Infinity, ref });
      const actual = performance.now();
      index++;
      let scheduled = start + index * periodMs;
      // The timer coalesced the expirations that came while its signal waited to be taken:
      // count them from when the wait thread took it, not from when this code runs.
      const missed = Math.max(0, Math.floor((at - scheduled) / periodMs));
      index += missed;
      scheduled += missed * periodMs;
      return { index, scheduled, actual, missed };
    },
    () => {
      timer.cancel();
      timer.close();
    },
    signal,
  );
}
