import { describe, expect, test } from 'vitest';
import { AbortError, Event } from '@waitables/async';
import { waitPool } from '@waitables/async/internal';
import { EVENT_ALL_ACCESS } from '@waitables/core';
import { useActors } from '../helpers/actors.js';
import { expectNoListeners, isSettled, settle } from '../helpers/async.js';
import { uniqueName } from '../helpers/names.js';

const { thread, process: child } = useActors();

describe('Event.wait', () => {
  test('resolves when another process sets the event', async () => {
    const name = uniqueName('async-event');
    const e = Event.create({ name });
    const pending = e.wait();
    const other = await child();
    const h = await other.call('openEvent', name, EVENT_ALL_ACCESS, false);
    expect(await isSettled(pending)).toBe(false);
    await other.call('setEvent', h);
    await pending;
    expect(e.core.wait(0)).toBe('timeout'); // auto-reset: consumed by the wait
    e.close();
  });

  test('an auto-reset set resolves one local awaiter at a time; a manual-reset set resolves all', async () => {
    const auto = Event.create();
    const a = [auto.wait(), auto.wait()];
    auto.set();
    await settle(20);
    expect(await Promise.all(a.map(isSettled))).toEqual([true, false]);
    auto.set();
    await Promise.all(a);
    const manual = Event.create({ manualReset: true });
    const m = [manual.wait(), manual.wait(), manual.wait()];
    manual.set();
    await Promise.all(m);
    expect(manual.core.wait(0)).toBe('signaled');
    auto.close();
    manual.close();
  });

  test('a set by another thread wakes the awaiter through the wait thread', async () => {
    const e = Event.create();
    const pending = e.wait({ timeout: 10_000 });
    await settle(20);
    await (await thread()).call('setEvent', e.core.handle);
    await pending;
    e.close();
  });

  test('an aborted wait does not consume a later signal', async () => {
    const e = Event.create();
    const controller = new AbortController();
    const pending = e.wait({ signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    expectNoListeners(controller.signal);
    await settle(20);
    e.core.set();
    await settle(20);
    expect(e.core.wait(0)).toBe('signaled');
    e.close();
  });
});

describe('iterating over an event', () => {
  test('yields each signal, and break cancels the wait in progress', async () => {
    const e = Event.create();
    const seen: number[] = [];
    const other = await thread();
    const loop = (async () => {
      for await (const n of e) {
        seen.push(n);
        if (n === 3) break;
        void other.call('setEvent', e.core.handle);
      }
    })();
    e.core.set();
    await loop;
    expect(seen).toEqual([1, 2, 3]);
    await settle(20);
    expect(waitPool().stats().pending).toBe(0);
    e.close();
  });

  test('return() while a wait is pending ends it at once', async () => {
    const e = Event.create();
    const it = e.signals();
    const next = it.next();
    await settle(20);
    await it.return!();
    expect(await next).toEqual({ done: true, value: undefined });
    await settle(20);
    expect(waitPool().stats().pending).toBe(0);
    e.core.set();
    expect(e.core.wait(0)).toBe('signaled'); // nothing consumed it
    e.close();
  });

  test('a throw in the loop body cleans up the wait', async () => {
    const e = Event.create({ manualReset: true, initialState: true });
    await expect(
      (async () => {
        for await (const _ of e) throw new Error('body failed');
      })(),
    ).rejects.toThrow('body failed');
    await settle(20);
    expect(waitPool().stats().pending).toBe(0);
    e.close();
  });

  test('an abort of the signal ends the iteration with AbortError', async () => {
    const e = Event.create();
    const controller = new AbortController();
    const it = e.signals({ signal: controller.signal });
    const next = it.next();
    controller.abort();
    await expect(next).rejects.toBeInstanceOf(AbortError);
    expectNoListeners(controller.signal);
    e.close();
  });
});
