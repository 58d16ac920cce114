/**
 * One namespace: the shared region mapped into this thread, its lock, and its
 * transactions.
 *
 * Every change to shared state but the fast paths' (fast-paths.ts) is a transaction made under the namespace lock and
 * committed through a redo log: the writes are buffered, written to the log, made
 * durable by one store (the commit point), then applied. A process killed at any
 * moment therefore leaves either nothing of a transaction or all of it: the next
 * thread to take the lock from a dead holder replays a committed log.
 *
 * The lock word names the holder's thread slot and an acquisition number. A holder
 * that died is recognized (by its pid, tid and start time) and its lock taken over; a
 * lock word that names a live thread which does not hold it (its slot's `lockHeld` says
 * otherwise for a while: damage, or a word left by a crash in an older layout) is taken
 * over too. A holder that is alive but stopped (SIGSTOP, a debugger) keeps the lock:
 * calls with a deadline give up at it (a wait then times out), the others wait for it
 * to resume.
 *
 * The fast paths change an object's state word without the lock while its gate is open
 * (layout.ts, GATED): a transaction closes the gate of each object whose state it reads
 * or writes, through state() and setState(), and opens the gates it closed once it is
 * over, where nobody waits.
 */
import { NamespaceError } from '../errors.js';
import { isThreadAlive, threadStartTime, threadState } from './liveness.js';
import {
  GATED,
  IDLE,
  H,
  HEADER_WORDS,
  KIND,
  LIFE_OWNER_DIED,
  LIFE_TID_MASK,
  LIFE_WAITERS,
  O,
  OBJECT_WORDS,
  STATE_MASK,
  LIMITS,
  LOCK_SLOT_BITS,
  LOCK_SLOT_MASK,
  OFFSET,
  T,
  THREAD_CLAIMED,
  THREAD_LIVE,
  TID_MASK,
  joinMicros,
  objectWord,
  threadWord,
} from './layout.js';
import { futexWaiters, monotonicDeadline, relativeTimespec, setFutexWaiter } from './futex-args.js';
import { ETIMEDOUT, type Libc } from './libc.js';
import { mapRegion, recreate } from './region.js';
import { WriteSet } from './write-set.js';

/** How long a thread sleeps on the lock before it checks whether the holder is still alive. */
const LOCK_CHECK_MS = 20;

/** Thrown by {@link Namespace.transact} when the lock could not be taken before the deadline. */
export class LockDeadlineError extends Error {
  constructor(readonly holder: LockHolder | null) {
    super('the namespace lock was not free before the deadline');
  }
}

/** Who holds the lock, as far as /proc tells. */
export interface LockHolder {
  readonly pid: number;
  readonly tid: number;
  /** The state letter of /proc/<pid>/task/<tid>/stat (`T`: stopped), or null if gone. */
  readonly state: string | null;
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
  readonly file: string;
  /** This thread's slot and its process's slot. */
  thread = -1;
  process = -1;
  readonly pid = process.pid;
  readonly tid: number;
  /**
   * Runs first in this thread's transactions until one of them commits (cleans up a wait
   * this thread left registered when the lock was not free by its deadline).
   */
  pendingCleanup: (() => void) | null = null;
  /** Rings, after a commit, the bell of a thread that a woken wait serves, instead of waking the wait (bells.ts). */
  bells: { ring(slot: number): boolean } | null = null;

  readonly #pending = new WriteSet();
  /** State words whose gate this transaction closed (or found closed). */
  // Reused from one transaction to the next (a transaction is a hot path: no allocation).
  /** State words whose gate this transaction closed, each once. */
  readonly #gated: number[] = [];
  /** The same words as a set, once there are many (a wait on hundreds of objects): lookups stay O(1). */
  #gatedSet: Set<number> | null = null;
  readonly #afterCommit: (() => void)[] = [];
  /** Thread slots to wake after the commit, each once. */
  readonly #wakes: number[] = [];
  #depth = 0;
  /** Changes at each acquisition of the lock by this thread (see H.lock). */
  #epoch = 0;
  readonly #timespec = new BigInt64Array(2);
  /** futex_waitv arguments of a lock wait: the lock word and the holder's life word. */
  readonly #lockWaiters = futexWaiters(2);
  readonly #lockDeadline = new BigInt64Array(2);

  constructor(readonly libc: Libc) {
    const region = mapRegion(libc, libc.getuid());
    this.base = region.base;
    this.file = region.file;
    this.i32 = new Int32Array(region.buffer, 0, OFFSET.words);
    this.names = new Uint16Array(region.buffer, OFFSET.namesByte, LIMITS.objects * LIMITS.nameUnits);
    this.tid = libc.gettid();
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

  /** The state word of an object (a mutex's owner, the others' signal), as the transaction sees its kind. */
  #stateWord(obj: number): number {
    return objectWord(obj, this.r(objectWord(obj, O.kind)) === KIND.mutex ? O.owner : O.signal);
  }

  /** Closes the gate of a state word (see GATED): from here on, no fast path changes it. */
  #gate(word: number): void {
    if (this.#depth === 0) throw new Error('internal: a state word read outside a transaction');
    if (this.#gatedSet ? this.#gatedSet.has(word) : this.#gated.includes(word)) return;
    const h = this.i32;
    for (;;) {
      const seen = Atomics.load(h, word);
      if ((seen & GATED) !== 0 || Atomics.compareExchange(h, word, seen, seen | GATED) === seen) break;
    }
    this.#gated.push(word);
    if (this.#gatedSet) this.#gatedSet.add(word);
    else if (this.#gated.length > 16) this.#gatedSet = new Set(this.#gated);
  }

  /** An object's state (a semaphore's count, an event's signal, a mutex's owner + 1), its gate closed. */
  state(obj: number): number {
    const word = this.#stateWord(obj);
    this.#gate(word);
    return this.r(word) & STATE_MASK;
  }

  /** Writes an object's state in the current transaction, its gate closed. */
  setState(obj: number, value: number): void {
    const word = this.#stateWord(obj);
    this.#gate(word);
    this.w(word, value | GATED);
  }

  /** An object's state as the transaction sees it, without closing its gate: one read, for queries and scans. */
  peekState(obj: number): number {
    return this.r(this.#stateWord(obj)) & STATE_MASK;
  }

  /**
   * After the transaction (committed or not), opens the gates it closed where nobody
   * waits on the object and it is not an abandoned mutex (whose next acquirer must be
   * told, which only a transaction does) or a crash-safe semaphore. Still under the lock: no one else changes a
   * gated word meanwhile.
   */
  #openGates(): void {
    const h = this.i32;
    const gated = this.#gated;
    for (let i = 0; i < gated.length; i++) {
      const word = gated[i]!;
      const obj = Math.floor((word - OFFSET.objects) / OBJECT_WORDS);
      const kind = h[objectWord(obj, O.kind)]!;
      // A slot freed (or reused by another kind) since: allocation rewrote the word.
      if (kind === KIND.free || this.#committedStateWord(obj, kind) !== word) continue;
      if (h[objectWord(obj, O.waiters)] !== 0) continue;
      if (kind === KIND.mutex && h[objectWord(obj, O.abandoned)] !== 0) continue;
      if (kind === KIND.semaphore && h[objectWord(obj, O.crashSafe)] !== 0) continue; // the fast paths cannot record units
      Atomics.store(h, word, h[word]! & STATE_MASK);
    }
    gated.length = 0;
    this.#gatedSet = null;
  }

  #committedStateWord(obj: number, kind: number): number {
    return objectWord(obj, kind === KIND.mutex ? O.owner : O.signal);
  }

  /** Runs `fn` after the transaction commits (system calls with local effects, such as closing a pidfd). */
  afterCommit(fn: () => void): void {
    this.#afterCommit.push(fn);
  }

  /**
   * Takes a result a transaction finds in a thread's status word (`status`), unless
   * another thread took it first: the thread that waited, or the one whose bell it rang
   * (bells.ts). True if taken: the word is IDLE once the transaction commits.
   */
  claimResult(slot: number, status: number): boolean {
    const word = threadWord(slot, T.status);
    if (this.#pending.get(word) !== undefined) return true; // written by this transaction: nobody else sees it yet
    return Atomics.compareExchange(this.i32, word, status, IDLE) === status;
  }

  /** Wakes the thread slot's status futex after the transaction commits. */
  wakeThread(slot: number): void {
    if (!this.#wakes.includes(slot)) this.#wakes.push(slot);
  }

  /** Distinct words the current transaction has written so far. */
  get pendingWords(): number {
    return this.#pending.size;
  }

  /** A NamespaceError for a word read from shared memory that cannot be right. */
  damaged(what: string): NamespaceError {
    return new NamespaceError(`the namespace is damaged (${what}). ${recreate(this.file)}`);
  }

  /**
   * Runs `body` as one transaction under the namespace lock. If it throws, nothing it
   * wrote is applied. With `lockDeadlineUs` (monotonic µs), gives up with
   * {@link LockDeadlineError} if the lock is not free by then.
   */
  transact<R>(body: () => R, lockDeadlineUs = Infinity): R {
    if (this.#depth > 0) return body();
    this.#lock(lockDeadlineUs);
    try {
      this.#replay(); // finishes a transaction whose holder died after committing it
    } catch (error) {
      this.#unlock();
      throw error;
    }
    this.#depth = 1;
    let result: R;
    const cleanup = this.pendingCleanup;
    try {
      cleanup?.();
      result = body();
      this.#commit();
      if (cleanup !== null && this.pendingCleanup === cleanup) this.pendingCleanup = null;
    } catch (error) {
      this.#pending.clear();
      this.#afterCommit.length = 0;
      this.#wakes.length = 0;
      throw error;
    } finally {
      this.#depth = 0;
      this.#openGates();
      this.#unlock();
    }
    const wakes = this.#wakes;
    for (let i = 0; i < wakes.length; i++) {
      const slot = wakes[i]!;
      if (!this.bells?.ring(slot)) this.libc.futexWake(this.address(threadWord(slot, T.status)), 1);
    }
    wakes.length = 0;
    if (this.#afterCommit.length > 0) for (const fn of this.#afterCommit.splice(0)) fn();
    return result;
  }

  #commit(): void {
    const pending = this.#pending;
    const size = pending.size;
    if (size === 0) return;
    for (let i = 0; i < size; i++) {
      const word = pending.wordAt(i);
      if (!isLoggable(word)) {
        pending.clear();
        throw this.damaged(`a change reached word ${word}, outside the tables`);
      }
    }
    if (size > LIMITS.log) {
      pending.clear();
      throw new NamespaceError(`a change of ${size} words is larger than the redo log (${LIMITS.log})`);
    }
    const h = this.i32;
    let at = OFFSET.log;
    for (let i = 0; i < size; i++) {
      h[at++] = pending.wordAt(i);
      h[at++] = pending.valueAt(i);
    }
    h[H.logCount] = size;
    Atomics.store(h, H.logCommitted, 1); // the commit point
    for (let i = 0; i < size; i++) Atomics.store(h, pending.wordAt(i), pending.valueAt(i));
    Atomics.store(h, H.logCommitted, 0);
    pending.clear();
  }

  /** Re-applies a transaction that a dead lock holder committed but may not have applied. */
  #replay(): void {
    const h = this.i32;
    if (Atomics.load(h, H.logCommitted) !== 1) return;
    const count = h[H.logCount]!;
    if (!(count >= 0 && count <= LIMITS.log)) throw this.damaged('redo log');
    for (let i = 0; i < count; i++) if (!isLoggable(h[OFFSET.log + 2 * i]!)) throw this.damaged('redo log entry');
    Atomics.add(h, H.logReplays, 1);
    for (let i = 0; i < count; i++) Atomics.store(h, h[OFFSET.log + 2 * i]!, h[OFFSET.log + 2 * i + 1]!);
    Atomics.store(h, H.logCommitted, 0);
  }

  // --- The lock ---------------------------------------------------------------------

  /** The next lock word this thread would hold. */
  #nextLockWord(): number {
    this.#epoch = (this.#epoch + 1) & ((1 << (32 - LOCK_SLOT_BITS)) - 1);
    return (this.#epoch << LOCK_SLOT_BITS) | (this.thread + 1) | 0;
  }

  /** Takes the lock word from `from` (0: free) to a new word of ours; announces it in our slot first. */
  #tryTake(from: number): boolean {
    const h = this.i32;
    const mine = this.#nextLockWord();
    // Announced before the compare-and-swap: an observer never sees our word in the lock without it here.
    Atomics.store(h, threadWord(this.thread, T.lockHeld), mine);
    return Atomics.compareExchange(h, H.lock, from, mine) === from;
  }

  #lock(deadlineUs: number): void {
    const h = this.i32;
    if (this.thread < 0) throw new Error('internal: the thread is not registered');
    if (this.#tryTake(0)) return;
    for (let spin = 0; spin < 64; spin++) {
      if (Atomics.load(h, H.lock) === 0 && this.#tryTake(0)) return;
    }
    let since = Date.now();
    let seen = Atomics.load(h, H.lock);
    for (;;) {
      const holder = Atomics.load(h, H.lock);
      if (holder === 0) {
        if (this.#tryTake(0)) return;
        continue;
      }
      if (holder !== seen) {
        seen = holder;
        since = Date.now();
      }
      let sliceMs = LOCK_CHECK_MS;
      if (deadlineUs !== Infinity) {
        const left = (deadlineUs - Namespace.monotonicMicros()) / 1000;
        if (left <= 0) throw new LockDeadlineError(this.lockHolder());
        sliceMs = Math.min(sliceMs, left);
      }
      let r = 0;
      const died = this.#markedDead(holder);
      if (!died) {
        Atomics.add(h, H.lockSleepers, 1);
        r = this.#sleepOnLock(holder, sliceMs);
        Atomics.sub(h, H.lockSleepers, 1);
      }
      // A holder the kernel marked dead is taken over at once; otherwise after LOCK_CHECK_MS.
      const due = died || this.#markedDead(holder) || (r === -ETIMEDOUT && Date.now() - since >= LOCK_CHECK_MS);
      if (due && !this.#holdsLock(holder)) {
        // The holder died holding the lock, or the word is not anybody's: take it over, then
        // finish any committed work.
        if (this.#tryTake(holder)) {
          Atomics.add(h, H.lockTakeovers, 1);
          return;
        }
      }
    }
  }

  /** The life word of the thread slot a lock word names (robust-list.ts), or -1. */
  #lifeWordOf(lockWord: number): number {
    const slot = (lockWord & LOCK_SLOT_MASK) - 1;
    return slot >= 0 && slot < LIMITS.threads && slot !== this.thread ? threadWord(slot, T.life) : -1;
  }

  /** Whether the kernel marked the thread that a lock word names as ended. */
  #markedDead(lockWord: number): boolean {
    const life = this.#lifeWordOf(lockWord);
    return life >= 0 && (Atomics.load(this.i32, life) & LIFE_OWNER_DIED) !== 0;
  }

  /**
   * Sleeps on the lock word while it is `holder`, and on the holder's life word when it
   * has one (futex_waitv), so that the holder's death wakes this thread at once.
   */
  #sleepOnLock(holder: number, sliceMs: number): number {
    const h = this.i32;
    const word = this.#lifeWordOf(holder);
    const life = word >= 0 ? Atomics.load(h, word) : 0;
    if ((life & LIFE_TID_MASK) === 0 || (life & LIFE_OWNER_DIED) !== 0) return this.#futexWait(H.lock, holder, sliceMs);
    if ((life & LIFE_WAITERS) === 0 && Atomics.compareExchange(h, word, life, life | LIFE_WAITERS) !== life) return 0;
    const waiters = this.#lockWaiters;
    setFutexWaiter(waiters, 0, this.address(H.lock), holder);
    setFutexWaiter(waiters, 1, this.address(word), life | LIFE_WAITERS);
    const r = this.libc.futexWaitv(waiters, 2, monotonicDeadline(this.#lockDeadline, sliceMs));
    // The kernel wakes one sleeper on a dead thread's life word: wake the others too.
    if (r === 1) this.libc.futexWake(this.address(word), 0x7fff_ffff);
    return r;
  }

  #unlock(): void {
    const h = this.i32;
    Atomics.store(h, H.lock, 0);
    Atomics.store(h, threadWord(this.thread, T.lockHeld), 0);
    if (Atomics.load(h, H.lockSleepers) > 0) this.libc.futexWake(this.address(H.lock), 1);
  }

  /** Whether `word` (seen in the lock for LOCK_CHECK_MS) is held by a live thread that says so. */
  #holdsLock(word: number): boolean {
    const slot = (word & LOCK_SLOT_MASK) - 1;
    if (!(slot >= 0 && slot < LIMITS.threads)) return false;
    if (slot === this.thread) return false; // not by us: we are waiting for it
    if (Atomics.load(this.i32, threadWord(slot, T.lockHeld)) !== word) return false;
    return this.isThreadSlotAlive(slot);
  }

  /** Who holds the lock now (for error messages and `waitables ls`), or null if nobody does. */
  lockHolder(): LockHolder | null {
    const word = Atomics.load(this.i32, H.lock);
    if (word === 0) return null;
    const slot = (word & LOCK_SLOT_MASK) - 1;
    if (!(slot >= 0 && slot < LIMITS.threads)) return { pid: 0, tid: 0, state: null };
    const pid = this.i32[threadWord(slot, T.pid)]!;
    const tid = this.i32[threadWord(slot, T.tid)]!;
    return { pid, tid, state: threadState(pid, tid) };
  }

  /**
   * Whether the thread recorded in `slot` is still running (read without the lock: slots
   * of live threads do not change). A slot being registered (claimed) names its thread
   * in its state word, and counts as alive while that thread is.
   */
  isThreadSlotAlive(slot: number): boolean {
    const h = this.i32;
    const state = Atomics.load(h, threadWord(slot, T.state));
    const tid = Atomics.load(h, threadWord(slot, T.tid));
    const pid = h[threadWord(slot, T.pid)]!;
    const start = joinMicros(h[threadWord(slot, T.startHi)]!, h[threadWord(slot, T.startLo)]!);
    if (state === THREAD_LIVE) {
      // The kernel marked its life word as it ended (robust-list.ts; a claim clears the
      // word before the slot can become live): dead, whatever /proc says yet.
      if ((Atomics.load(h, threadWord(slot, T.life)) & LIFE_OWNER_DIED) !== 0) return false;
      return isThreadAlive(pid, tid, start);
    }
    if ((state & ~TID_MASK) !== THREAD_CLAIMED) return false;
    const claimer = state & TID_MASK;
    // The claimer writes pid and start time, then tid: a tid that matches means the others are its own.
    if (tid === claimer) return isThreadAlive(pid, tid, start);
    return threadStartTime(claimer, claimer) !== null;
  }

  /** FUTEX_WAIT on a word with a timeout in ms (null: forever). 0 when woken, -errno otherwise. */
  #futexWait(word: number, expected: number, timeoutMs: number | null): number {
    if (timeoutMs === null) return this.libc.futexWait(this.address(word), expected, null);
    return this.libc.futexWait(this.address(word), expected, relativeTimespec(this.#timespec, timeoutMs));
  }

  /** Sleeps until another thread's word is no longer `expected` (and wakes it: futex), or `timeoutMs` passes. */
  sleepOnWord(word: number, expected: number, timeoutMs: number): number {
    return this.#futexWait(word, expected, timeoutMs);
  }

  /** Sleeps until this thread's status word is no longer WAITING, or `timeoutMs` passes. */
  sleepOnStatus(expected: number, timeoutMs: number): number {
    return this.#futexWait(threadWord(this.thread, T.status), expected, timeoutMs);
  }

  /** Monotonic microseconds (CLOCK_MONOTONIC, the same clock in every process). */
  static monotonicMicros(): number {
    return Number(process.hrtime.bigint() / 1000n);
  }
}
