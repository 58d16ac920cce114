// 9. Scale-out (Linux, not under Wine): @waitables/postgres across processes on a
// throwaway PostgreSQL server started here, against a raw pg_advisory_lock loop and the
// advisory-lock npm package on the same server, in the same run (bench/lib/scale-out.mjs):
// uncontended lock, hand-over between 2/4/8 processes, fairness, event wake-up latency,
// abandonment detection, and wait-all against locking one by one.
import { measure } from '../lib/scale-out.mjs';
import { startServer } from '../lib/pg-server.mjs';

const ratio = (a, b) => (a === null || b === null || !b ? '—' : `${(a / b).toFixed(2)}x`);

export async function run({ quick, progress }) {
  if (process.platform !== 'linux') throw new Error('scale-out runs on Linux (it starts a PostgreSQL server)');
  progress('starting a throwaway PostgreSQL server');
  const server = await startServer();
  let rows;
  try {
    rows = await measure(server.url, { quick, progress });
  } finally {
    server.stop();
  }
  const get = (prefix) => rows.find((r) => r.measure.startsWith(prefix));
  const fair = get('fairness');
  const abandon = get('abandonment');
  const handoff = get('hand-over between 2');
  // What the package promises: FIFO grants, and abandonment within its reapInterval
  // (1 s) plus a margin for a loaded machine. Speed against bare advisory locks is
  // reported, not a target: they have none of the semantics.
  const met = fair.ours >= 0.8 && abandon.ours <= 2000;
  return {
    id: 'scale-out',
    title: 'Scale-out: @waitables/postgres across processes vs pg_advisory_lock and advisory-lock (npm)',
    target:
      'FIFO fairness across processes (min/max grants ≥ 0.8) and abandonment seen within 2 s of kill -9; speed vs advisory locks reported as ratios',
    met,
    headline:
      `fairness ${fair.ours.toFixed(2)} (raw ${fair.raw.toFixed(2)}, advisory-lock ${fair.package.toFixed(2)}), ` +
      `abandonment ${abandon.ours.toFixed(0)} ms, hand-over of 2 processes ${ratio(handoff.ours, handoff.raw)} raw`,
    table: {
      columns: [
        'measure',
        'unit',
        '@waitables/postgres',
        'raw (pg_advisory_lock; plain UPDATE for distinct objects)',
        'advisory-lock (npm)',
        'single-lock design',
        'ours / raw',
        'ours / advisory-lock',
        'ours / single-lock',
        'note',
      ],
      rows: rows.map((r) => [
        r.measure,
        r.unit,
        r.ours ?? '—',
        r.raw ?? '—',
        r.package ?? '—',
        r.single ?? '—',
        ratio(r.ours, r.raw),
        ratio(r.ours, r.package),
        ratio(r.ours, r.single),
        r.note,
      ]),
    },
  };
}
