// The contender's side of the start barrier (start-barrier.mjs): say "ready", read "go",
// sleep until the common start, count until the common end, report with getrusage figures.
import { monotonicMs } from './start-barrier.mjs';

/** Waits at the barrier; resolves with the window's end (monotonic ms) once it has opened. */
export async function startTogether() {
  process.stdout.write('ready\n');
  let text = '';
  for await (const chunk of process.stdin) {
    text += chunk;
    if (text.includes('\n')) break;
  }
  const [word, start, end] = text.trim().split(/\s+/);
  if (word !== 'go') throw new Error(`expected "go", read "${text}"`);
  const wait = Number(start) - monotonicMs();
  if (wait > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait);
  usageAtStart = process.resourceUsage();
  return Number(end);
}

let usageAtStart = null;

/** Prints the count and this process's CPU time and context switches over the window. */
export function report(count) {
  const now = process.resourceUsage();
  const cpu = now.userCPUTime + now.systemCPUTime - usageAtStart.userCPUTime - usageAtStart.systemCPUTime;
  const voluntary = now.voluntaryContextSwitches - usageAtStart.voluntaryContextSwitches;
  const involuntary = now.involuntaryContextSwitches - usageAtStart.involuntaryContextSwitches;
  process.stdout.write(`${count} ${cpu} ${voluntary} ${involuntary}\n`);
}
