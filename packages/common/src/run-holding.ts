/**
 * The callback forms of acquire(), as async-mutex's `runExclusive` and p-limit's
 * `limit(fn)`: run a function while holding a lock or a unit, released however the
 * function ends. Plain JavaScript needs no `using` for them.
 */
import { InvalidArgumentTypeError } from './win32-errors.js';

/** What a callback form holds while its function runs. */
interface Held {
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Awaits `acquired`, runs `fn` with what it resolved to, and releases it once `fn`'s
 * result settles, whether it returned, threw or rejected. Resolves with `fn`'s result.
 * The release is awaited (a mutex goes back on the thread that owns it); if `fn` failed,
 * its error is the one reported, not the release's.
 * @internal
 */
export async function runHolding<H extends Held, T>(
  acquire: () => Promise<H>,
  fn: (held: H) => T | PromiseLike<T>,
  path = 'fn',
): Promise<Awaited<T>> {
  // Checked before anything is taken: a bad callback must not cost a turn in the queue.
  if (typeof fn !== 'function') throw new InvalidArgumentTypeError(path, 'a function', fn);
  const held = await acquire();
  let result: Awaited<T>;
  try {
    result = await fn(held);
  } catch (error) {
    await held[Symbol.asyncDispose]().catch(() => undefined);
    throw error;
  }
  await held[Symbol.asyncDispose]();
  return result;
}
