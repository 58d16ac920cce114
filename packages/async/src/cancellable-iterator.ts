/**
 * An async iterator over repeated waits whose return() (a `break` out of `for await`)
 * cancels the wait in progress, which an async generator cannot do: its return() waits
 * for the pending step.
 */
import { AbortError } from './errors.js';

export class CancellableIterator<T> implements AsyncIterableIterator<T> {
  readonly #controller = new AbortController();
  #done = false;

  constructor(
    readonly step: (signal: AbortSignal) => Promise<T>,
    readonly cleanup: () => void = () => undefined,
    outer?: AbortSignal,
  ) {
    if (outer) {
      if (outer.aborted) this.#controller.abort(outer.reason);
      else outer.addEventListener('abort', () => this.#controller.abort(outer.reason), { once: true, signal: this.#controller.signal });
    }
  }

  async next(): Promise<IteratorResult<T>> {
    if (this.#done) return { done: true, value: undefined };
    try {
      return { done: false, value: await this.step(this.#controller.signal) };
    } catch (error) {
      const stoppedByUs = this.#done && error instanceof AbortError;
      this.#finish();
      if (stoppedByUs) return { done: true, value: undefined };
      throw error;
    }
  }

  return(): Promise<IteratorResult<T>> {
    this.#finish();
    return Promise.resolve({ done: true, value: undefined });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.#finish();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    // Also removes the listener on the outer signal (registered with our signal).
    this.#controller.abort(new AbortError());
    this.cleanup();
  }
}
