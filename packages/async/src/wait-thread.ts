/** The pool's side of one wait thread: its worker, its command port and control event. */
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { Event, type RawHandle, getBackend } from '@waitables/core';
import { DirectWaits } from './direct-waits.js';
import type { HeldMutex } from './held-mutex.js';
import type { Command, Report, WaitThreadData } from './protocol.js';
import { ReportReader, createReportBuffer } from './report-ring.js';

const entry = new URL('./wait-thread-entry.js', import.meta.url);

/**
 * A wait thread runs only this package's code: it takes none of the program's Node
 * options. Inherited, `--input-type` makes a worker with a file entry fail at start,
 * `--inspect*`/`--require`/`--import` hooks would run (and may grab a port or start an
 * agent) once more per thread. Node also reads NODE_OPTIONS again for a worker given
 * its own `execArgv`, so the thread's environment leaves it out.
 */
function waitThreadEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

export class WaitThread {
  readonly worker: Worker;
  readonly #port: MessagePort;
  readonly #control = Event.create();
  /** [0]: set to wake the thread from idle; [1]: 1 while a direct thread watches its wait (WATCHING). */
  readonly #wake = new Int32Array(new SharedArrayBuffer(8));
  #reader: ReportReader | undefined;
  /** Batch threads: slots bound to it. Compound threads: whether a wait runs. */
  bound = 0;
  busy = false;
  /** Locks whose mutex this thread owns. */
  readonly locks = new Set<HeldMutex>();
  alive = true;
  stopping = false;
  /** It has started and reads commands. */
  isOnline = false;
  /** It reported `stopped`: it owns no mutex but those it was told to keep, and fires nothing more. */
  stoppedReported = false;
  /** The mutexes it acquires are owned by the pool's own thread (see WaitThreadData.acquireFor), not by it. */
  readonly acquiresForOwner: boolean;
  /** Settles once the thread has loaded the backend and waits for commands (or has died). */
  readonly online: Promise<void>;
  /**
   * Where its start went, in ms, once it is online: from `new Worker` to its first
   * JavaScript (the thread, its isolate, Node's bootstrap), then loading its modules, then attaching the backend, then until the pool
   * read its ready report.
   */
  startup: { spawnMs: number; loadMs: number; attachMs: number; reportMs: number } | null = null;
  /** Why the worker ended, if it ended with an error (a start-up failure, an uncaught exception). */
  failure: unknown = undefined;
  /** Its Backend.ownerToken() once online (-1: none). */
  #token = -1;
  /** Batch threads whose waits the pool registers itself (WaitThreadData.direct): those waits. */
  readonly #direct: DirectWaits | null = null;

  constructor(
    readonly mode: 'batch' | 'compound',
    onReport: (thread: WaitThread, report: Exclude<Report, { op: 'ready' }>) => void,
    /** The worker ended: `died` unless it was told to stop. */
    onExit: (thread: WaitThread, died: boolean) => void,
    /** A batch thread whose waits the pool registers itself (WaitThreadData.direct), where the backend can. */
    direct = false,
  ) {
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    this.#port.unref(); // the command port must not keep the process alive either
    const reports = createReportBuffer();
    const acquireFor = mode === 'batch' ? getBackend().ownerToken() : null;
    this.acquiresForOwner = acquireFor !== null;
    const poolWaits = getBackend().poolWaits;
    if (direct && mode === 'batch' && acquireFor !== null && poolWaits)
      this.#direct = new DirectWaits(
        poolWaits,
        (report) => onReport(this, report),
        (timers) => this.#pokeWatcher(timers),
      );
    const data: WaitThreadData = {
      mode,
      port: port2,
      control: this.#control.handle,
      wake: this.#wake.buffer,
      reports,
      acquireFor,
      direct: this.#direct !== null,
    };
    const spawnedAt = performance.timeOrigin + performance.now();
    this.worker = new Worker(entry, {
      workerData: data,
      transferList: [port2],
      execArgv: [],
      argv: [],
      env: waitThreadEnv(),
      stdin: false,
    });
    this.online = new Promise((resolve) => {
      this.#reader = new ReportReader(reports, (report: Report) => {
        if (report.op === 'ready') {
          const onlineAt = performance.timeOrigin + performance.now();
          const readyAt = report.enteredAt + report.loadedMs + report.attachedMs;
          this.startup = {
            spawnMs: report.enteredAt - spawnedAt,
            loadMs: report.loadedMs,
            attachMs: report.attachedMs,
            reportMs: onlineAt - readyAt,
          };
          this.#token = report.token;
          this.isOnline = true;
          this.#direct?.online(report.token);
          resolve();
        } else {
          if (report.op === 'stopped') this.stoppedReported = true;
          onReport(this, report);
        }
      });
      this.worker.once('exit', () => resolve());
    });
    // Kept for 'exit', which reports the death with it as the cause.
    this.worker.on('error', (error) => (this.failure ??= error));
    this.worker.on('exit', (code) => {
      if (!this.stopping) this.failure ??= new Error(`the wait thread exited with code ${code}`);
      this.#reader?.stop();
      this.#direct?.threadEnded();
      this.alive = false;
      this.#control.close();
      onExit(this, !this.stopping);
    });
    // Pending waits keep the process alive through the pool's own handle, never through a thread.
    this.worker.unref();
  }

  /** Posts a command and wakes the thread, whether it sleeps idle or in its native wait. */
  send(command: Command): void {
    if (!this.alive) return;
    if (this.#direct) {
      // The pool registers this thread's waits itself: arms and disarms never reach the thread.
      if (command.op === 'arm') return this.#direct.arm(command.id, command.raw, command.want, command.kind);
      if (command.op === 'disarm') return this.#direct.disarm(command.id);
      if (command.op === 'shutdown') this.#direct.stop();
    }
    this.#port.postMessage(command);
    // The control event first: a thread woken from idle must find it set at its first wait,
    // not have it set under a wait it has just queued (which would lose its place).
    getBackend().setEvent(this.#control.handle);
    this.#poke();
  }

  /** Wakes the thread from idle, or (direct) from watching its wait. */
  #poke(): void {
    Atomics.store(this.#wake, 0, 1);
    Atomics.notify(this.#wake, 0);
    if (this.#direct && this.#token >= 0) getBackend().poolWaits?.wake(this.#token);
  }

  /**
   * A direct thread's wait was registered: an idle thread starts watching it. One that
   * watches already goes on watching what it watched when it went to sleep, as a blocked
   * waiter does (the owners of its mutexes then, looked at afresh at its next periodic
   * look), unless the wait has timers, whose due times set how long it may sleep. Not
   * waking it at every wait keeps a hand-over to one context switch.
   */
  #pokeWatcher(timers: boolean): void {
    if (Atomics.load(this.#wake, 1) === 0)
      this.#poke(); // idle, or about to be
    else if (timers && this.#token >= 0) getBackend().poolWaits?.wake(this.#token);
  }

  /** The pool's bell rang, or the thread reported `look`: takes what its wait was handed (direct threads); true if there was something. */
  takeHanded(): boolean {
    return this.#direct?.take() ?? false;
  }

  /** The handles of the locks its holders still have: a shutdown keeps their ownership. */
  keptHandles(): RawHandle[] {
    return [...this.locks].map((lock) => lock.owner.raw);
  }

  /** Asks it to stop, releasing the mutexes it owns except one ownership per handle in `keep`. */
  stop(keep: number[] = []): void {
    if (this.stopping) return;
    this.stopping = true;
    this.send({ op: 'shutdown', keep });
  }

  /** Blocks this thread delivering its reports until it reports `stopped` or `deadline` (performance.now() ms). */
  awaitStoppedSync(deadline: number): void {
    this.#direct?.flush();
    this.#reader?.drainSync(() => this.stoppedReported, deadline);
  }

  /** For tests of thread death: interrupts the native wait and terminates the worker. */
  kill(): Promise<number> {
    // Ask for termination first, then interrupt the native wait: back in JS, it ends.
    const ended = this.worker.terminate();
    Atomics.store(this.#wake, 0, 1);
    Atomics.notify(this.#wake, 0);
    getBackend().setEvent(this.#control.handle);
    return ended;
  }
}
