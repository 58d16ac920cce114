import { describe, expect, test } from 'vitest';
import { AbortError, ticks, waitPool } from '@waitables/async';
import { settle } from '../helpers/async.js';

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
