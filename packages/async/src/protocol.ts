/** Messages between the pool (main side) and its wait threads. */
import type { MessagePort } from 'node:worker_threads';

/** Main → wait thread, read synchronously with receiveMessageOnPort. */
export type Command =
  /** Wait on `raw` for `want` awaiters (takes up to `want` units at a fire; a mutex: one). */
  | { op: 'arm'; id: number; raw: number; want: number; mutex: boolean }
  | { op: 'disarm'; id: number }
  /** Release a mutex this thread owns for a lock. */
  | { op: 'release-mutex'; raw: number; token: number }
  /** Compound threads: one wait-any or wait-all, cancellable. */
  | { op: 'compound'; id: number; handles: number[]; waitAll: boolean; timeoutMs: number }
  | { op: 'cancel'; id: number }
  | { op: 'shutdown' };

/** Wait thread → main, by postMessage. */
export type Report =
  /** The thread has loaded the backend and waits for commands. */
  | { op: 'ready' }
  /** `at`: when the thread acquired it (process.hrtime, in ms). */
  | { op: 'fired'; id: number; count: number; abandoned: boolean; at: number }
  | { op: 'disarmed'; id: number }
  | { op: 'failed'; id: number; errno: number; syscall: string; message: string }
  | { op: 'released'; token: number; errno: number; syscall: string }
  | { op: 'compound-done'; id: number; code: number }
  | { op: 'compound-failed'; id: number; errno: number; syscall: string; message: string };

export interface WaitThreadData {
  readonly mode: 'batch' | 'compound';
  readonly port: MessagePort;
  /** Auto-reset event that interrupts the thread's native wait. */
  readonly control: number;
  /** Int32Array word the idle thread sleeps on (Atomics.wait: terminate() can interrupt it). */
  readonly wake: SharedArrayBuffer;
  /** Where the thread writes its reports (report-ring.ts). */
  readonly reports: SharedArrayBuffer;
}
