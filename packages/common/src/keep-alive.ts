/**
 * Keeping the process alive while something is pending, as a pending timer does: one
 * interval, held while a count is above zero. A native wait on another thread, a
 * release on its way there, or a promise nobody else keeps must not let the event loop
 * end under it; Node has no handle for "this promise", so an idle interval stands in.
 */

/** The longest interval Node takes: it never fires in practice, it only holds the loop. */
const IDLE_MS = 0x7fffffff;

/**
 * A count of reasons to keep the process alive: while it is above zero, one idle
 * interval keeps the event loop running.
 * @example
 * ```ts
 * const keepAlive = new KeepAlive();
 * const release = keepAlive.hold();
 * await somethingOnAnotherThread();
 * release();
 * ```
 */
export class KeepAlive {
  #count = 0;
  #interval: NodeJS.Timeout | null = null;

  /** Whether the process is being kept alive now. */
  get active(): boolean {
    return this.#count > 0;
  }

  /**
   * One more reason to keep the process alive; each `ref()` is undone by one `unref()`.
   * The interval is made once and then only referenced and unreferenced: a lock handed
   * over between two local awaiters goes from zero to one and back at every handoff, and
   * making and clearing a timer each time cost more than the handoff itself.
   */
  ref(): void {
    if (this.#count++ !== 0) return;
    if (this.#interval) this.#interval.ref();
    else this.#interval = setInterval(() => undefined, IDLE_MS);
  }

  /** One reason fewer: at zero, the process may end again. */
  unref(): void {
    if (--this.#count === 0) this.#interval?.unref();
  }

  /** {@link ref}, undone by the returned function (only its first call counts). */
  hold(): () => void {
    this.ref();
    let held = true;
    return () => {
      if (held) this.unref();
      held = false;
    };
  }
}
