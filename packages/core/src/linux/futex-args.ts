/**
 * The structs the futex calls take, written in one place: struct timespec (seconds and
 * nanoseconds, two 64-bit words) and struct futex_waitv (value, address, flags and a
 * reserved u32: three 64-bit words). Callers keep their arrays and reuse them (a futex
 * call is on a hot path: no allocation).
 */
import { FUTEX2_SIZE_U32 } from './libc.js';

const NS_PER_S = 1_000_000_000n;
/** A futex_waitv deadline that never comes (2^40 s of CLOCK_MONOTONIC). */
const NO_DEADLINE_S = 1n << 40n;

/** Milliseconds as whole nanoseconds, never negative. */
function nanos(ms: number): bigint {
  return BigInt(Math.max(0, Math.round(ms * 1e6)));
}

/** Writes a relative timeout of `ms` into `timespec` (FUTEX_WAIT) and returns it. */
export function relativeTimespec(timespec: BigInt64Array, ms: number): BigInt64Array {
  const ns = nanos(ms);
  timespec[0] = ns / NS_PER_S;
  timespec[1] = ns % NS_PER_S;
  return timespec;
}

/**
 * Writes the CLOCK_MONOTONIC time `ms` from now into `timespec` (futex_waitv takes an
 * absolute deadline; process.hrtime reads that clock) and returns it. Infinity: never.
 */
export function monotonicDeadline(timespec: BigInt64Array, ms: number): BigInt64Array {
  if (!Number.isFinite(ms)) {
    timespec[0] = NO_DEADLINE_S;
    timespec[1] = 0n;
    return timespec;
  }
  const deadline = process.hrtime.bigint() + nanos(ms);
  timespec[0] = deadline / NS_PER_S;
  timespec[1] = deadline % NS_PER_S;
  return timespec;
}

/** A struct futex_waitv[] of `count` entries. */
export function futexWaiters(count: number): BigInt64Array {
  return new BigInt64Array(count * 3);
}

/** Writes entry `i` of a struct futex_waitv[]: sleep while the shared 32-bit word at `address` holds `value`. */
export function setFutexWaiter(waiters: BigInt64Array, i: number, address: bigint, value: number): void {
  waiters[i * 3] = BigInt(value >>> 0);
  waiters[i * 3 + 1] = address;
  waiters[i * 3 + 2] = BigInt(FUTEX2_SIZE_U32);
}
