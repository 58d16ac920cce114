import { describe, expect, test } from 'vitest';
import { Event, WAIT_OBJECT_0, WAIT_TIMEOUT, INFINITE } from '@waitables/core';
import type { Pending } from '../helpers/actor.js';
import { useActors } from '../helpers/actors.js';

const { thread } = useActors();

/**
 * A pulse reaches only a thread already blocked, which no hand-shake can tell from the
 * outside: pulse until the waiter has woken, and return what its wait returned.
 */
async function pulseUntilWoken(e: Event, wait: Pending<number>): Promise<number> {
  await wait.started;
  let woke = false;
  void wait.result.then(() => (woke = true));
  while (!woke) {
    e.pulse();
    await new Promise((r) => setTimeout(r, 5));
  }
  return wait.result;
}

describe('an auto-reset event', () => {
  test('starts unset unless initialState says otherwise', () => {
    using unset = Event.create();
    using set = Event.create({ initialState: true });
    expect(unset.wait(0)).toBe('timeout');
    expect(set.wait(0)).toBe('signaled');
  });

  test('a successful wait consumes the signal', () => {
    using e = Event.create({ initialState: true });
    expect(e.wait(0)).toBe('signaled');
    expect(e.wait(0)).toBe('timeout');
  });

  test('setting twice before any wait still releases one wait', () => {
    using e = Event.create();
    e.set();
    e.set();
    expect(e.wait(0)).toBe('signaled');
    expect(e.wait(0)).toBe('timeout');
  });

  test('reset takes a pending signal away', () => {
    using e = Event.create({ initialState: true });
    e.reset();
    expect(e.wait(0)).toBe('timeout');
  });

  test('one set wakes exactly one of two blocked threads', async () => {
    using e = Event.create();
    const [a, b] = await Promise.all([thread(), thread()]);
    const wa = a.start('waitForMultipleObjects', [e.handle], false, 10_000, false);
    const wb = b.start('waitForMultipleObjects', [e.handle], false, 10_000, false);
    await Promise.all([wa.started, wb.started]);
    e.set();
    const first = await Promise.race([wa.result, wb.result]);
    expect(first).toBe(WAIT_OBJECT_0);
    // The other one is still blocked: the signal was consumed. Release it too.
    expect(e.wait(0)).toBe('timeout');
    e.set();
    expect(await Promise.all([wa.result, wb.result])).toEqual([WAIT_OBJECT_0, WAIT_OBJECT_0]);
  });

  test('pulse with nobody waiting leaves the event unset', () => {
    using e = Event.create();
    e.pulse();
    expect(e.wait(0)).toBe('timeout');
  });

  test('pulse on a set event with nobody waiting unsets it', () => {
    using e = Event.create({ initialState: true });
    e.pulse();
    expect(e.wait(0)).toBe('timeout');
  });

  test('pulse wakes a blocked waiter and leaves the event unset', async () => {
    using e = Event.create();
    const a = await thread();
    const w = a.start('waitForMultipleObjects', [e.handle], false, INFINITE, false);
    expect(await pulseUntilWoken(e, w)).toBe(WAIT_OBJECT_0);
    expect(e.wait(0)).toBe('timeout');
  });
});

describe('a manual-reset event', () => {
  test('stays set through any number of waits until reset', () => {
    using e = Event.create({ manualReset: true, initialState: true });
    expect(e.wait(0)).toBe('signaled');
    expect(e.wait(0)).toBe('signaled');
    e.reset();
    expect(e.wait(0)).toBe('timeout');
  });

  test('one set wakes every blocked thread', async () => {
    using e = Event.create({ manualReset: true });
    const threads = await Promise.all([thread(), thread(), thread()]);
    const waits = threads.map((t) => t.start('waitForMultipleObjects', [e.handle], false, 10_000, false));
    await Promise.all(waits.map((w) => w.started));
    e.set();
    expect(await Promise.all(waits.map((w) => w.result))).toEqual([WAIT_OBJECT_0, WAIT_OBJECT_0, WAIT_OBJECT_0]);
    expect(e.wait(0)).toBe('signaled');
  });

  test('pulse releases blocked waiters and leaves it unset', async () => {
    using e = Event.create({ manualReset: true });
    const a = await thread();
    const w = a.start('waitForMultipleObjects', [e.handle], false, INFINITE, false);
    expect(await pulseUntilWoken(e, w)).toBe(WAIT_OBJECT_0);
    expect(e.wait(0)).toBe('timeout');
  });

  test('a waiter that times out gets WAIT_TIMEOUT', async () => {
    using e = Event.create({ manualReset: true });
    const a = await thread();
    expect(await a.call('waitForMultipleObjects', [e.handle], false, 20, false)).toBe(WAIT_TIMEOUT);
  });
});
