// Summaries of samples, and timing helpers.

/** p50, p99, max, mean of a list of numbers. */
export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const mean = sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length);
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? 0, mean };
}

/** Microseconds from a performance.now() start. */
export const since = (start) => (performance.now() - start) * 1000;

/** Runs `op` (async) `n` times and returns operations per second. */
export async function rate(n, op) {
  const start = performance.now();
  for (let i = 0; i < n; i++) await op();
  return n / ((performance.now() - start) / 1000);
}

export const fmt = (v, digits = 1) => (v === null || v === undefined ? '—' : Number(v).toFixed(digits));
export const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
