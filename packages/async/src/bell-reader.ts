/**
 * This thread's end of its wait bell (Linux: Backend.poolWaits, core's bells.ts): a FIFO
 * that wakers write to when they hand a result to a wait this thread registered in a
 * wait thread's slot (direct-waits.ts), read by this thread's event loop. A ring wakes the event loop straight from the
 * waker's system call, one hop, where a wait thread's report takes two (the waker wakes
 * the thread, the thread wakes the loop).
 *
 * One bell per thread (the namespace has one per thread slot), shared by the thread's
 * pools: a ring tells each of them to look at its wait threads. It never keeps the
 * process alive (pending waits do that, through their pool). If it cannot be opened, or
 * fails later, the pools work as without one: their wait threads report every result.
 */
import net from 'node:net';
import { getBackend } from '@waitables/core';

let socket: net.Socket | null = null;
const listeners = new Set<() => void>();

function closeBell(): void {
  if (!socket) return;
  getBackend().poolWaits?.closeBell(); // wakers stop ringing it first: their results wake the wait threads again
  socket.destroy();
  socket = null;
}

/** Bytes carry nothing: a ring means "look at the wait threads' results", however many came. */
function ring(): void {
  for (const listener of listeners) listener();
}

/**
 * Calls `onRing` at each ring of this thread's bell (opened with its first listener)
 * until the returned function is called; null where there is no bell (Windows) or it
 * cannot be opened.
 */
export function listenToBell(onRing: () => void): (() => void) | null {
  const waits = getBackend().poolWaits;
  if (!waits) return null;
  if (!socket) {
    try {
      // Read into one small buffer (onread): a stream would allocate 64 KiB per read, and rings
      // come at every wake-up; the garbage collector's pauses would show in their latency.
      const options: net.SocketConstructorOpts & { onread: net.OnReadOpts } = {
        fd: waits.openBell(),
        readable: true,
        writable: false,
        onread: { buffer: Buffer.alloc(64), callback: () => (ring(), true) },
      };
      socket = new net.Socket(options); // Node reads `onread` here too, though its types list it for connect() only
    } catch {
      waits.closeBell();
      return null;
    }
    socket.unref();
    socket.on('error', closeBell);
  }
  listeners.add(onRing);
  return () => {
    if (!listeners.delete(onRing)) return;
    if (listeners.size === 0) closeBell();
  };
}

/** Closes this thread's bell as a read error would: its listeners hear nothing more (for tests of that fallback). */
export function closeBellForTesting(): void {
  closeBell();
}

/** Whether this thread's bell is open (rings reach its listeners). */
export function bellIsOpen(): boolean {
  return socket !== null;
}
