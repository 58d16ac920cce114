/**
 * Wait bells: how a waker reaches an awaiting thread's event loop in one hop.
 *
 * The async runtime registers its waits in the slots of its wait threads, on behalf of
 * the thread they serve (T.acquireFor: pool-waits.ts). Without a bell, a waker would
 * wake the wait thread, which would wake the event loop: two scheduler trips. With one,
 * the served thread owns a FIFO its event loop reads (libuv polls it), publishes its
 * descriptor and inode in its slot (T.bell, T.bellInode), and a waker whose commit hands
 * a result to such a wait (T.ringsBell) writes a byte to that FIFO instead of waking the
 * wait thread. The served thread then takes the result from the wait thread's status
 * word (by compare-and-swap: a reclaim of a dead wait thread may try too).
 *
 * Other processes reach the FIFO through /proc/<pid>/fd/<fd> (same user: the namespace
 * is private), and check that what they opened is that FIFO (its inode) before writing:
 * the descriptor may have been closed and its number reused by another file meanwhile.
 * What they opened is kept: a write to it reaches that FIFO as long as it exists, and
 * fails (EPIPE) once its reader is gone.
 *
 * Nothing depends on the bell for correctness: a ring that cannot be made wakes the
 * wait thread instead, which tells the served thread through its reports.
 */
import fs from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { LIMITS, T, threadWord } from './layout.js';
import type { Libc } from './libc.js';
import type { Namespace } from './namespace.js';

/** Bells of other threads this process keeps open; the oldest is closed past this. */
const KEPT_BELLS = 64;
const BYTE = Buffer.from([1]);

export class WaitBells {
  /** This thread's own bell, once opened. */
  #own: { fd: number; inode: number } | null = null;
  /** Bells this process opened to ring: "pid:fd:inode" -> descriptor. */
  readonly #kept = new Map<string, number>();

  constructor(
    readonly ns: Namespace,
    readonly libc: Libc,
  ) {}

  /** Opens this thread's bell (once), publishes it, and returns its descriptor for the event loop to read. */
  open(): number {
    if (this.#own) return this.#own.fd;
    const ns = this.ns;
    let path: string;
    for (let attempt = 0; ; attempt++) {
      path = join(dirname(ns.file), `bell-${ns.pid}-${ns.tid}-${randomBytes(4).toString('hex')}`);
      if (this.libc.mkfifo(path, 0o600) === 0) break;
      if (attempt === 3) throw new Error(`cannot create a wait bell in ${dirname(ns.file)}: errno ${this.libc.errno()}`);
    }
    let fd: number;
    try {
      // Read and write: the FIFO never reads as ended while this end is open.
      fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
    } finally {
      fs.rmSync(path, { force: true }); // reached through /proc from here on
    }
    const inode = Number(fs.fstatSync(fd, { bigint: true }).ino & 0xffff_ffffn) | 0;
    const h = ns.i32;
    Atomics.store(h, threadWord(ns.thread, T.bellInode), inode);
    Atomics.store(h, threadWord(ns.thread, T.bell), fd + 1);
    this.#own = { fd, inode };
    return fd;
  }

  /** Wakers stop ringing this thread's bell; the caller closes the descriptor after. */
  close(): void {
    if (!this.#own) return;
    Atomics.store(this.ns.i32, threadWord(this.ns.thread, T.bell), 0);
    this.#own = null;
  }

  /**
   * After a commit: rings the bell of the thread that `slot`'s wait serves, if its
   * result rings one. False if it does not, or the ring failed: then wake `slot` itself.
   */
  ring(slot: number): boolean {
    const h = this.ns.i32;
    if (Atomics.load(h, threadWord(slot, T.ringsBell)) !== 1) return false;
    if (Atomics.load(h, threadWord(slot, T.status)) < 0) return false; // no result (WAITING, IDLE)
    const owner = Atomics.load(h, threadWord(slot, T.acquireFor)) - 1;
    if (owner < 0 || owner >= LIMITS.threads) return false;
    const fd = Atomics.load(h, threadWord(owner, T.bell)) - 1;
    if (fd < 0) return false;
    const inode = Atomics.load(h, threadWord(owner, T.bellInode));
    const pid = Atomics.load(h, threadWord(owner, T.pid));
    return this.#write(pid, fd, inode);
  }

  #write(pid: number, fd: number, inode: number): boolean {
    const key = `${pid}:${fd}:${inode}`;
    let writer = this.#kept.get(key);
    if (writer === undefined) {
      writer = this.#openBell(pid, fd, inode) ?? undefined;
      if (writer === undefined) return false;
      if (this.#kept.size >= KEPT_BELLS) {
        const [oldest, oldFd] = this.#kept.entries().next().value as [string, number];
        this.#kept.delete(oldest);
        fs.closeSync(oldFd);
      }
      this.#kept.set(key, writer);
    }
    try {
      fs.writeSync(writer, BYTE, 0, 1);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return true; // full: it rings already
      this.#kept.delete(key); // EPIPE: its reader is gone
      fs.closeSync(writer);
      return false;
    }
  }

  /** Opens another thread's bell for writing, if the descriptor still is that FIFO. */
  #openBell(pid: number, fd: number, inode: number): number | null {
    const path = `/proc/${pid}/fd/${fd}`;
    const isThatFifo = (stat: fs.BigIntStats) => stat.isFIFO() && (Number(stat.ino & 0xffff_ffffn) | 0) === inode;
    let writer: number;
    try {
      // Looked at before it is opened: opening some other file could have effects of its own (a device).
      if (!isThatFifo(fs.statSync(path, { bigint: true }))) return null;
      writer = fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
    } catch {
      return null; // gone, or not ours to open
    }
    try {
      if (isThatFifo(fs.fstatSync(writer, { bigint: true }))) return writer;
    } catch {
      // fall through: not usable
    }
    fs.closeSync(writer);
    return null;
  }
}
