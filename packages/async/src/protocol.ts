/** Messages between the pool (main side) and its wait threads. */
import type { MessagePort } from 'node:worker_threads';
import type { ObjectKind } from '@waitables/core';

/** Where a wait thread's entry notes when it first ran JavaScript (epoch ms), on its globalThis. */
export const THREAD_ENTERED = Symbol.for('waitables.waitThreadEntered');

/** Main → wait thread, read synchronously with receiveMessageOnPort. */
export type Command =
  /** Wait on `raw` for `want` awaiters (takes up to `want` units at a fire; a mutex: one). */
  | { op: 'arm'; id: number; raw: number; want: number; mutex: boolean; kind: ObjectKind }
  | { op: 'disarm'; id: number }
  /** Release a mutex this thread owns for a lock. */
  | { op: 'release-mutex'; raw: number; token: number }
  /**
   * Compound threads: one wait-any or wait-all, cancellable. `mutexes[i]`: handle i is a
   * mutex. `ledgers[i]`: handle i is a crash-safe semaphore (Windows), with what the
   * thread's backend needs to take its units (Backend.crashSafeLedger); null otherwise.
   */
  | { op: 'compound'; id: number; handles: number[]; mutexes: boolean[]; ledgers: unknown[]; waitAll: boolean; timeoutMs: number }
  | { op: 'cancel'; id: number }
  /**
   * Stop after the commands before it. The thread first releases every mutex it owns
   * except one ownership per handle in `keep` (locks their holders still have): what it
   * acquired for nobody, or acquired in a fire the pool has not read, is never left
   * abandoned. Then it reports `stopped`.
   */
  | { op: 'shutdown'; keep: number[] };

/** Wait thread → main, through the report ring (report-ring.ts): shared memory the main thread drains. */
export type Report =
  /**
   * The thread has loaded the backend and waits for commands. Where its start went:
   * `enteredAt`, when it first ran JavaScript (epoch ms, wait-thread-entry.ts);
   * `loadedMs`, from then until its modules were loaded; `attachedMs`, from then until
   * the backend was attached (koffi, the namespace). `token`: its Backend.ownerToken()
   * (Linux: its thread slot, where the pool registers its waits when `direct`), or -1.
   */
  | { op: 'ready'; enteredAt: number; loadedMs: number; attachedMs: number; token: number }
  /** `at`: when the thread acquired it (process.hrtime, in ms). */
  | { op: 'fired'; id: number; count: number; abandoned: boolean; at: number }
  | { op: 'disarmed'; id: number }
  | { op: 'failed'; id: number; errno: number; syscall: string; message: string }
  | { op: 'released'; token: number; errno: number; syscall: string }
  | { op: 'compound-done'; id: number; code: number }
  | { op: 'compound-failed'; id: number; errno: number; syscall: string; message: string }
  /** The last report of a thread told to shut down: it owns nothing more than it was told to keep. */
  | { op: 'stopped' }
  /** `direct` threads: the wait the pool registered in its slot was handed a result that rang no bell: take it. */
  | { op: 'look' };

export interface WaitThreadData {
  readonly mode: 'batch' | 'compound';
  readonly port: MessagePort;
  /** Auto-reset event that interrupts the thread's native wait. */
  readonly control: number;
  /** Int32Array word the idle thread sleeps on (Atomics.wait: terminate() can interrupt it). */
  readonly wake: SharedArrayBuffer;
  /** Where the thread writes its reports (report-ring.ts). */
  readonly reports: SharedArrayBuffer;
  /**
   * Batch threads where the backend allows it (Linux): the pool owner's token
   * (Backend.ownerToken): mutexes the thread acquires are owned by the pool's thread,
   * which releases them itself. Null: the thread owns what it acquires.
   */
  readonly acquireFor: number | null;
  /**
   * Batch threads where the backend has Backend.poolWaits (Linux), with the pool's bell
   * open: the pool registers the waits in the thread's slot itself (direct-waits.ts) and
   * takes their results when its bell rings; the thread only watches them (sleeps while
   * one is registered, making the periodic looks) and gets no arm or disarm commands.
   */
  readonly direct: boolean;
}
