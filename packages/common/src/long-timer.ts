/**
 * Timers of any length up to Number.MAX_SAFE_INTEGER ms. Node's setTimeout takes at
 * most 2^31 - 1 ms (a longer delay becomes 1 ms, with a TimeoutOverflowWarning), so a
 * longer one is a chain of timers toward one deadline.
 */

/** Longest delay one setTimeout honours. */
export const MAX_TIMER_MS = 0x7fffffff;

/** A timer started by {@link setLongTimeout}. */
export interface LongTimer {
  /** Cancels it: the callback is not called (nothing happens if it was already). */
  clear(): void;
}

/**
 * Calls `callback` once `ms` milliseconds have passed (Infinity: never). `ref: false`
 * (the default) does not keep the process alive, as a wait's own timeout must not.
 * @example
 * ```ts
 * const timer = setLongTimeout(30 * 24 * 3600_000, () => console.log('a month later'));
 * timer.clear();
 * ```
 */
export function setLongTimeout(ms: number, callback: () => void, ref = false): LongTimer {
  if (ms === Infinity) return { clear: () => undefined };
  const deadline = performance.now() + ms;
  let timer: NodeJS.Timeout;
  const schedule = (left: number) => {
    timer = setTimeout(
      () => {
        const rest = deadline - performance.now();
        // A chained link ends early by design; the last one is trusted as Node's timers are.
        if (left > MAX_TIMER_MS && rest > 0) schedule(rest);
        else callback();
      },
      Math.min(Math.max(0, left), MAX_TIMER_MS),
    );
    if (!ref) timer.unref();
  };
  schedule(ms);
  return { clear: () => clearTimeout(timer) };
}
