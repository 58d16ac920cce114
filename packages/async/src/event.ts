/** Awaitable events. */
import { Event as CoreEvent, type EventOptions, type OpenOptions, getBackend } from '@waitables/core';
import { checkWaitOptions, type WaitOptions } from './options.js';
import { closeAwaited, waitPool } from './default-pool.js';
import { CancellableIterator } from './cancellable-iterator.js';

/**
 * An event shared across processes, awaitable without blocking the event loop.
 *
 * Fairness: FIFO among this process's awaiters; between processes as the OS decides
 * (FIFO on Linux). A `set()` of an auto-reset event with a local awaiter hands the
 * signal to the oldest of them directly (as if it had been set and consumed), within
 * the bounds of the package's fairness across processes: on Linux only while no other
 * process waits; on Windows in streaks of at most 16 handoffs and 20 ms.
 * @example
 * ```ts
 * const done = Event.create({ name: 'Local\\job-done' });
 * await done.wait({ timeout: 30_000 });
 * for await (const _ of done) console.log('signaled again');
 * ```
 */
export class Event implements Disposable, AsyncIterable<number> {
  #manualReset: boolean | null;

  private constructor(
    /** The `@waitables/core` event underneath: its synchronous calls, its handle. */
    readonly core: CoreEvent,
    manualReset: boolean | null,
  ) {
    this.#manualReset = manualReset;
  }

  /**
   * Creates an event (auto-reset unless `manualReset`), or opens the existing event of
   * that name (then `existed` is true and the options other than the name are ignored).
   * Synchronous: one system call (Linux: one namespace transaction), no wait.
   * @throws InvalidArgumentTypeError / ArgumentOutOfRangeError for options of the wrong
   * type, naming `options.<field>`; Win32Error ERROR_INVALID_HANDLE if the name belongs
   * to an object of another kind.
   * @example
   * ```ts
   * using ready = Event.create({ name: 'Local\\config-ready', manualReset: true });
   * await ready.wait({ signal: AbortSignal.timeout(5_000) });
   * ```
   */
  static create(options: EventOptions = {}): Event {
    const core = CoreEvent.create(options);
    return new Event(core, core.existed ? null : (options.manualReset ?? false));
  }
  /** Opens an existing named event; none of that name: Win32Error ERROR_FILE_NOT_FOUND. */
  static open(name: string, options?: OpenOptions): Event {
    return new Event(CoreEvent.open(name, options), null);
  }
  /** Wraps a `@waitables/core` event (it stays owned by the caller). */
  static from(core: CoreEvent): Event {
    return new Event(core, null);
  }

  /** `create()` found an event of that name and opened it. */
  get existed(): boolean {
    return this.core.existed;
  }

  /** Whether the event is manual-reset (asked of the OS once when not known). */
  get manualReset(): boolean | null {
    this.#manualReset ??= getBackend().isManualResetEvent(this.core.handle);
    return this.#manualReset;
  }

  /**
   * Resolves once the event is signaled (consuming the signal of an auto-reset event).
   *
   * Cancellation: an abort or timeout removes the awaiter and rejects with AbortError
   * or TimeoutError. If the OS gave the signal of an auto-reset event to this wait at
   * that moment, the event is set again: the signal is never lost.
   */
  wait(options?: WaitOptions): Promise<void> {
    try {
      return waitPool()
        .acquire(this.core, checkWaitOptions(options))
        .then(() => undefined);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Signals the event. See the class's note on local awaiters. */
  set(): void {
    const pool = waitPool();
    if (this.manualReset === false) {
      const handOver = pool.takeLocalAwaiter(this.core.handle);
      if (handOver) return handOver({ abandoned: false, thread: null, at: performance.now() });
    }
    this.core.set();
    if (this.manualReset === true) {
      for (
        let handOver = pool.takeLocalAwaiter(this.core.handle, false);
        handOver;
        handOver = pool.takeLocalAwaiter(this.core.handle, false)
      ) {
        handOver({ abandoned: false, thread: null, at: performance.now() });
      }
    }
  }

  /** Clears the signal (ResetEvent). */
  reset(): void {
    this.core.reset();
  }

  /**
   * PulseEvent: releases the waits pending at this moment (all of them for a
   * manual-reset event, one for an auto-reset event) and leaves the event unset.
   */
  pulse(): void {
    this.core.pulse();
  }

  /**
   * Each signal as it comes, numbered from 1. `break` (or `return()`) cancels the wait
   * in progress; an abort of `options.signal` ends the iteration with AbortError.
   */
  signals(options: Omit<WaitOptions, 'timeout'> = {}): AsyncIterableIterator<number> {
    const { signal, ref } = checkWaitOptions(options);
    let count = 0;
    return new CancellableIterator(
      (stop) =>
        waitPool()
          .acquire(this.core, { signal: stop, timeout: Infinity, ref })
          .then(() => ++count),
      undefined,
      signal,
    );
  }

  /** `for await (const n of event)`: {@link signals} without options. */
  [Symbol.asyncIterator](): AsyncIterator<number> {
    return this.signals();
  }

  /**
   * Closes the handle. Waits of this process still pending on it reject with
   * ObjectClosedError; what a wait thread acquired for them at that moment is given back.
   */
  close(): void {
    closeAwaited(this.core);
  }

  /** `using event = ...`: {@link close} at the end of the block. */
  [Symbol.dispose](): void {
    this.close();
  }
}
