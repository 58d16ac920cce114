import { describe, expect, test } from 'vitest';
import { AbortError, type Tick, closeWaitPool, ticks } from '@waitables/async';
import { waitPool } from '@waitables/async/internal';
import { settle } from '../helpers/async.js';

/** Ticks consumed by a consumer that, after each tick, comes back at a random moment within a period either side of a due time. */
const TICKS = 2000;

function busyUntil(time: number): void {
  while (performance.now() < time);
}

/**
 * Consumes `count` ticks of `periodMs`, coming back after each one at a random moment
 * around the next due time or the one after (early, just before, just after, late), and
 * checks every tick against the schedule: never before `scheduled`, `scheduled` on the
 * grid start + index × period, indices growing by 1 + missed, and never a tick older
 * than the latest one due when the consumer asked.
 */
async function consumeAtRandomMoments(
  periodMs: number,
  count: number,
): Promise<{ early: number; offGrid: number; stale: number; badIndex: number }> {
  const seen: (Tick & { askedAt: number })[] = [];
  let askedAt = performance.now();
  for await (const tick of ticks(periodMs)) {
    seen.push({ ...tick, askedAt });
    if (seen.length === count) break;
    const due = tick.scheduled + periodMs * (Math.random() < 0.8 ? 1 : 2);
    busyUntil(due + (Math.random() - 0.5) * periodMs);
    askedAt = performance.now();
  }
  const start = seen[0]!.scheduled - seen[0]!.index * periodMs;
  let early = 0;
  let offGrid = 0;
  let stale = 0;
  let badIndex = 0;
  seen.forEach((tick, i) => {
    if (tick.actual < tick.scheduled) early++;
    if (Math.abs(tick.scheduled - (start + tick.index * periodMs)) > 1e-6) offGrid++;
    if (tick.scheduled <= tick.askedAt - periodMs) stale++;
    const expected = i === 0 ? 1 + tick.missed : seen[i - 1]!.index + 1 + tick.missed;
    if (tick.index !== expected || tick.missed < 0) badIndex++;
  });
  return { early, offGrid, stale, badIndex };
}

describe('ticks', () => {
  test('are due on an absolute schedule: tick n at start + n × period', async () => {
    const seen: { index: number; scheduled: number; actual: number }[] = [];
    for await (const tick of ticks(10)) {
      seen.push(tick);
      if (seen.length === 5) break;
    }
    const start = seen[0]!.scheduled - seen[0]!.index * 10;
    for (const tick of seen) {
      expect(tick.scheduled).toBeCloseTo(start + tick.index * 10, 6);
      expect(tick.actual).toBeGreaterThanOrEqual(tick.scheduled - 1);
    }
    expect(seen.map((t) => t.index)).toEqual([...seen.map((t) => t.index)].sort((a, b) => a - b));
    await settle(20);
    expect(waitPool().stats().pending).toBe(0);
  });

  test('a consumer that falls behind gets one tick counting those it missed, not a burst', async () => {
    const seen: { index: number; missed: number; actual: number }[] = [];
    for await (const tick of ticks(10)) {
      seen.push(tick);
      if (seen.length === 1) {
        const until = performance.now() + 45;
        while (performance.now() < until); // busy: four or more ticks go by
      }
      if (seen.length === 3) break;
    }
    expect(seen[1]!.missed).toBeGreaterThanOrEqual(3);
    expect(seen[1]!.index).toBe(seen[0]!.index + 1 + seen[1]!.missed);
    expect(seen[2]!.index).toBe(seen[1]!.index + 1 + seen[2]!.missed);
  });

  test(`are never early, stay on the grid and are never stale, for a consumer back at random moments around due times (${TICKS} ticks of 1 ms)`, async () => {
    expect(await consumeAtRandomMoments(1, TICKS)).toEqual({ early: 0, offGrid: 0, stale: 0, badIndex: 0 });
  });

  test(`likewise at 7 ms (${TICKS / 4} ticks)`, async () => {
    expect(await consumeAtRandomMoments(7, TICKS / 4)).toEqual({ early: 0, offGrid: 0, stale: 0, badIndex: 0 });
  });

  test('on a cold pool, the schedule starts at the call (not once a wait thread runs) and the first tick is not early', async () => {
    await closeWaitPool();
    expect(waitPool().stats().batchThreads).toBe(0);
    const before = performance.now();
    const it = ticks(50);
    const after = performance.now();
    const { value: first } = (await it.next()) as IteratorYieldResult<Tick>;
    await it.return!();
    const start = first.scheduled - first.index * 50;
    expect(start).toBeGreaterThanOrEqual(before);
    expect(start).toBeLessThanOrEqual(after);
    expect(first.actual).toBeGreaterThanOrEqual(first.scheduled);
    expect(first.index).toBe(1 + first.missed);
  });

  test('stop with an abort signal, and reject bad periods', async () => {
    const controller = new AbortController();
    const it = ticks(1000, { signal: controller.signal });
    const next = it.next();
    controller.abort();
    await expect(next).rejects.toBeInstanceOf(AbortError);
    expect(() => ticks(0)).toThrow(RangeError);
    expect(() => ticks(1.5)).toThrow(RangeError);
    expect(() => ticks('10' as never)).toThrow(TypeError);
  });
});
