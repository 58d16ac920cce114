/**
 * Waitable timers: signaled when a due time comes, then every period.
 */
import type { RawHandle } from './backend.js';
import { TIMER_ALL_ACCESS } from './constants.js';
import { ArgumentOutOfRangeError, InvalidArgumentTypeError } from './errors.js';
import { WaitHandle } from './handle.js';
import { getBackend } from './load-backend.js';
import { type OpenOptions, readFlag, readName, readOpenArgs } from './options.js';
import { validateBoolean, validateInteger, validateObject, validateHandle } from './validate.js';

/** 100 ns units between 1601-01-01 (FILETIME's epoch) and 1970-01-01. */
const FILETIME_UNIX_EPOCH = 116_444_736_000_000_000n;
const TICKS_PER_MS = 10_000;
const MAX_PERIOD_MS = 0x7fffffff;

/**
 * The options of {@link WaitableTimer.create}; they apply only when the timer is new.
 * @example
 * ```ts
 * using tick = WaitableTimer.create({ name: 'Local\\tick', manualReset: true });
 * ```
 */
export interface WaitableTimerOptions {
  /** A name shared across processes; absent or `''`: anonymous. */
  readonly name?: string | null;
  /** Notification timer: stays signaled until set again. Default: `false` (synchronization timer, one waiter per expiry). */
  readonly manualReset?: boolean;
  /** Ask for a high-resolution timer (CREATE_WAITABLE_TIMER_HIGH_RESOLUTION); falls back where the OS has none. Default: `true`. */
  readonly highResolution?: boolean;
}

/**
 * When a timer is due:
 * - `{ delayMs }`: that many milliseconds from now on the monotonic clock (fractions down to 0.0001 ms);
 * - `{ at }`: a wall-clock time (`Date` or epoch milliseconds), which follows changes of the system clock;
 * - `{ dueTime }`: Win32's raw form in 100 ns units, negative relative, positive absolute (FILETIME).
 */
export type TimerDue =
  | {
      /** Milliseconds from now, 0 or more, on the monotonic clock. */
      readonly delayMs: number;
    }
  | {
      /** A wall-clock time: a `Date` or milliseconds since 1970-01-01 UTC. */
      readonly at: Date | number;
    }
  | {
      /** Win32's due time in 100 ns units: negative relative, positive an absolute FILETIME. */
      readonly dueTime: bigint;
    };

/**
 * The options of {@link WaitableTimer.set}.
 * @example
 * ```ts
 * timer.set({ delayMs: 1000 }, { periodMs: 250 }); // first in 1 s, then every 250 ms
 * ```
 */
export interface TimerSetOptions {
  /** Period in milliseconds after the first expiry; 0 (default) for a one-shot timer. */
  readonly periodMs?: number;
  /** Resume a suspended system when due (fResume); Windows reports if unsupported. Default: `false`. */
  readonly resume?: boolean;
}

/** The largest due time in ms that fits a 64-bit count of 100 ns units (about 29,000 years). */
const MAX_DUE_MS = Math.floor(Number(2n ** 63n - 1n) / 10_000) - 1;
/** Milliseconds between 1601-01-01 (FILETIME's epoch) and 1970-01-01. */
const FILETIME_UNIX_EPOCH_MS = 11_644_473_600_000;

/**
 * Converts a {@link TimerDue} to Win32's due time in 100 ns units (negative: relative).
 * A due time that a 64-bit count cannot hold is a RangeError naming the field.
 * @example
 * ```ts
 * toDueTime({ delayMs: 10 }); // -100000n
 * ```
 */
export function toDueTime(due: TimerDue): bigint {
  const d = validateObject(due, 'due');
  if ('dueTime' in d) {
    if (typeof d.dueTime !== 'bigint') throw new InvalidArgumentTypeError('due.dueTime', 'a bigint', d.dueTime);
    if (d.dueTime < -(2n ** 63n) || d.dueTime >= 2n ** 63n)
      throw new ArgumentOutOfRangeError('due.dueTime', 'a 64-bit signed integer', d.dueTime);
    return d.dueTime;
  }
  if ('delayMs' in d) {
    const ms = d.delayMs;
    if (typeof ms !== 'number') throw new InvalidArgumentTypeError('due.delayMs', 'a number', ms);
    if (!Number.isFinite(ms) || ms < 0 || ms > MAX_DUE_MS)
      throw new ArgumentOutOfRangeError('due.delayMs', `a number of milliseconds from 0 to ${MAX_DUE_MS} (a 64-bit due time)`, ms);
    return -BigInt(Math.round(ms * TICKS_PER_MS));
  }
  if ('at' in d) {
    const at = d.at instanceof Date ? d.at.getTime() : d.at;
    if (typeof at !== 'number') throw new InvalidArgumentTypeError('due.at', 'a Date or epoch milliseconds', d.at);
    if (!Number.isFinite(at) || at < 0 || at > MAX_DUE_MS - FILETIME_UNIX_EPOCH_MS)
      throw new ArgumentOutOfRangeError('due.at', 'a valid time after 1970-01-01 that a 64-bit FILETIME holds', d.at);
    return BigInt(Math.round(at * TICKS_PER_MS)) + FILETIME_UNIX_EPOCH;
  }
  throw new InvalidArgumentTypeError('due', 'one of { delayMs }, { at }, { dueTime }', due);
}

/**
 * A Win32 waitable timer.
 * @example
 * ```ts
 * using t = WaitableTimer.create();
 * t.set({ delayMs: 10 }, { periodMs: 10 });
 * for (let i = 0; i < 3; i++) t.wait();   // three ticks, 10 ms apart
 * ```
 */
export class WaitableTimer extends WaitHandle {
  readonly kind = 'waitable-timer';
  /** `create()` found a timer of that name and opened it. */
  readonly existed: boolean;
  /** Whether this handle's timer is high-resolution (false for opened timers: unknown). */
  readonly highResolution: boolean;

  private constructor(raw: RawHandle, existed: boolean, highResolution: boolean) {
    super(raw);
    this.existed = existed;
    this.highResolution = highResolution;
  }

  /** Creates a timer (inactive until `set()`), or opens the existing timer of that name. */
  static create(options: WaitableTimerOptions = {}): WaitableTimer {
    const opts = validateObject(options, 'options');
    const args = {
      name: readName(opts),
      manualReset: readFlag(opts, 'manualReset', false),
      highResolution: readFlag(opts, 'highResolution', true),
      access: TIMER_ALL_ACCESS,
    };
    const r = getBackend().createWaitableTimer(args);
    return new WaitableTimer(r.handle, r.existed, r.highResolution);
  }

  /** Opens an existing named timer; none of that name: Win32Error ERROR_FILE_NOT_FOUND. */
  static open(name: string, options: OpenOptions = {}): WaitableTimer {
    const args = readOpenArgs(name, options, TIMER_ALL_ACCESS);
    return new WaitableTimer(getBackend().openWaitableTimer(args.name, args.access, args.inherit), false, false);
  }

  /** Adopts a raw timer handle; the new object owns it. */
  static fromHandle(handle: RawHandle): WaitableTimer {
    return new WaitableTimer(validateHandle(handle, 'handle'), false, false);
  }

  /**
   * Arms the timer (SetWaitableTimer): unsignaled now, signaled when due, then every
   * `periodMs`. Setting an active timer reschedules it.
   */
  set(due: TimerDue, options: TimerSetOptions = {}): void {
    const dueTime = toDueTime(due);
    const opts = validateObject(options, 'options');
    const period = opts.periodMs === undefined ? 0 : validateInteger(opts.periodMs, 'options.periodMs', 0, MAX_PERIOD_MS);
    const resume = opts.resume === undefined ? false : validateBoolean(opts.resume, 'options.resume');
    getBackend().setWaitableTimer(this.handle, dueTime, period, resume);
  }

  /**
   * Stops future expiries (CancelWaitableTimer). The current signaled state is kept:
   * waiters of an unsignaled timer stay blocked.
   */
  cancel(): void {
    getBackend().cancelWaitableTimer(this.handle);
  }
}
