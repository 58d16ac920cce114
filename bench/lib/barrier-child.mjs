// The contender's side of the start barrier (start-barrier.mjs): say "ready", read "go",
// sleep until the warm-up opens, run through it uncounted (the JIT compiles the contended
// path there, in every contender alike), count from the common start to the common end,
// report with getrusage figures of the counted window.
import { monotonicMs } from './start-barrier.mjs';

/**
 * Waits at the barrier; resolves once the warm-up has opened, with the window:
 * `running()` says whether to go on (and starts the counted part at its instant),
 * `count()` counts one acquisition if the counted part has begun.
 */
export async function startTogether() {
  process.stdout.write('ready\n');
  let text = '';
  for await (const chunk of process.stdin) {
    text += chunk;
    if (text.includes('\n')) break;
  }
  const [word, warm, start, end] = text.trim().split(/\s+/);
  if (word !== 'go') throw new Error(`expected "go", read "${text}"`);
  const wait = Number(warm) - monotonicMs();
  if (wait > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait);
  return new Window(Number(start), Number(end));
}

class Window {
  held = 0;
  counting = false;
  usageAtStart = null;
  constructor(start, end) {
    this.start = start;
    this.end = end;
  }
  running() {
    const now = monotonicMs();
    if (!this.counting && now >= this.start) {
      this.counting = true;
      this.usageAtStart = process.resourceUsage();
    }
    return now < this.end;
  }
  count() {
    if (this.counting) this.held++;
  }
}

/** Prints the count and this process's CPU time and context switches over the counted window. */
export function report(window) {
  const now = process.resourceUsage();
  const at = window.usageAtStart ?? now;
  const cpu = now.userCPUTime + now.systemCPUTime - at.userCPUTime - at.systemCPUTime;
  const voluntary = now.voluntaryContextSwitches - at.voluntaryContextSwitches;
  const involuntary = now.involuntaryContextSwitches - at.involuntaryContextSwitches;
  process.stdout.write(`${window.held} ${cpu} ${voluntary} ${involuntary}\n`);
}
