/**
 * The wait pool's 'exit' hook: the process is ending and nothing asynchronous runs any
 * more. Every wait thread is stopped, releasing the mutexes it owns except those of
 * locks still held, and its last reports are read here synchronously (the pool gives
 * back units and signals acquired for nobody as they arrive). A lock still held at exit
 * is left to the OS (abandoned), as a thread that ends owning a mutex is.
 */
import type { CallerMutexes } from './caller-mutexes.js';
import type { WaitThread } from './wait-thread.js';

/** How long the 'exit' hook waits for the wait threads to give back what they hold. */
const EXIT_GRACE_MS = 2000;

/** Stops `threads` and waits up to EXIT_GRACE_MS for their last reports; then releases the caller's granted mutexes. */
export function stopAtExit(threads: readonly WaitThread[], callerMutexes: CallerMutexes): void {
  const alive = threads.filter((t) => t.alive);
  for (const t of alive) t.stop(t.keptHandles());
  const deadline = performance.now() + EXIT_GRACE_MS;
  // A thread still starting up has acquired nothing, but it is waited for too: ended by
  // the process's exit while it loads its native module (koffi), the worker can bring the
  // process down with a fatal error. It reads the shutdown once it runs.
  for (const t of alive) t.awaitStoppedSync(deadline);
  callerMutexes.releaseGrantedSync();
}
