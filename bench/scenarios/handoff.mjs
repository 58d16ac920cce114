// 2. Same-process handoff: a release or set in this process, and the awaiting code
// resumes. Two contenders alternate; time per handoff.
import { Mutex as AsyncMutex } from 'async-mutex';
import { AsyncAutoResetEvent } from '@esfx/async-autoresetevent';
import { AsyncSemaphore } from '@esfx/async-semaphore';
import { Event, Mutex, Semaphore } from '@waitables/async';

async function perHandoff(rounds, contend) {
  const start = performance.now();
  await Promise.all([contend(rounds), contend(rounds)]);
  return ((performance.now() - start) * 1000) / (2 * rounds);
}

const lockLoop = (acquire) => async (rounds) => {
  for (let i = 0; i < rounds; i++) {
    const release = await acquire();
    await null;
    release();
  }
};

async function pingPong(rounds, makePair) {
  const [a, b] = makePair();
  const start = performance.now();
  const ping = (async () => {
    for (let i = 0; i < rounds; i++) {
      a.set();
      await b.wait();
    }
  })();
  const pong = (async () => {
    for (let i = 0; i < rounds; i++) {
      await a.wait();
      b.set();
    }
  })();
  await Promise.all([ping, pong]);
  return ((performance.now() - start) * 1000) / (2 * rounds);
}

export async function run({ quick, progress }) {
  const rounds = quick ? 5_000 : 50_000;
  const rows = [];
  const add = async (label, fn, ours = false) => {
    progress(label);
    await fn(Math.floor(rounds / 10)); // warm-up
    rows.push({ label, us: await fn(rounds), ours });
  };
  const tag = `${process.pid}-${Date.now()}`;
  const mutex = Mutex.create({ name: `Local\\bench-handoff-mutex-${tag}` });
  const sem = Semaphore.create({ name: `Local\\bench-handoff-sem-${tag}`, initialCount: 1, maximumCount: 1 });
  const amutex = new AsyncMutex();
  await add('async-mutex (in-process only)', (n) =>
    perHandoff(
      n,
      lockLoop(() => amutex.acquire()),
    ),
  );
  const esem = new AsyncSemaphore(1);
  await add('@esfx/async-semaphore (in-process only)', (n) =>
    perHandoff(
      n,
      lockLoop(async () => (await esem.wait(), () => esem.release())),
    ),
  );
  await add('@esfx/async-autoresetevent ping-pong (in-process only)', (n) =>
    pingPong(n, () => [new AsyncAutoResetEvent(), new AsyncAutoResetEvent()].map((e) => ({ set: () => e.set(), wait: () => e.wait() }))),
  );
  await add(
    'ours: Mutex lock handoff (named, cross-process capable)',
    (n) =>
      perHandoff(
        n,
        lockLoop(async () => {
          const lock = await mutex.acquire();
          return () => lock.release();
        }),
      ),
    true,
  );
  await add(
    'ours: Semaphore permit handoff (named)',
    (n) =>
      perHandoff(
        n,
        lockLoop(async () => {
          const permit = await sem.acquire();
          return () => permit.release();
        }),
      ),
    true,
  );
  await add(
    'ours: auto-reset Event ping-pong (named)',
    (n) => pingPong(n, () => [Event.create({ name: `Local\\bench-a-${tag}-${n}` }), Event.create({ name: `Local\\bench-b-${tag}-${n}` })]),
    true,
  );
  mutex.close();
  sem.close();
  const best = Math.min(...rows.filter((r) => !r.ours).map((r) => r.us));
  const oursBest = Math.min(...rows.filter((r) => r.ours).map((r) => r.us));
  const ratio = oursBest / best;
  return {
    id: 'handoff',
    title: 'Same-process handoff (µs per handoff)',
    target: 'within 3x of the best in-process library, while staying shareable across processes',
    met: ratio <= 3,
    headline: `best of ours ${oursBest.toFixed(2)} µs vs ${best.toFixed(2)} µs: ${ratio.toFixed(2)}x`,
    table: { columns: ['contender', 'µs per handoff'], rows: rows.map((r) => [r.label, r.us]) },
    ratios: { oursOverBest: ratio },
    charts: [
      {
        file: 'handoff.svg',
        kind: 'bar',
        spec: { title: 'Same-process handoff', unit: 'µs', bars: rows.map((r) => ({ label: r.label, value: r.us, highlight: r.ours })) },
      },
    ],
  };
}
