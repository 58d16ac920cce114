/**
 * The worker entry of a wait thread: notes when the thread first runs JavaScript, then
 * loads its body (wait-thread-main.ts). The note splits a cold start's thread time into
 * the thread's own start and the loading of its modules (the 'ready' report carries it).
 */
import { THREAD_ENTERED } from './protocol.js';

(globalThis as { [THREAD_ENTERED]?: number })[THREAD_ENTERED] = performance.timeOrigin + performance.now();
await import('./wait-thread-main.js');
