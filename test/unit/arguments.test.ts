// Argument checks happen before any call into the OS, so they behave the same on
// every platform (and need no backend).
import { describe, expect, test } from 'vitest';
import {
  ArgumentOutOfRangeError,
  Event,
  INFINITE,
  InvalidArgumentTypeError,
  Mutex,
  Process,
  Semaphore,
  WaitableTimer,
  signalAndWait,
  waitAll,
  waitAny,
} from '@waitables/core';

const typeError = (fn: () => unknown, path: string) => {
  expect(fn).toThrow(InvalidArgumentTypeError);
  expect(fn).toThrow(new RegExp(`^${path.replace(/[.[\]]/g, '\\$&')} must be`));
};
const rangeError = (fn: () => unknown, path: string) => {
  expect(fn).toThrow(ArgumentOutOfRangeError);
  expect(fn).toThrow(new RegExp(`^${path.replace(/[.[\]]/g, '\\$&')} must be`));
};

describe('semaphore counts', () => {
  test('maximumCount is required and must be an integer from 1 to 2^31-1', () => {
    typeError(() => Semaphore.create({} as never), 'options.maximumCount');
    rangeError(() => Semaphore.create({ maximumCount: 0 }), 'options.maximumCount');
    rangeError(() => Semaphore.create({ maximumCount: 2 ** 31 }), 'options.maximumCount');
    rangeError(() => Semaphore.create({ maximumCount: 1.5 }), 'options.maximumCount');
    rangeError(() => Semaphore.create({ maximumCount: NaN }), 'options.maximumCount');
    typeError(() => Semaphore.create({ maximumCount: '3' as never }), 'options.maximumCount');
  });

  test('initialCount must be an integer from 0 to maximumCount', () => {
    rangeError(() => Semaphore.create({ initialCount: -1, maximumCount: 1 }), 'options.initialCount');
    rangeError(() => Semaphore.create({ initialCount: 2, maximumCount: 1 }), 'options.initialCount');
    typeError(() => Semaphore.create({ initialCount: null as never, maximumCount: 1 }), 'options.initialCount');
  });
});

describe('names', () => {
  test('must be strings without NUL, at most 260 characters', () => {
    typeError(() => Event.create({ name: 42 as never }), 'options.name');
    rangeError(() => Event.create({ name: 'a\0b' }), 'options.name');
    rangeError(() => Mutex.create({ name: 'x'.repeat(261) }), 'options.name');
    typeError(() => Semaphore.create({ name: [] as never, maximumCount: 1 }), 'options.name');
    rangeError(() => WaitableTimer.create({ name: '\0' }), 'options.name');
  });

  test('are required to open', () => {
    typeError(() => Event.open(''), 'name');
    typeError(() => Semaphore.open(undefined as never), 'name');
    typeError(() => WaitableTimer.open(null as never), 'name');
  });

  test('open options are checked', () => {
    rangeError(() => Mutex.open('m', { access: -1 }), 'options.access');
    typeError(() => Mutex.open('m', { inherit: 1 as never }), 'options.inherit');
    typeError(() => Mutex.open('m', 'x' as never), 'options');
  });
});

describe('flags', () => {
  test('are booleans', () => {
    typeError(() => Event.create({ manualReset: 1 as never }), 'options.manualReset');
    typeError(() => Event.create({ initialState: 'yes' as never }), 'options.initialState');
    typeError(() => Mutex.create({ initialOwner: null as never }), 'options.initialOwner');
    typeError(() => WaitableTimer.create({ highResolution: 0 as never }), 'options.highResolution');
    typeError(() => Event.create(null as never), 'options');
  });
});

describe('waits', () => {
  test('take an array of 1 to 64 waitable objects', () => {
    typeError(() => waitAny('x' as never), 'objects');
    rangeError(() => waitAny([]), 'objects.length');
    rangeError(() => waitAll(new Array(65).fill({}) as never), 'objects.length');
    typeError(() => waitAny([{}] as never), 'objects[0]');
    typeError(() => waitAll([1] as never), 'objects[0]');
    typeError(() => signalAndWait({} as never, {} as never), 'toSignal[0]');
  });

  test('refuse holes in a list: a sparse array is not a list of objects', () => {
    typeError(() => waitAny(new Array(3) as never), 'objects[0]');
    typeError(() => waitAll(new Array(1) as never), 'objects[0]');
    // eslint-disable-next-line no-sparse-arrays
    const holed = [, {}] as never;
    typeError(() => waitAny(holed), 'objects[0]');
    typeError(() => waitAny({ length: 1, 0: {} } as never), 'objects');
  });

  test('timeouts are integers from 0 to INFINITE, or Infinity', () => {
    // The timeout is checked before the handle, so no object is needed to reach it.
    const wait = (ms: unknown) => () => Event.prototype.wait.call({} as never, ms as never);
    for (const bad of [-1, 1.5, NaN, INFINITE + 1, -Infinity]) rangeError(wait(bad), 'timeoutMs');
    typeError(wait('10'), 'timeoutMs');
    typeError(wait(null), 'timeoutMs');
  });
});

describe('timers', () => {
  test('due times are one of { delayMs }, { at }, { dueTime }', () => {
    // Checked before the handle is used, so no timer is needed to reach them.
    const set = (due: unknown, options?: unknown) => () =>
      WaitableTimer.prototype.set.call(undefined as never, due as never, options as never);
    typeError(set({}), 'due');
    typeError(set(5), 'due');
    rangeError(set({ delayMs: -1 }), 'due.delayMs');
    rangeError(set({ delayMs: Infinity }), 'due.delayMs');
    typeError(set({ delayMs: '5' }), 'due.delayMs');
    rangeError(set({ at: new Date(NaN) }), 'due.at');
    typeError(set({ dueTime: 5 }), 'due.dueTime');
    rangeError(set({ dueTime: 2n ** 63n }), 'due.dueTime');
    // Due times past what a 64-bit count of 100 ns units holds are refused, never fired at once.
    for (const far of [1e16, 1e300, Number.MAX_VALUE]) rangeError(set({ delayMs: far }), 'due.delayMs');
    for (const far of [1e300, 8.64e15 * 100]) rangeError(set({ at: far }), 'due.at');
    rangeError(set({ delayMs: 1 }, { periodMs: -1 }), 'options.periodMs');
    rangeError(set({ delayMs: 1 }, { periodMs: 0.5 }), 'options.periodMs');
    typeError(set({ delayMs: 1 }, { resume: 'no' }), 'options.resume');
  });
});

describe('processes', () => {
  test('pids are unsigned 32-bit integers', () => {
    rangeError(() => Process.open(-1), 'pid');
    typeError(() => Process.open('1' as never), 'pid');
    rangeError(() => Process.open(1, { access: 2 ** 32 }), 'options.access');
  });
});

describe('adopted handles', () => {
  test('fromHandle takes an integer (a bigint within the safe integers too) and names the argument otherwise', () => {
    for (const Kind of [Event, Mutex, Semaphore, WaitableTimer, Process] as const) {
      typeError(() => Kind.fromHandle('12' as never), 'handle');
      typeError(() => Kind.fromHandle(null as never), 'handle');
      typeError(() => Kind.fromHandle(undefined as never), 'handle');
      typeError(() => Kind.fromHandle({} as never), 'handle');
      rangeError(() => Kind.fromHandle(1.5), 'handle');
      rangeError(() => Kind.fromHandle(NaN), 'handle');
      rangeError(() => Kind.fromHandle((2n ** 64n) as never), 'handle');
    }
  });
});
