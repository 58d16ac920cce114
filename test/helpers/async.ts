/** Helpers for tests of the async runtime. */
import { getEventListeners } from 'node:events';
import { expect } from 'vitest';

/** Lets every queued promise callback and I/O callback run. */
export function settle(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Asserts that the signal has no abort listener left behind. */
export function expectNoListeners(signal: AbortSignal): void {
  expect(getEventListeners(signal, 'abort')).toHaveLength(0);
}

/** Whether a promise has settled, without waiting for it. */
export async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await settle();
  return settled;
}
