/**
 * `@waitables/core`: operating-system synchronization objects with Windows' semantics.
 * Blocking calls block the calling thread; `@waitables/async` makes them awaitable.
 * @packageDocumentation
 */
export * from './constants.js';
export * from './error-codes.js';
export * from './errors.js';
export type {
  Backend,
  RawHandle,
  NamespaceSnapshot,
  ObjectSnapshot,
  SemaphoreState,
  SemaphoreHolder,
  CrashSafeSnapshot,
  PoolWaits,
} from './backend.js';
export type {
  ProcessBackend,
  CreateProcessArgs,
  CreatedProcess,
  ProcessTimes,
  ProcessMemoryCounters,
  StartupInfo,
} from './process-backend.js';
export { inspectNamespace } from './inspect.js';
export { getBackend } from './load-backend.js';
export { WaitHandle, isWaitHandle, type ObjectKind, type WaitOutcome } from './handle.js';
export type { OpenOptions } from './options.js';
export { Event, type EventOptions } from './event.js';
export { Mutex, type MutexOptions } from './mutex.js';
export { Semaphore, type SemaphoreOptions } from './semaphore.js';
export { WaitableTimer, toDueTime, type WaitableTimerOptions, type TimerDue, type TimerSetOptions } from './waitable-timer.js';
export { Process, type ProcessOpenOptions } from './process.js';
export { waitAny, waitAll, signalAndWait, type WaitAnyResult, type WaitAllResult } from './wait.js';
