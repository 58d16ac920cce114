// 7. Named objects at scale: creating and opening a named event while 10,000 named
// objects exist, against creating an anonymous one (the cost of an object without a
// name lookup), measured in the same run. Linux looks names up in a hash index in the
// shared region; Windows in the kernel's object directory.
import { Event } from '@waitables/core';

/** Microseconds per call of `op(i)`, over `n` calls after a warm-up of n / 10. */
function perCallUs(n, op) {
  for (let i = 0; i < Math.ceil(n / 10); i++) op(n + i);
  const start = performance.now();
  for (let i = 0; i < n; i++) op(i);
  return ((performance.now() - start) * 1000) / n;
}

export async function run({ quick, progress }) {
  const existing = 10_000;
  const n = quick ? 2_000 : 10_000;
  const tag = `${process.pid}-${Date.now()}`;
  const kept = [];
  try {
    progress(`creating ${existing} named events`);
    for (let i = 0; i < existing; i++) kept.push(Event.create({ name: `Local\\bench-names-${tag}-${i}` }));
    progress('anonymous create + close');
    const anonymous = perCallUs(n, () => Event.create({}).close());
    progress('named create + close (a new name)');
    const create = perCallUs(n, (i) => Event.create({ name: `Local\\bench-names-new-${tag}-${i}` }).close());
    progress('open + close (an existing name)');
    const open = perCallUs(n, (i) => Event.open(`Local\\bench-names-${tag}-${(i * 7919) % existing}`).close());
    const ratios = { create: create / anonymous, open: open / anonymous };
    return {
      id: 'names',
      title: `Named create and open with ${existing.toLocaleString('en-US')} named objects (µs per call)`,
      target: 'named create and open each at most 3x an anonymous create',
      met: ratios.create <= 3 && ratios.open <= 3,
      headline: `create ${ratios.create.toFixed(2)}x, open ${ratios.open.toFixed(2)}x an anonymous create (${anonymous.toFixed(1)} µs)`,
      table: {
        columns: ['call (then close)', 'µs per call', 'x anonymous create'],
        rows: [
          ['anonymous Event.create', anonymous, 1],
          ['named Event.create (new name)', create, ratios.create],
          ['Event.open (existing name)', open, ratios.open],
        ],
      },
      ratios,
    };
  } finally {
    for (const e of kept) e.close();
  }
}
