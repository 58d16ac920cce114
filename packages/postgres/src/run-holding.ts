/**
 * The callback forms of acquire(), as `@waitables/async`'s (async-mutex's
 * `runExclusive`, p-limit's `limit(fn)`): run a function while holding a lock or a
 * unit, released however the function ends.
 */
import { InvalidArgumentTypeError } from '@waitables/core';

/**
 * Acquires, runs `fn` with what was acquired, and releases once `fn`'s result settles
 * (returned, thrown or rejected); resolves with `fn`'s result. If `fn` failed, its error
 * is the one reported, not the release's.
 * @internal
 */
export async function runHolding<H extends { release(): Promise<void> }, T>(
  acquire: () => Promise<H>,
  fn: (held: H) => T | PromiseLike<T>,
): Promise<Awaited<T>> {
  // Checked before anything is taken: a bad callback must not cost a turn in the queue.
  if (typeof fn !== 'function') throw new InvalidArgumentTypeError('fn', 'a function', fn);
  const held = await acquire();
  let result: Awaited<T>;
  try {
    result = await fn(held);
  } catch (error) {
    await held.release().catch(() => undefined);
    throw error;
  }
  await held.release();
  return result;
}
