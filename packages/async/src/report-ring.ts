/**
 * Reports from a wait thread to the pool through shared memory: the thread writes a
 * record and notifies; the pool's side sleeps in Atomics.waitAsync. A MessagePort hop
 * costs several times more (see bench/: wake latency), and one channel keeps the
 * reports in order (a fire must arrive before the disarm that follows it).
 *
 * Layout (Int32Array): [0] records written, [1] records read, then CAPACITY records of 8
 * words: op, four integer fields, and a float64 (the acquisition time) in words 6-7.
 */
import type { Report } from './protocol.js';

const CAPACITY = 4096;
const RECORD = 8;
const HEADER = 2;
const OPS = ['ready', 'fired', 'disarmed', 'failed', 'released', 'compound-done', 'compound-failed', 'stopped', 'look'] as const;
// Failures carry the function's name as an index into this list.
const SYSCALLS = ['', 'WaitForMultipleObjectsEx', 'ReleaseMutex', 'SetEvent', 'ReleaseSemaphore'];

export function createReportBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer((HEADER + CAPACITY * RECORD) * 4);
}

/** The wait thread's end: writes reports, waiting for room if the pool falls behind. */
export class ReportWriter {
  readonly #words: Int32Array;
  readonly #time: Float64Array;

  constructor(buffer: SharedArrayBuffer) {
    this.#words = new Int32Array(buffer);
    this.#time = new Float64Array(buffer);
  }

  write(report: Report): void {
    const words = this.#words;
    const written = Atomics.load(words, 0);
    while (written - Atomics.load(words, 1) >= CAPACITY) Atomics.wait(words, 1, Atomics.load(words, 1), 10);
    const at = HEADER + (written % CAPACITY) * RECORD;
    words[at] = OPS.indexOf(report.op);
    switch (report.op) {
      case 'fired':
        words[at + 1] = report.id;
        words[at + 2] = report.count;
        words[at + 3] = report.abandoned ? 1 : 0;
        this.#time[(at + 6) / 2] = report.at;
        break;
      case 'disarmed':
        words[at + 1] = report.id;
        break;
      case 'failed':
      case 'compound-failed':
        words[at + 1] = report.id;
        words[at + 2] = report.errno;
        words[at + 3] = Math.max(0, SYSCALLS.indexOf(report.syscall));
        break;
      case 'released':
        words[at + 1] = report.token;
        words[at + 2] = report.errno;
        words[at + 3] = Math.max(0, SYSCALLS.indexOf(report.syscall));
        break;
      case 'compound-done':
        words[at + 1] = report.id;
        words[at + 2] = report.code;
        break;
      case 'ready':
        words[at + 1] = Math.round(report.loadedMs * 1000);
        words[at + 2] = Math.round(report.attachedMs * 1000);
        words[at + 3] = report.token;
        this.#time[(at + 6) / 2] = report.enteredAt;
        break;
      case 'stopped':
      case 'look':
        break;
    }
    // Publish the record (a sequentially consistent store orders the writes above), then wake the reader.
    Atomics.store(words, 0, written + 1);
    Atomics.notify(words, 0);
  }
}

/** The pool's end: delivers each report in order until `stop()`. */
export class ReportReader {
  readonly #words: Int32Array;
  readonly #time: Float64Array;
  #stopped = false;

  constructor(
    buffer: SharedArrayBuffer,
    readonly deliver: (report: Report) => void,
  ) {
    this.#words = new Int32Array(buffer);
    this.#time = new Float64Array(buffer);
    void this.#loop();
  }

  /** The thread has ended: delivers what it wrote last (a fire before its exit must not be lost), then stops. */
  stop(): void {
    this.#drain();
    this.#stopped = true;
    Atomics.notify(this.#words, 0);
  }

  /** Delivers, now, what the thread has written and the loop has not delivered yet. */
  deliverPending(): void {
    if (!this.#stopped) this.#drain();
  }

  /**
   * Delivers reports synchronously, blocking this thread between them, until `done()`
   * or `deadline` (performance.now() ms): for a process's 'exit' hook, where no promise
   * can run any more.
   */
  drainSync(done: () => boolean, deadline: number): void {
    const words = this.#words;
    while (!this.#stopped && !done()) {
      const written = Atomics.load(words, 0);
      if (written === Atomics.load(words, 1)) {
        const left = deadline - performance.now();
        if (left <= 0) return;
        Atomics.wait(words, 0, written, left);
        continue;
      }
      this.#drain();
    }
  }

  async #loop(): Promise<void> {
    const words = this.#words;
    while (!this.#stopped) {
      const read = Atomics.load(words, 1);
      if (Atomics.load(words, 0) === read) {
        // Not a reference: a pending waitAsync never keeps the process alive (the pool does that).
        const wait = Atomics.waitAsync(words, 0, read);
        if (wait.async) await wait.value;
        continue;
      }
      this.#drain();
    }
  }

  #drain(): void {
    const words = this.#words;
    for (let read = Atomics.load(words, 1); read !== Atomics.load(words, 0) && !this.#stopped; read++) {
      const report = this.#decode(HEADER + (read % CAPACITY) * RECORD);
      Atomics.store(words, 1, read + 1);
      Atomics.notify(words, 1);
      try {
        this.deliver(report);
      } catch (error) {
        // A report the pool failed to handle must not stop the delivery of the next ones
        // (their waits would hang): the error surfaces as an uncaught exception instead.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  #decode(at: number): Report {
    const w = this.#words;
    const op = OPS[w[at]!]!;
    switch (op) {
      case 'fired':
        return { op, id: w[at + 1]!, count: w[at + 2]!, abandoned: w[at + 3] === 1, at: this.#time[(at + 6) / 2]! };
      case 'disarmed':
        return { op, id: w[at + 1]! };
      case 'failed':
      case 'compound-failed':
        return { op, id: w[at + 1]!, errno: w[at + 2]!, syscall: SYSCALLS[w[at + 3]!] ?? '', message: '' };
      case 'released':
        return { op, token: w[at + 1]!, errno: w[at + 2]!, syscall: SYSCALLS[w[at + 3]!] ?? '' };
      case 'compound-done':
        return { op, id: w[at + 1]!, code: w[at + 2]! };
      case 'stopped':
      case 'look':
        return { op };
      default:
        return {
          op: 'ready',
          loadedMs: w[at + 1]! / 1000,
          attachedMs: w[at + 2]! / 1000,
          token: w[at + 3]!,
          enteredAt: this.#time[(at + 6) / 2]!,
        };
    }
  }
}
