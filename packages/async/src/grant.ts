/** What an acquire through the wait pool resolves to. */
import type { WaitThread } from './wait-thread.js';

/** Where an acquired object came from: `thread` null means this thread (the caller's) owns it. */
export interface Grant {
  readonly abandoned: boolean;
  readonly thread: WaitThread | null;
  /** A wait thread acquired it for this thread (a mutex this thread owns; see WaitThreadData.acquireFor). */
  readonly forCaller?: boolean;
  /** When the object was acquired, in performance.now() milliseconds (on the thread that acquired it). */
  readonly at: number;
}
