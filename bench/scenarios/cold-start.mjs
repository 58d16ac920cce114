// Cold start (issue 24): what a fresh process pays before its first awaited wait resumes,
// and where the time goes. Each trial is a new Node process (bench/helpers/cold-start.mjs);
// medians over the trials. The target compares the first awaited wait that blocks with
// the second one of the same process (a CLI run, a serverless handler or a cron job pays
// the first every time); the floors are a bare `node` start and a bare Worker start, the
// cost of any thread here.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const helper = fileURLToPath(new URL('../helpers/cold-start.mjs', import.meta.url));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function run({ quick, progress }) {
  const trials = quick ? 5 : 15;
  const samples = [];
  for (let i = 0; i < trials; i++) {
    progress(`fresh process ${i + 1}/${trials}`);
    samples.push(JSON.parse(execFileSync(process.execPath, [helper], { encoding: 'utf8', env: process.env }).trim()));
  }
  const m = Object.fromEntries(Object.keys(samples[0]).map((key) => [key, median(samples.map((s) => s[key]))]));
  const ratio = m.firstWait / m.secondWait;
  const rows = [
    ['node start, to the first line of the program', m.nodeBoot],
    ['import @waitables/core', m.importCore],
    ['import @waitables/async', m.importAsync],
    ['first object (the backend loaded, the namespace attached)', m.create],
    ['first awaited wait that blocks (starts a wait thread)', m.firstWait],
    ['  of which: new Worker to the thread running', m.threadSpawn],
    ['  of which: the thread loading its modules (worker bootstrap, imports)', m.threadLoad],
    ['  of which: the thread attaching the backend (koffi, the namespace)', m.threadAttach],
    ['  of which: its ready report read by the pool', m.threadReport],
    ['second awaited wait that blocks', m.secondWait],
    ['floor: a bare Worker, from new to its first message', m.workerFloor],
  ];
  return {
    id: 'cold-start',
    title: 'Cold start: a fresh process, where its time goes (ms, medians)',
    target: 'the first awaited wait that blocks (on an event set 5 ms later) costs at most 2x the second',
    met: ratio <= 2,
    headline:
      `first awaited wait ${m.firstWait.toFixed(1)} ms, second ${m.secondWait.toFixed(1)} ms (${ratio.toFixed(1)}x; a bare Worker starts in ${m.workerFloor.toFixed(1)} ms); ` +
      `the thread: start ${m.threadSpawn.toFixed(1)}, modules ${m.threadLoad.toFixed(1)}, backend ${m.threadAttach.toFixed(1)} ms; ` +
      `import core ${m.importCore.toFixed(1)} ms, async ${m.importAsync.toFixed(1)} ms, first object ${m.create.toFixed(1)} ms (${trials} fresh processes)`,
    table: { columns: ['step', 'ms (median)'], rows },
    ratios: { firstOverSecond: ratio, firstWaitMs: m.firstWait, importMs: m.importCore + m.importAsync, createMs: m.create },
  };
}
