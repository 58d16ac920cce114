// Timeouts of any length: past Node's 2^31 - 1 ms timer limit a wait still waits (the
// timers are chained), up to Number.MAX_SAFE_INTEGER or Infinity; anything else is a
// RangeError naming the option. The command line's durations likewise.
import { describe, expect, test } from 'vitest';
import { Event, Mutex, Semaphore, TimeoutError, waitAny } from '@waitables/async';
import { Event as CoreEvent } from '@waitables/core';
import { isSettled, settle } from '../helpers/async.js';
import { cli } from '../helpers/cli.js';
import { uniqueName } from '../helpers/names.js';

const LONG = [2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER, Infinity];

describe('a timeout past 2^31 - 1 ms', () => {
  test.each(LONG)('of %d ms keeps a semaphore acquire waiting (no early TimeoutError), until a unit comes', async (timeout) => {
    const s = Semaphore.create({ initialCount: 0, maximumCount: 1 });
    const pending = s.acquire({ timeout });
    await settle(50); // an overflowed timer fires after 1 ms
    expect(await isSettled(pending)).toBe(false);
    s.release();
    void (await pending).release();
    s.close();
  });

  test('keeps a mutex acquire queued behind a local holder, and a waitAny, waiting', async () => {
    const m = Mutex.create();
    const e = Event.create();
    const held = await m.acquire();
    const queued = m.acquire({ timeout: 2 ** 31 + 1 });
    const any = waitAny([e], { timeout: 2 ** 33 });
    await settle(50);
    expect(await isSettled(queued)).toBe(false);
    expect(await isSettled(any)).toBe(false);
    void held.release();
    void (await queued).release();
    e.set();
    expect((await any).index).toBe(0);
    m.close();
    e.close();
  });

  test('a short timeout still times out', async () => {
    const e = Event.create();
    await expect(e.wait({ timeout: 5 })).rejects.toBeInstanceOf(TimeoutError);
    e.close();
  });

  test.each([Number.MAX_SAFE_INTEGER + 2, 1e300, -1, NaN])('of %d is a RangeError naming options.timeout', async (timeout) => {
    const e = Event.create();
    const error = await e.wait({ timeout }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toContain('options.timeout');
    e.close();
  });
});

describe('the command line', () => {
  test('`wait --timeout 36000m` waits (it does not time out at once) until the event is set', async () => {
    const name = uniqueName('cli-long');
    using event = CoreEvent.create({ name, manualReset: true });
    const run = cli(['wait', name.replace('Local\\', ''), '--timeout', '36000m', '--verbose']);
    await run.printedError('waiting for');
    await settle(50);
    expect(run.child.exitCode).toBeNull();
    event.set();
    expect(await run.status).toBe(0);
  });

  test('a duration beyond Number.MAX_SAFE_INTEGER ms is refused as too long', async () => {
    const run = cli(['wait', 'x', '--timeout', `${Number.MAX_SAFE_INTEGER}s`]);
    expect(await run.status).toBe(2);
    expect(run.stderr()).toContain('too long');
  });
});
