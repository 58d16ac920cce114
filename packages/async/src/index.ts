/**
 * `@waitables/async`: OS synchronization objects awaitable from Node's event loop.
 *
 * Every waiting method takes `{ signal, timeout, ref }` and rejects with AbortError
 * (`cause`: the signal's reason) or TimeoutError; errors of the objects are
 * `@waitables/core`'s (Win32Error, argument errors), re-exported here.
 * @packageDocumentation
 */
export { AbortError, ObjectClosedError, PoolClosedError, TimeoutError, WaitThreadError } from './errors.js';
export { checkWaitOptions, type CheckedWaitOptions, type WaitOptions } from './options.js';
export { Event } from './event.js';
export { Mutex } from './mutex.js';
export { Lock } from './lock.js';
export { Semaphore } from './semaphore.js';
export { Permit } from './permit.js';
export { ticks, type Tick } from './ticks.js';
export { processExit } from './process-exit.js';
export { setLongTimeout, type LongTimer } from './long-timer.js';
export { refuseCloning } from './uncloneable.js';
export { waitAny, waitAll, type Waitable, type AsyncWaitAnyResult, type AsyncWaitAllResult } from './wait.js';
// The pool itself (WaitPool, waitPool()) is not public API: @waitables/async/internal.
export { closeWaitPool } from './default-pool.js';
// The objects' own errors and options, so that a user of this package needs no import
// from @waitables/core (which is installed with it) for them.
export {
  Win32Error,
  HandleClosedError,
  NotSupportedError,
  NamespaceError,
  InvalidArgumentTypeError,
  ArgumentOutOfRangeError,
  type EventOptions,
  type MutexOptions,
  type SemaphoreOptions,
  type OpenOptions,
} from '@waitables/core';
