/**
 * The base of every object: it owns one OS handle. `close()` (or `using`) gives it
 * back; closing twice is harmless; a handle dropped unclosed is closed by a
 * FinalizationRegistry when it is garbage-collected.
 */
import type { RawHandle } from './backend.js';
import { INFINITE, WAIT_ABANDONED_0, WAIT_OBJECT_0, WAIT_TIMEOUT } from './constants.js';
import { HandleClosedError } from './errors.js';
import { getBackend } from './load-backend.js';
import { validateTimeout } from './validate.js';

export type { ObjectKind } from './object-kind.js';
import type { ObjectKind } from './object-kind.js';

/**
 * How a wait ended: the object was acquired (`'signaled'`), a mutex was acquired after
 * its owner ended without releasing it (`'abandoned'`: the caller owns it now), or the
 * timeout passed (`'timeout'`).
 */
export type WaitOutcome = 'signaled' | 'abandoned' | 'timeout';

const finalizer = new FinalizationRegistry<RawHandle>((raw) => {
  try {
    getBackend().closeHandle(raw);
  } catch {
    // Nothing can be reported from a finalizer; the handle is gone either way.
  }
});

/** Translates a single-object WAIT_* code. */
export function outcomeOf(code: number): WaitOutcome {
  if (code === WAIT_OBJECT_0) return 'signaled';
  if (code === WAIT_ABANDONED_0) return 'abandoned';
  if (code === WAIT_TIMEOUT) return 'timeout';
  throw new Error(`unexpected wait result 0x${code.toString(16)}`);
}

/** An object that owns an OS handle and can be waited on. */
export abstract class WaitHandle implements Disposable {
  /** Which kind of object this is. */
  abstract readonly kind: ObjectKind;
  #raw: RawHandle | null;

  protected constructor(raw: RawHandle) {
    this.#raw = raw;
    finalizer.register(this, raw, this);
  }

  /** The OS handle value. Throws {@link HandleClosedError} after `close()`. */
  get handle(): RawHandle {
    if (this.#raw === null) throw new HandleClosedError(`this ${this.kind}`);
    return this.#raw;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#raw === null;
  }

  /**
   * Closes the handle. A second call does nothing. Closing never wakes a waiter nor
   * releases a mutex this thread owns (as in Windows).
   */
  close(): void {
    const raw = this.#raw;
    if (raw === null) return;
    this.#raw = null;
    finalizer.unregister(this);
    getBackend().closeHandle(raw);
  }

  /** Closes the handle at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Gives up ownership and returns the raw handle, which the caller must close. This
   * object is closed afterwards (without closing the handle).
   */
  detach(): RawHandle {
    const raw = this.handle;
    this.#raw = null;
    finalizer.unregister(this);
    return raw;
  }

  /**
   * A new handle to the same object, as a number for `postMessage`: a worker thread
   * of this process adopts it with the class's `fromHandle()`, which then owns it.
   */
  duplicateHandle(): RawHandle {
    return getBackend().duplicateHandle(this.handle);
  }

  /**
   * Blocks the calling thread until the object is signaled (and acquires it: one unit
   * of a semaphore, ownership of a mutex, the signal of an auto-reset event or timer)
   * or `timeoutMs` passes. For scripts and worker threads; on Node's main thread use
   * `@waitables/async`.
   *
   * Cancellation: a blocking wait cannot be cancelled, only bounded by `timeoutMs`.
   * @param timeoutMs - milliseconds, 0 to test without blocking; `INFINITE` (default) or `Infinity` never time out.
   * @example
   * ```ts
   * if (event.wait(1000) === 'timeout') console.log('not set within a second');
   * ```
   */
  wait(timeoutMs: number = INFINITE): WaitOutcome {
    const ms = validateTimeout(timeoutMs, 'timeoutMs');
    return outcomeOf(getBackend().waitForMultipleObjects([this.handle], false, ms, false));
  }
}

/** Whether `value` is an open or closed {@link WaitHandle}. */
export function isWaitHandle(value: unknown): value is WaitHandle {
  return value instanceof WaitHandle;
}
