// 6. Timer ticks at 1 ms and 10 ms periods: jitter and cumulative drift, against
// timers/promises setInterval and plain setInterval.
import { setInterval as intervalPromise } from 'node:timers/promises';
import { ticks } from '@waitables/async';
import { summarize } from '../lib/stats.mjs';

async function collect(periodMs, durationMs, kind) {
  const times = [];
  const indices = [];
  const start = performance.now();
  if (kind === 'ours') {
    for await (const tick of ticks(periodMs)) {
      times.push(tick.actual);
      indices.push(tick.index);
      if (tick.actual - start >= durationMs) break;
    }
  } else if (kind === 'promises') {
    for await (const _ of intervalPromise(periodMs)) {
      times.push(performance.now());
      indices.push(times.length);
      if (performance.now() - start >= durationMs) break;
    }
  } else {
    await new Promise((resolve) => {
      const id = setInterval(() => {
        times.push(performance.now());
        indices.push(times.length);
        if (performance.now() - start >= durationMs) {
          clearInterval(id);
          resolve();
        }
      }, periodMs);
    });
  }
  // Jitter: how far each interval is from the period. Drift: how late the ticks of the
  // last tenth of the run are (median) against the schedule their count implies (tick n
  // due at start + n × period; ours counts the ticks it coalesced after falling behind,
  // the interval APIs do not): lateness that accumulates shows there, a spike does not.
  const intervals = times.slice(1).map((t, i) => Math.abs(t - times[i] - periodMs) * 1000);
  const lateness = times.map((t, i) => t - (start + indices[i] * periodMs));
  const drift = summarize(lateness.slice(Math.floor(lateness.length * 0.9)).map((v) => v)).p50;
  const expected = Math.floor(durationMs / periodMs);
  return {
    jitter: summarize(intervals),
    driftMs: drift,
    ticks: times.length,
    lostTicks: Math.max(0, expected - times.length),
    series: times.map((t) => t - start),
  };
}

export async function run({ quick, progress }) {
  const duration = quick ? 1000 : 10_000;
  const warmup = quick ? 1000 : 3000;
  const rows = [];
  const charts = [];
  for (const period of [1, 10]) {
    const series = [];
    for (const [kind, label] of [
      ['ours', 'ours: ticks()'],
      ['promises', 'timers/promises setInterval'],
      ['plain', 'setInterval'],
    ]) {
      progress(`${period} ms: ${label}`);
      await collect(period, warmup, kind); // steady state, as in a long-running service: the same unmeasured run for each
      const r = await collect(period, duration, kind);
      rows.push({ period, label, ...r });
      series.push({ name: label, points: r.series.slice(1).map((t, i) => [t, (r.series[i + 1] - r.series[i] - period) * 1000]) });
    }
    charts.push({
      file: `ticks-${period}ms.svg`,
      kind: 'line',
      spec: {
        title: `Interval error over time, ${period} ms period (µs)`,
        xLabel: 'ms since start',
        yLabel: 'interval - period (µs)',
        series,
      },
    });
  }
  const verdicts = [1, 10].map((period) => {
    const ours = rows.find((r) => r.period === period && r.label.startsWith('ours'));
    const plain = rows.find((r) => r.period === period && r.label === 'setInterval');
    return { period, ratio: ours.jitter.p99 / plain.jitter.p99, drift: ours.driftMs, plainDrift: plain.driftMs };
  });
  // No cumulative drift: the last tick is late by less than one period (setInterval's lateness grows without bound).
  const met = verdicts.every((v) => v.ratio <= 0.2 && Math.abs(v.drift) < v.period);
  return {
    id: 'ticks',
    title: 'Timer ticks: jitter (interval error, µs) and cumulative drift',
    target: 'p99 jitter at most a fifth of setInterval’s, and no cumulative drift',
    met,
    headline: verdicts
      .map(
        (v) =>
          `${v.period} ms: p99 jitter ${v.ratio.toFixed(2)}x setInterval's, drift ${v.drift.toFixed(2)} ms (setInterval: ${v.plainDrift.toFixed(1)} ms)`,
      )
      .join('; '),
    table: {
      columns: ['period', 'contender', 'jitter p50 µs', 'jitter p99 µs', 'jitter max µs', 'drift ms', 'ticks', 'ticks lost'],
      rows: rows.map((r) => [`${r.period} ms`, r.label, r.jitter.p50, r.jitter.p99, r.jitter.max, r.driftMs, r.ticks, r.lostTicks]),
    },
    ratios: Object.fromEntries(verdicts.map((v) => [`p99Over SetInterval${v.period}ms`.replace(' ', ''), v.ratio])),
    charts,
  };
}
