/** Timer ticks on an absolute schedule. */
import { ArgumentOutOfRangeError, InvalidArgumentTypeError, WaitableTimer } from '@waitables/core';
import { KeepAlive } from '@waitables/common/keep-alive';
import { PendingWait } from '@waitables/common/pending-wait';
import { TimeoutError } from './errors.js';
import { checkWaitOptions, type WaitOptions } from './options.js';
import { waitPool } from './default-pool.js';
import { CancellableIterator } from './cancellable-iterator.js';

/** One tick of {@link ticks}. */
export interface Tick {
  /** Which tick of the schedule this is, from 1 (ticks missed are skipped, not repeated). */
  readonly index: number;
  /** When it was due (start + index × period), in `performance.now()` milliseconds. Never after `actual`. */
  readonly scheduled: number;
  /** When the awaiting code resumed, in `performance.now()` milliseconds. */
  readonly actual: number;
  /** Ticks that came and went while the consumer was busy, coalesced into this one. */
  readonly missed: number;
}

/** A 100 ns relative due time that never rounds a delay down (a tick must never come early). */
function relativeDueTime(ms: number): bigint {
  return -BigInt(Math.max(1, Math.ceil(ms * 10_000)));
}

/** Sleeps with `ref: true` (while no wait thread is up yet, no pool keeps the process alive). */
const sleeps = new KeepAlive();

/** Resolves after `ms` on Node's own timers (while no wait thread is up yet); rejects with AbortError on an abort. */
function sleep(ms: number, signal: AbortSignal, ref: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    // Its "timeout" is the end of the sleep, not a failure.
    const wait = new PendingWait({ signal, timeout: ms, keepAlive: ref ? sleeps : null }, (error) => {
      wait.disarm();
      if (error instanceof TimeoutError) resolve();
      else reject(error);
    });
    wait.arm();
  });
}

/**
 * Ticks of a high-resolution waitable timer every `periodMs` (an integer), on an
 * absolute schedule that starts at the call: tick n is due at start + n × period, so
 * lateness never accumulates.
 *
 * Guarantees: a tick is never delivered before its `scheduled` time; `scheduled` is
 * always start + index × period; indices only grow. A consumer that comes back late
 * gets the latest tick that fell due meanwhile, with `missed` counting the ones it
 * skipped, never a burst. The first tick is due one period after the call even when
 * no wait thread runs yet (it is then timed by Node's timers while one starts).
 * `break` stops and closes the timer.
 *
 * Cancellation: `break`, `return()` or an abort of `options.signal` cancels the wait in
 * progress (an abort ends the iteration with AbortError) and closes the timer.
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
  const start = performance.now();
  // Start a wait thread now; until it runs, Node's timers time the ticks.
  if (!waitPool().warm)
    waitPool()
      .warmUp()
      .catch(() => undefined);
  let timer: WaitableTimer | null = null;
  let last = 0;

  /** Waits until `due`; resolves with when it was reached (on the wait thread, if it waited there). */
  async function reach(due: number, stop: AbortSignal): Promise<number> {
    for (;;) {
      const now = performance.now();
      if (now >= due) return now;
      const pool = waitPool();
      if (!pool.warm) {
        await sleep(due - now, stop, ref);
        continue;
      }
      // A one-shot expiry for exactly this due time: each signal of the timer is this tick's,
      // never one left over from an earlier period.
      timer ??= WaitableTimer.create({ highResolution: true });
      timer.set({ dueTime: relativeDueTime(due - performance.now()) });
      const { at } = await pool.acquire(timer, { signal: stop, timeout: Infinity, ref });
      const reached = Math.min(at, performance.now());
      if (reached >= due) return reached;
    }
  }

  return new CancellableIterator(
    async (stop) => {
      const next = last + 1;
      const reached = await reach(start + next * periodMs, stop);
      const actual = performance.now();
      // Ticks that fell due before it was reached were missed (a consumer late to ask).
      let index = Math.max(next, Math.floor((reached - start) / periodMs));
      if (index > next && start + index * periodMs > reached) index--; // a quotient rounded up
      last = index;
      return { index, scheduled: start + index * periodMs, actual, missed: index - next };
    },
    () => {
      timer?.cancel();
      timer?.close();
    },
    signal,
  );
}
