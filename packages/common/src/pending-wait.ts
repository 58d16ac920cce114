/**
 * The cancellation wiring of one pending wait, written once: its AbortSignal's listener,
 * its timeout's timer (a long timer: any length) and, for a wait with `ref: true`, a
 * hold on a {@link KeepAlive}; undone together by {@link PendingWait.disarm}, as Node's
 * `timers/promises` removes its listener in `finally`.
 */
import type { KeepAlive } from './keep-alive.js';
import { setLongTimeout, type LongTimer } from './long-timer.js';
import { AbortError, TimeoutError } from './wait-errors.js';

/** What a {@link PendingWait} watches. */
export interface PendingWaitOptions {
  /** Aborting it cancels the wait with AbortError (`cause`: its reason). */
  readonly signal?: AbortSignal | undefined;
  /** Milliseconds from {@link PendingWait.arm} until the wait is cancelled with TimeoutError (Infinity: never). */
  readonly timeout: number;
  /**
   * The timeout the TimeoutError names, when it is not `timeout`: the one the caller asked
   * for, of which part was spent before the wait was armed. Default: `timeout`.
   */
  readonly reportedTimeout?: number;
  /** Held from arm() to disarm(): the process stays alive while the wait is pending (`ref: true`). */
  readonly keepAlive?: KeepAlive | null | undefined;
}

/**
 * One pending wait's abort listener, timer and keep-alive. `cancel` is called with an
 * AbortError when the signal aborts (at once in arm() if it already has) or a
 * TimeoutError when the timeout passes; it decides whether the wait can still leave,
 * and calls {@link disarm} if it does. Created before arm() so that `cancel` and the
 * wait's own clean-up can refer to it.
 * @example
 * ```ts
 * const wait = new PendingWait({ signal, timeout }, (error) => {
 *   wait.disarm();
 *   reject(error);
 * });
 * wait.arm();
 * ```
 */
export class PendingWait {
  readonly #options: PendingWaitOptions;
  readonly #cancel: (error: AbortError | TimeoutError) => void;
  #timer: LongTimer | null = null;
  #release: (() => void) | null = null;
  #armed = false;

  constructor(options: PendingWaitOptions, cancel: (error: AbortError | TimeoutError) => void) {
    this.#options = options;
    this.#cancel = cancel;
  }

  readonly #onAbort = (): void => this.#cancel(new AbortError({ cause: this.#options.signal!.reason }));

  /** Holds the keep-alive, listens to the signal and starts the timer (once; a second call does nothing). */
  arm(): this {
    if (this.#armed) return this;
    this.#armed = true;
    const { signal, timeout, reportedTimeout = timeout, keepAlive } = this.#options;
    this.#release = keepAlive ? keepAlive.hold() : null;
    signal?.addEventListener('abort', this.#onAbort, { once: true });
    this.#timer = setLongTimeout(timeout, () => this.#cancel(new TimeoutError(reportedTimeout)));
    if (signal?.aborted) this.#onAbort();
    return this;
  }

  /** Stops the timer, removes the listener and lets go of the keep-alive; later calls do nothing. */
  disarm(): void {
    this.#timer?.clear();
    this.#timer = null;
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
    this.#release?.();
    this.#release = null;
  }
}
