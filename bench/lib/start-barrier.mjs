// A start barrier for contended scenarios: every contender process starts, prepares (opens
// its objects) and says "ready"; once all have, each is told one common monotonic instant
// to begin and one to stop, so that all count over the same window, with every contender
// running. Without it, the first processes to start run uncontended while the others are
// still loading, and the figure measures start-up skew instead of contention.
//
// A warm-up before the counted window, in which every contender already contends: a Node
// contender's contended path runs in the interpreter until the JIT has compiled it (in a
// window of a few seconds that was most of the figure: 8 processes made 10,000 hand-overs
// a second over the first 4 s and 25,000 over 12 s); a C contender just runs it too.
//
// Protocol (stdin/stdout lines): child -> "ready"; parent -> "go <warmMs> <startMs> <endMs>"
// (CLOCK_MONOTONIC milliseconds: process.hrtime in Node, clock_gettime in C): run from
// warm, count from start to end; child -> "<count> <cpuMicros> <voluntarySwitches>
// <involuntarySwitches>", the last three measured over the counted window (getrusage).
import { spawn } from 'node:child_process';
import { once } from 'node:events';

/** CLOCK_MONOTONIC now, in milliseconds. */
export const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;

/** How long after the last "ready" the window opens: every child must read "go" and sleep until then. */
const LEAD_MS = 100;

/**
 * Runs `count` processes of `command args` through the barrier; resolves with the summed
 * count per second of the common window and, per hand-over (per counted acquisition),
 * the CPU time and context switches of all contenders together.
 */
export async function runTogether(count, command, args, windowMs, warmupMs = 0) {
  const children = Array.from({ length: count }, () => spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] }));
  const lines = children.map((child) => {
    const queue = [];
    let waiting = null;
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n')) {
        const line = text.slice(0, i).trim();
        text = text.slice(i + 1);
        if (waiting) (waiting(line), (waiting = null));
        else queue.push(line);
      }
    });
    // 'close', not 'exit': a child's exit can be seen before the last of its output is read.
    const exited = once(child, 'close');
    return async () => {
      if (queue.length > 0) return queue.shift();
      return Promise.race([
        new Promise((resolve) => (waiting = resolve)),
        exited.then(([code]) => {
          throw new Error(`${command} ${args.join(' ')} exited with ${code} before its report`);
        }),
      ]);
    };
  });
  try {
    const ready = await Promise.all(lines.map((next) => next()));
    for (const line of ready) if (line !== 'ready') throw new Error(`a contender said "${line}" instead of "ready"`);
    const warm = monotonicMs() + LEAD_MS;
    const start = warm + warmupMs;
    for (const child of children) child.stdin.end(`go ${warm} ${start} ${start + windowMs}\n`);
    const reports = await Promise.all(lines.map((next) => next()));
    await Promise.all(children.map((child) => (child.exitCode === null ? once(child, 'exit') : null)));
    let total = 0;
    let cpu = 0;
    let voluntary = 0;
    let involuntary = 0;
    for (const report of reports) {
      const [n, c, v, i] = report.split(/\s+/).map(Number);
      if (!Number.isFinite(n)) throw new Error(`a contender reported "${report}"`);
      total += n;
      cpu += c;
      voluntary += v;
      involuntary += i;
    }
    const per = (x) => (total > 0 ? x / total : null);
    return {
      perSecond: total / (windowMs / 1000),
      cpuMicrosPerHandover: per(cpu),
      switchesPerHandover: per(voluntary + involuntary),
      voluntaryPerHandover: per(voluntary),
    };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  }
}
