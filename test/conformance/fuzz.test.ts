// Every public function, called with holes, wrong types and out-of-range numbers in
// every position, either works or throws a typed error (one with a string `code`: a
// TypeError or RangeError naming the argument, a Win32Error, a NamespaceError); never
// an untyped error, a crash or a silent success on a list with holes. No argument here
// is a valid timeout longer than 1 ms or a valid object to wait on, so nothing blocks.
import { describe, expect, test } from 'vitest';
import * as core from '@waitables/core';
import * as win32event from '@waitables/core/win32event';
import * as async from '@waitables/async';
import { uniqueName } from '../helpers/names.js';

const ROUNDS = 150;

function bad(): unknown[] {
  return [
    undefined,
    null,
    true,
    0,
    -1,
    1,
    1.5,
    NaN,
    -0,
    2 ** 32,
    2 ** 53,
    -(2 ** 53),
    1e300,
    -Infinity,
    '',
    'x\\y',
    '\0',
    'x'.repeat(300),
    'Local\\',
    uniqueName('fuzz'),
    {},
    [],
    new Array(2),
    // eslint-disable-next-line no-sparse-arrays
    [, 1],
    [undefined],
    { length: 1, 0: 1 },
    Symbol('s'),
    10n,
    -1n,
    2n ** 64n,
    () => 0,
    new Date(NaN),
    { delayMs: 1e300 },
    { at: -1 },
    { name: 5 },
    { initialCount: -1, maximumCount: 0 },
    { manualReset: 'yes' },
    { signal: 'no' },
    { timeout: -5 },
  ];
}

const pick = <T>(values: readonly T[]) => values[Math.floor(Math.random() * values.length)]!;

/** Calls `fn` with random bad arguments; returns descriptions of calls that failed untyped. */
async function fuzz(label: string, fn: (...args: unknown[]) => unknown, arity: number, allowed = (_: unknown) => true): Promise<string[]> {
  const untyped: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const values = bad().filter(allowed);
    const args = Array.from({ length: arity }, () => pick(values));
    try {
      const result = await fn(...args);
      for (const made of [result, ...(Array.isArray(result) ? (result as unknown[]) : [])])
        if (made && typeof (made as { close?: unknown }).close === 'function') (made as { close(): void }).close();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (!(error instanceof Error) || typeof code !== 'string')
        untyped.push(
          `${label}(${args.map((a) => (typeof a === 'symbol' ? 'Symbol' : typeof a === 'bigint' ? `${a}n` : JSON.stringify(a))).join(', ')}): ${String(error)}`,
        );
    }
  }
  return untyped;
}

describe('fuzzing the public API with bad arguments', () => {
  test('@waitables/core: constructors, waits and methods', async () => {
    using event = core.Event.create({});
    using mutex = core.Mutex.create({});
    using sem = core.Semaphore.create({ initialCount: 0, maximumCount: 1 });
    using timer = core.WaitableTimer.create({});
    const calls: [string, (...a: unknown[]) => unknown, number, ((v: unknown) => boolean)?][] = [
      ['Event.create', (a) => core.Event.create(a as never), 1],
      ['Event.open', (a, b) => core.Event.open(a as never, b as never), 2],
      ['Mutex.create', (a) => core.Mutex.create(a as never), 1],
      ['Mutex.open', (a, b) => core.Mutex.open(a as never, b as never), 2],
      ['Semaphore.create', (a) => core.Semaphore.create(a as never), 1],
      ['Semaphore.open', (a, b) => core.Semaphore.open(a as never, b as never), 2],
      ['WaitableTimer.create', (a) => core.WaitableTimer.create(a as never), 1],
      ['WaitableTimer.open', (a, b) => core.WaitableTimer.open(a as never, b as never), 2],
      ['Process.open', (a, b) => core.Process.open(a as never, b as never), 2],
      ['waitAny', (a, b) => core.waitAny(a as never, b as never), 2],
      ['waitAll', (a, b) => core.waitAll(a as never, b as never), 2],
      ['signalAndWait', (a, b, c) => core.signalAndWait(a as never, b as never, c as never), 3],
      // No timeout means INFINITE: a valid call that would never end on this unset event.
      ['event.wait', (a) => event.wait(a as never), 1, (v) => v !== undefined],
      ['sem.release', (a) => sem.release(a as never), 1],
      ['mutex.wait', (a) => mutex.wait(a as never), 1],
      ['timer.set', (a, b) => timer.set(a as never, b as never), 2],
      ['toDueTime', (a) => core.toDueTime(a as never), 1],
    ];
    const untyped: string[] = [];
    for (const [label, fn, arity, allowed] of calls) untyped.push(...(await fuzz(label, fn, arity, allowed)));
    expect(untyped.slice(0, 5)).toEqual([]);
    timer.cancel();
  });

  test('@waitables/core/win32event: every function', async () => {
    const untyped: string[] = [];
    // Classes, calls without arguments, and the message waits (no handles and -1 wait forever, as on Windows).
    const skip =
      /^(error|PyHANDLE|HANDLE|GetLastError|GetCurrentProcessId|GetCurrentProcess|GetCurrentThread|MsgWaitForMultipleObjects(Ex)?)$/;
    for (const [name, value] of Object.entries(win32event)) {
      if (typeof value !== 'function' || skip.test(name) || /^[A-Z_0-9]+$/.test(name)) continue;
      const fn = value as (...a: unknown[]) => unknown;
      // -1 is INFINITE and GetCurrentProcess(): a wait on it would be valid and never end.
      untyped.push(...(await fuzz(`win32event.${name}`, fn, Math.max(fn.length, 1), (v) => v !== -1)));
    }
    expect(untyped.slice(0, 5)).toEqual([]);
  });

  test('@waitables/async: waits reject with typed errors, lists with holes included', async () => {
    const calls: [string, (...a: unknown[]) => unknown, number][] = [
      ['waitAny', (a, b) => async.waitAny(a as never, b as never), 2],
      ['waitAll', (a, b) => async.waitAll(a as never, b as never), 2],
      ['Semaphore.create', (a) => async.Semaphore.create(a as never), 1],
      ['Mutex.create', (a) => async.Mutex.create(a as never), 1],
      ['Event.create', (a) => async.Event.create(a as never), 1],
    ];
    const untyped: string[] = [];
    for (const [label, fn, arity] of calls) untyped.push(...(await fuzz(label, fn, arity)));
    expect(untyped.slice(0, 5)).toEqual([]);
    await expect(async.waitAny(new Array(3) as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    await expect(async.waitAll(new Array(1) as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    expect(() => win32event.WaitForMultipleObjects(new Array(2) as never, 0, -1)).toThrow(TypeError);
  });
});
