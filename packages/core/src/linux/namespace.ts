/**
 * One namespace: the shared region mapped into this thread, its lock, and its
 * transactions.
 *
 * Every change to shared state is a transaction made under the namespace lock and
 * committed through a redo log: the writes are buffered, written to the log, made
 * durable by one store (the commit point), then applied. A process killed at any
 * moment therefore leaves either nothing of a transaction or all of it: the next
 * thread to take the lock from a dead holder replays a committed log. The lock word
 * names the holder's thread slot, so a holder that died is recognized (by its pid, tid
 * and start time) and its lock taken over.
 */
import { closeSync, fstatSync, ftruncateSync, lstatSync, mkdirSync, openSync, constants as fsConstants } from 'node:fs';
import { join } from 'node:path';
import { NamespaceError } from '../errors.js';
import { isThreadAlive, threadStartTime } from './liveness.js';
import {
  H,
  HEADER_WORDS,
  LAYOUT_VERSION,
  LIMITS,
  MAGIC,
  OFFSET,
  P,
  T,
  IDLE,
  joinMicros,
  processWord,
  splitMicros,
  threadWord,
} from './layout.js';
import { ETIMEDOUT, LOCK_EX, LOCK_UN, MAP_SHARED, PROT_READ, PROT_WRITE, type Libc } from './libc.js';

/** How long a thread sleeps on the lock before it checks whether the holder is still alive. */
const LOCK_CHECK_MS = 20;

/** The directory of this user's namespace: private to the user (0700). */
export function namespaceDirectory(uid: number): string {
  return process.env.WAITABLES_SHM_DIR ?? join('/dev/shm', `waitables-${uid}`);
}

function ensurePrivateDirectory(dir: string, uid: number): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0) {
    throw new NamespaceError(`${dir} must be a directory owned by uid ${uid} with mode 0700; refusing to use it`);
  }
}

/** Words a transaction may write: header fields past the lock and log control, and the tables (not the log itself). */
function isLoggable(word: number): boolean {
  if (word < HEADER_WORDS) return word >= H.waiting && word !== H.logCommitted && word !== H.logCount;
  return word >= OFFSET.processes && word < OFFSET.words;
}

export class Namespace {
  readonly i32: Int32Array;
  readonly names: Uint16Array;
  readonly base: bigint;
  /** This thread's slot and its process's slot. */
  thread = -1;
  process = -1;
  readonly pid = process.pid;
  readonly tid: number;

  #pending = new Map<number, number>();
  #afterCommit: (() => void)[] = [];
  #wakes = new Set<number>();
  #depth = 0;
  readonly #timespec = new BigInt64Array(2);

  constructor(readonly libc: Libc) {
    const uid = libc.getuid();
    const dir = namespaceDirectory(uid);
    ensurePrivateDirectory(dir, uid);
    const file = join(dir, `namespace-v${LAYOUT_VERSION}`);
    const fd = openSync(file, fsConstants.O_RDWR | fsConstants.O_CREAT | fsConstants.O_NOFOLLOW, 0o600);
    try {
      const st = fstatSync(fd);
      if (!st.isFile() || st.uid !== uid || (st.mode & 0o077) !== 0)
        throw new NamespaceError(`${file} is not a private file of uid ${uid}`);
      // flock orders the first initialization between processes; the kernel drops it if we die.
      libc.flock(fd, LOCK_EX);
      try {
        const size = fstatSync(fd).size;
        if (size === 0) ftruncateSync(fd, OFFSET.sizeBytes);
        else if (size !== OFFSET.sizeBytes)
          throw new NamespaceError(`${file} has ${size} bytes where layout version ${LAYOUT_VERSION} has ${OFFSET.sizeBytes}`);
        const pointer = libc.mmap(null, OFFSET.sizeBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (libc.address(pointer) === 0xffffffffffffffffn) throw new NamespaceError(`mmap of ${file} failed (errno ${libc.errno()})`);
        this.base = libc.address(pointer);
        const buffer = libc.view(pointer, OFFSET.sizeBytes);
        this.i32 = new Int32Array(buffer, 0, OFFSET.words);
        this.names = new Uint16Array(buffer, OFFSET.namesByte, LIMITS.objects * LIMITS.nameUnits);
        if (size === 0) this.#initialize();
        this.#validateHeader(file);
      } finally {
        libc.flock(fd, LOCK_UN);
      }
    } finally {
      closeSync(fd);
    }
    this.tid = libc.gettid();
  }

  #initialize(): void {
    const h = this.i32;
    h[H.magic] = MAGIC;
    h[H.version] = LAYOUT_VERSION;
    h[H.sizeBytes] = OFFSET.sizeBytes;
    Atomics.store(h, H.ready, 1);
  }

  #validateHeader(file: string): void {
    const h = this.i32;
    if (h[H.magic] !== MAGIC) throw new NamespaceError(`${file} is not a waitables namespace (bad magic number)`);
    if (h[H.version] !== LAYOUT_VERSION)
      throw new NamespaceError(`${file} has layout version ${h[H.version]}; this library uses version ${LAYOUT_VERSION}`);
    if (h[H.sizeBytes] !== OFFSET.sizeBytes || Atomics.load(h, H.ready) !== 1) throw new NamespaceError(`${file} is damaged (header)`);
  }

  /** Address of a word, for futex calls. */
  address(word: number): bigint {
    return this.base + BigInt(word * 4);
  }

  // --- Transactions -----------------------------------------------------------------

  /** Reads a word as the current transaction sees it. */
  r(word: number): number {
    const v = this.#pending.get(word);
    return v === undefined ? this.i32[word]! : v;
  }

  /** Writes a word in the current transaction. */
  w(word: number, value: number): void {
    if (this.#depth === 0) throw new Error('internal: write outside a transaction');
    this.#pending.set(word, value | 0);
  }

  /** Runs `fn` after the transaction commits (system calls with local effects, such as closing a pidfd). */
  afterCommit(fn: () => void): void {
    this.#afterCommit.push(fn);
  }

  /** Wakes the thread slot's status futex after the transaction commits. */
  wakeThread(slot: number): void {
    this.#wakes.add(slot);
  }

  /**
   * Runs `body` as one transaction under the namespace lock. If it throws, nothing it
   * wrote is applied.
   */
  transact<R>(body: () => R): R {
    if (this.#depth > 0) return body();
    this.#lock();
    try {
      this.#replay(); // finishes a transaction whose holder died after committing it
    } catch (error) {
      this.#unlock();
      throw error;
    }
    this.#depth = 1;
    let result: R;
    try {
      result = body();
      this.#commit();
    } catch (error) {
      this.#pending.clear();
      this.#afterCommit.length = 0;
      this.#wakes.clear();
      throw error;
    } finally {
      this.#depth = 0;
      this.#unlock();
    }
    const after = this.#afterCommit.splice(0);
    for (const slot of this.#wakes) this.libc.futexWake(this.address(threadWord(slot, T.status)), 1);
    this.#wakes.clear();
    for (const fn of after) fn();
    return result;
  }

  #commit(): void {
    const pending = this.#pending;
    if (pending.size === 0) return;
    for (const word of pending.keys()) if (!isLoggable(word)) throw new Error(`internal: a transaction wrote word ${word}`);
    if (pending.size > LIMITS.log) {
      pending.clear();
      throw new NamespaceError(`a change of ${pending.size} words is larger than the redo log (${LIMITS.log})`);
    }
    const h = this.i32;
    let at = OFFSET.log;
    for (const [word, value] of pending) {
      h[at++] = word;
      h[at++] = value;
    }
    h[H.logCount] = pending.size;
    Atomics.store(h, H.logCommitted, 1); // the commit point
    for (const [word, value] of pending) Atomics.store(h, word, value);
    Atomics.store(h, H.logCommitted, 0);
    pending.clear();
  }

  /** Re-applies a transaction that a dead lock holder committed but may not have applied. */
  #replay(): void {
    const h = this.i32;
    if (Atomics.load(h, H.logCommitted) !== 1) return;
    const count = h[H.logCount]!;
    if (!(count >= 0 && count <= LIMITS.log)) throw new NamespaceError('the namespace is damaged (redo log)');
    Atomics.add(h, H.logReplays, 1);
    for (let i = 0; i < count; i++) {
      const word = h[OFFSET.log + 2 * i]!;
      if (!isLoggable(word)) throw new NamespaceError('the namespace is damaged (redo log entry)');
      Atomics.store(h, word, h[OFFSET.log + 2 * i + 1]!);
    }
    Atomics.store(h, H.logCommitted, 0);
  }

  // --- The lock ---------------------------------------------------------------------

  #lock(): void {
    const h = this.i32;
    const me = this.thread + 1;
    if (me <= 0) throw new Error('internal: the thread is not registered');
    if (Atomics.compareExchange(h, H.lock, 0, me) === 0) return;
    for (let spin = 0; spin < 64; spin++) {
      if (Atomics.load(h, H.lock) === 0 && Atomics.compareExchange(h, H.lock, 0, me) === 0) return;
    }
    let since = Date.now();
    let seen = Atomics.load(h, H.lock);
    for (;;) {
      const holder = Atomics.load(h, H.lock);
      if (holder === 0) {
        if (Atomics.compareExchange(h, H.lock, 0, me) === 0) return;
        continue;
      }
      if (holder !== seen) {
        seen = holder;
        since = Date.now();
      }
      Atomics.add(h, H.lockSleepers, 1);
      const r = this.#futexWait(H.lock, holder, LOCK_CHECK_MS);
      Atomics.sub(h, H.lockSleepers, 1);
      if (r === -ETIMEDOUT && Date.now() - since >= LOCK_CHECK_MS && !this.#holderAlive(holder)) {
        // The holder died holding the lock: take it over, then finish its committed work.
        if (Atomics.compareExchange(h, H.lock, holder, me) === holder) {
          Atomics.add(h, H.lockTakeovers, 1);
          return;
        }
      }
    }
  }

  #unlock(): void {
    const h = this.i32;
    Atomics.store(h, H.lock, 0);
    if (Atomics.load(h, H.lockSleepers) > 0) this.libc.futexWake(this.address(H.lock), 1);
  }

  #holderAlive(holder: number): boolean {
    const slot = holder - 1;
    if (!(slot >= 0 && slot < LIMITS.threads)) return false;
    return this.isThreadSlotAlive(slot);
  }

  /**
   * Whether the thread recorded in `slot` is still running (read without the lock: slots
   * of live threads do not change). A slot being registered (state 2) holds the lock for
   * its first transaction: it counts as alive too.
   */
  isThreadSlotAlive(slot: number): boolean {
    const h = this.i32;
    const state = h[threadWord(slot, T.state)];
    if (state !== 1 && state !== 2) return false;
    const pid = h[threadWord(slot, T.pid)]!;
    const tid = h[threadWord(slot, T.tid)]!;
    const start = joinMicros(h[threadWord(slot, T.startHi)]!, h[threadWord(slot, T.startLo)]!);
    return isThreadAlive(pid, tid, start);
  }

  /** FUTEX_WAIT on a word with a timeout in ms (null: forever). 0 when woken, -errno otherwise. */
  #futexWait(word: number, expected: number, timeoutMs: number | null): number {
    if (timeoutMs === null) return this.libc.futexWait(this.address(word), expected, null);
    const ns = Math.max(0, Math.round(timeoutMs * 1e6));
    this.#timespec[0] = BigInt(Math.floor(ns / 1e9));
    this.#timespec[1] = BigInt(ns % 1e9);
    return this.libc.futexWait(this.address(word), expected, this.#timespec);
  }

  /** Sleeps until this thread's status word is no longer WAITING, or `timeoutMs` passes. */
  sleepOnStatus(expected: number, timeoutMs: number): number {
    return this.#futexWait(threadWord(this.thread, T.status), expected, timeoutMs);
  }

  // --- Registration -----------------------------------------------------------------

  /** Registers this thread (and its process, once) in the namespace. */
  register(): void {
    const start = threadStartTime(this.pid, this.tid);
    const processStart = threadStartTime(this.pid, this.pid);
    if (start === null || processStart === null) throw new NamespaceError('cannot read this thread’s start time from /proc');
    // The lock needs a thread slot to name its holder: claim one first by a CAS on its state word.
    const h = this.i32;
    let slot = -1;
    for (let i = 0; i < LIMITS.threads && slot < 0; i++) {
      if (Atomics.compareExchange(h, threadWord(i, T.state), 0, 2) === 0) slot = i;
    }
    if (slot < 0) throw new NamespaceError(`the namespace has no free thread slot (${LIMITS.threads})`);
    const [startHi, startLo] = splitMicros(start);
    Atomics.store(h, threadWord(slot, T.pid), this.pid);
    Atomics.store(h, threadWord(slot, T.tid), this.tid);
    Atomics.store(h, threadWord(slot, T.startHi), startHi);
    Atomics.store(h, threadWord(slot, T.startLo), startLo);
    Atomics.store(h, threadWord(slot, T.status), IDLE);
    this.thread = slot;
    this.transact(() => {
      this.process = this.#findOrAddProcess(processStart);
      this.w(threadWord(slot, T.process), this.process);
      this.w(threadWord(slot, T.state), 1);
      if (this.r(H.threadsHigh) <= slot) this.w(H.threadsHigh, slot + 1);
    });
  }

  #findOrAddProcess(start: number): number {
    const [hi, lo] = splitMicros(start);
    let free = -1;
    for (let p = 0; p < LIMITS.processes; p++) {
      if (this.r(processWord(p, P.state)) === 0) {
        if (free < 0) free = p;
        continue;
      }
      if (
        this.r(processWord(p, P.pid)) === this.pid &&
        this.r(processWord(p, P.startHi)) === hi &&
        this.r(processWord(p, P.startLo)) === lo
      )
        return p;
    }
    if (free < 0) throw new NamespaceError(`the namespace has no free process slot (${LIMITS.processes})`);
    this.w(processWord(free, P.state), 1);
    this.w(processWord(free, P.pid), this.pid);
    this.w(processWord(free, P.startHi), hi);
    this.w(processWord(free, P.startLo), lo);
    return free;
  }

  /** Monotonic microseconds (CLOCK_MONOTONIC, the same clock in every process). */
  static monotonicMicros(): number {
    return Number(process.hrtime.bigint() / 1000n);
  }
}
