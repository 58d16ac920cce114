/**
 * The armed handles of one batch wait thread, waited on by a wait the pool registers
 * itself in that thread's namespace slot (Linux: Backend.poolWaits), so that neither the
 * registration nor the wake-up passes through the thread: a waker rings this thread's
 * bell (bell-reader.ts) and the pool takes the result here. The wait thread only sleeps
 * while the wait is registered, making the periodic looks no futex replaces.
 *
 * It stands in for the thread's side of the arm/disarm protocol and produces the same
 * reports ('fired', 'disarmed', 'failed'), in order, never inside the pool's own calls:
 * they are queued and delivered from a microtask, a bell, or the exit hook (flush()).
 * Arms and disarms are gathered and applied by one replacement of the wait, which keeps
 * its place in the FIFO order (Backend.poolWaits.replace).
 */
import {
  WAIT_ABANDONED_0,
  WAIT_OBJECT_0,
  WAIT_TIMEOUT,
  Win32Error,
  getBackend,
  type ObjectKind,
  type PoolWaits,
  type RawHandle,
} from '@waitables/core';
import type { Report } from './protocol.js';

interface Armed {
  raw: RawHandle;
  want: number;
  mutex: boolean;
  /** A waitable timer: its due time sets how long the wait thread may sleep before it looks. */
  timer: boolean;
}

type SlotReport = Extract<Report, { op: 'fired' | 'disarmed' | 'failed' }>;

export class DirectWaits {
  readonly #waits: PoolWaits;
  readonly #armed = new Map<number, Armed>();
  /** The slot ids of the registered wait, in handle order; empty when none is registered. */
  #registered: number[] = [];
  readonly #disarmed: number[] = [];
  readonly #queue: SlotReport[] = [];
  #token = -1;
  #scheduled = false;
  #stopped = false;

  constructor(
    waits: PoolWaits,
    /** Delivers a report to the pool, as the thread's report ring would. */
    readonly deliver: (report: SlotReport) => void,
    /** Wakes the wait thread to watch a wait just registered; `timers`: the wait has timers (their due times must be looked at afresh). */
    readonly poke: (timers: boolean) => void,
  ) {
    this.#waits = waits;
  }

  /** The thread is up: its slot (its Backend.ownerToken) takes waits from now on. */
  online(token: number): void {
    this.#token = token;
    this.#schedule();
  }

  arm(id: number, raw: RawHandle, want: number, kind: ObjectKind): void {
    this.#armed.set(id, { raw, want, mutex: kind === 'mutex', timer: kind === 'waitable-timer' });
    this.#schedule();
  }

  disarm(id: number): void {
    this.#armed.delete(id);
    this.#disarmed.push(id);
    this.#schedule();
  }

  /**
   * The bell rang, or the thread says its wait was handed a result nobody took (a waker
   * could not ring): take it. True if there was one.
   */
  take(): boolean {
    if (this.#token < 0 || this.#stopped || this.#registered.length === 0) return false;
    const code = this.#waits.take(this.#token);
    if (code < 0) return false;
    this.#served(code, this.#registered);
    this.#registered = [];
    this.#schedule(); // the others armed wait again
    this.flush();
    return true;
  }

  /** The thread stops: the wait ends (a result handed to it first is reported) and nothing more is registered. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#token >= 0 && this.#registered.length > 0) {
      const code = this.#waits.cancel(this.#token);
      if (code >= 0) this.#served(code, this.#registered);
    }
    this.#registered = [];
    this.#armed.clear();
    for (const id of this.#disarmed.splice(0)) this.#queue.push({ op: 'disarmed', id });
    queueMicrotask(() => this.flush());
  }

  /** The thread ended: nothing more is registered or taken (its slot's wait is reclaimed with it). */
  threadEnded(): void {
    this.#stopped = true;
    this.#registered = [];
  }

  /** Delivers the reports queued so far. */
  flush(): void {
    for (let r = this.#queue.shift(); r; r = this.#queue.shift()) this.deliver(r);
  }

  #schedule(): void {
    if (this.#scheduled || this.#stopped) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#rewait();
      this.flush();
    });
  }

  /** Replaces the registered wait by one on everything armed, serving what is acquired at once or was handed meanwhile. */
  #rewait(): void {
    if (this.#token < 0 || this.#stopped) return;
    for (;;) {
      const ids = [...this.#armed.keys()];
      if (ids.length === 0) {
        if (this.#registered.length > 0) {
          const code = this.#waits.cancel(this.#token);
          if (code >= 0) this.#served(code, this.#registered);
          this.#registered = [];
        }
        break;
      }
      let result: { handed: number } | { code: number };
      try {
        result = this.#waits.replace(
          this.#token,
          ids.map((id) => this.#armed.get(id)!.raw),
        );
      } catch (error) {
        this.#failBadHandles(ids, error);
        continue;
      }
      if ('handed' in result) {
        this.#served(result.handed, this.#registered);
        this.#registered = [];
        continue;
      }
      if (result.code >= 0) {
        this.#served(result.code, ids);
        continue;
      }
      this.#registered = ids;
      this.poke(ids.some((id) => this.#armed.get(id)!.timer));
      break;
    }
    // Let go of: no registered wait names them any more.
    for (const id of this.#disarmed.splice(0)) this.#queue.push({ op: 'disarmed', id });
  }

  /** Queues the fire of the slot a result is for, with what else its other awaiters can take now. */
  #served(code: number, ids: readonly number[]): void {
    const abandoned = code >= WAIT_ABANDONED_0;
    const id = ids[code - (abandoned ? WAIT_ABANDONED_0 : WAIT_OBJECT_0)]!;
    const entry = this.#armed.get(id);
    this.#armed.delete(id);
    let count = 1;
    if (entry && !entry.mutex) {
      const backend = getBackend();
      while (count < entry.want && backend.waitForMultipleObjects([entry.raw], false, 0, false) !== WAIT_TIMEOUT) count++;
    }
    this.#queue.push({ op: 'fired', id, count, abandoned, at: Number(process.hrtime.bigint()) / 1e6 });
  }

  /** A replacement failed: the slots whose handle is bad fail (or all of them, if none is), the others wait again. */
  #failBadHandles(ids: readonly number[], error: unknown): void {
    const backend = getBackend();
    const failed = (id: number, cause: unknown) => {
      this.#armed.delete(id);
      const fields =
        cause instanceof Win32Error
          ? { errno: cause.errno, syscall: cause.syscall, message: cause.message }
          : { errno: 0, syscall: '', message: String(cause) };
      this.#queue.push({ op: 'failed', id, ...fields });
    };
    let found = false;
    for (const id of ids) {
      try {
        backend.objectKind(this.#armed.get(id)!.raw);
      } catch (bad) {
        failed(id, bad);
        found = true;
      }
    }
    if (!found) for (const id of ids) failed(id, error);
  }
}
