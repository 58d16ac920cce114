/**
 * The semantics of the objects over the shared layout: what can be acquired, what a
 * wait takes, who a state change wakes, and what happens to what a dead thread or
 * process held. Every function here runs inside a transaction (see namespace.ts).
 *
 * Waits follow the ntsync model: a waiting thread registers one record (its thread
 * slot and wait list); a state change hands objects directly to registered waiters in
 * FIFO order (units, ownership, the signal of an auto-reset object) and wakes the
 * waiter's own futex word; a wait-all is handed everything at once or nothing, since
 * every change happens under the one namespace lock.
 */
import { WAIT_ABANDONED_0, WAIT_OBJECT_0, WAIT_TIMEOUT } from '../constants.js';
import { ERROR_INVALID_HANDLE, ERROR_NOT_ENOUGH_MEMORY, ERROR_ACCESS_DENIED } from '../error-codes.js';
import { Win32Error } from '../errors.js';
import { isProcessAlive } from './liveness.js';
import {
  H,
  HD,
  IDLE,
  OBJECT_WORDS,
  RECLAIM_BUDGET,
  THREAD_CLAIMED,
  THREAD_FREE,
  THREAD_LIVE,
  TID_MASK,
  KIND,
  type Kind,
  LIMITS,
  LIFE_OWNER_DIED,
  LIFE_WAITERS,
  LIFE_TID_MASK,
  O,
  P,
  T,
  TIMER_INACTIVE,
  TIMER_MONOTONIC,
  WAITING,
  handleWord,
  joinMicros,
  objectWord,
  processWord,
  splitMicros,
  threadWord,
  waitEntryWord,
} from './layout.js';
import { nextFreeSlot, type SlotTable } from './free-slot.js';
import { Holdings } from './holdings.js';
import { POLLIN, type Libc } from './libc.js';
import { unlinkName } from './names.js';
import { Namespace } from './namespace.js';

/** How often a blocked waiter looks at what no futex tells it: dead owners, exited processes, dead waiters. */
export const SLICE_MS = 50;
/** At most one reclaim pass of the whole namespace this often. */
const RECLAIM_INTERVAL_US = 100_000;

const OBJECT_TABLE: SlotTable = { hint: H.hintObject, high: H.objectsHigh, size: LIMITS.objects };
const HANDLE_TABLE: SlotTable = { hint: H.hintHandle, high: H.handlesHigh, size: LIMITS.handles };

export class ObjectSemantics {
  readonly #pollfd = new Int32Array(2);
  /** pidfds of the other processes in the namespace, opened once each: a cheap, reuse-proof liveness test. */
  readonly #peers = new Map<number, { pid: number; start: number; pidfd: number }>();
  readonly holdings: Holdings;

  constructor(
    readonly ns: Namespace,
    readonly libc: Libc,
  ) {
    this.holdings = new Holdings(ns, (p) => this.isProcessSlotAlive(p) && !this.mainThreadEnded(p));
  }

  // --- Objects and handles ----------------------------------------------------------

  allocObject(kind: Kind): number {
    const ns = this.ns;
    const obj = nextFreeSlot(ns, OBJECT_TABLE, (o) => ns.r(objectWord(o, O.kind)) === KIND.free && ns.r(objectWord(o, O.refs)) === 0);
    if (obj < 0) throw new Win32Error(ERROR_NOT_ENOUGH_MEMORY, 'CreateObject');
    // A freed slot keeps its old fields (freeing writes two words): clear them now.
    for (let field = 0; field < OBJECT_WORDS; field++) if (field !== O.generation) ns.w(objectWord(obj, field), 0);
    ns.w(objectWord(obj, O.kind), kind);
    ns.w(objectWord(obj, O.generation), ns.r(objectWord(obj, O.generation)) + 1);
    return obj;
  }

  /**
   * Drops one reference; the last one frees the object (and closes a process object's
   * pidfd, and takes a name out of the name index). Freeing writes only its kind and
   * count (and a few words of the index), so that freeing many objects at once stays
   * small; allocation clears the rest.
   */
  unref(obj: number): void {
    const ns = this.ns;
    const refs = ns.r(objectWord(obj, O.refs)) - 1;
    if (refs > 0) return ns.w(objectWord(obj, O.refs), refs);
    if (ns.r(objectWord(obj, O.kind)) === KIND.process && ns.r(objectWord(obj, O.ownerProcess)) === ns.process) {
      const fd = ns.r(objectWord(obj, O.pidfd));
      ns.afterCommit(() => this.libc.close(fd));
    }
    if (ns.r(objectWord(obj, O.nameLength)) !== 0) unlinkName(ns, obj);
    if (this.holdings.isCrashSafe(obj)) this.holdings.objectFreed(obj);
    ns.w(objectWord(obj, O.refs), 0);
    ns.w(objectWord(obj, O.kind), KIND.free);
  }

  allocHandle(obj: number, access: number, syscall: string): number {
    const ns = this.ns;
    const slot = nextFreeSlot(ns, HANDLE_TABLE, (s) => ns.r(handleWord(s, HD.object)) === 0);
    if (slot < 0) throw new Win32Error(ERROR_NOT_ENOUGH_MEMORY, syscall);
    ns.w(handleWord(slot, HD.object), obj + 1);
    ns.w(handleWord(slot, HD.process), ns.process);
    ns.w(handleWord(slot, HD.access), access);
    ns.w(handleWord(slot, HD.generation), ns.r(objectWord(obj, O.generation)));
    ns.w(objectWord(obj, O.refs), ns.r(objectWord(obj, O.refs)) + 1);
    if (this.holdings.isCrashSafe(obj)) this.holdings.handleOpened(obj, ns.process, syscall);
    return (slot + 1) * 4;
  }

  /**
   * The object a handle of this process refers to, checking its kind and access
   * rights: ERROR_INVALID_HANDLE or ERROR_ACCESS_DENIED as Windows reports them.
   */
  resolve(handle: number, access: number, kinds: readonly Kind[] | null, syscall: string): number {
    const slot = this.#handleSlot(handle, syscall);
    const ns = this.ns;
    const obj = ns.r(handleWord(slot, HD.object)) - 1;
    if (!(obj >= 0 && obj < LIMITS.objects)) throw ns.damaged('handle table');
    const kind = ns.r(objectWord(obj, O.kind)) as Kind;
    if (kind === KIND.free || ns.r(handleWord(slot, HD.generation)) !== ns.r(objectWord(obj, O.generation))) {
      throw ns.damaged('a handle outlived its object');
    }
    if (!(kind >= KIND.event && kind <= KIND.process)) throw ns.damaged('object kind');
    if (kinds !== null && !kinds.includes(kind)) throw new Win32Error(ERROR_INVALID_HANDLE, syscall);
    if ((ns.r(handleWord(slot, HD.access)) & access) !== access) throw new Win32Error(ERROR_ACCESS_DENIED, syscall);
    return obj;
  }

  /** The handle's slot, if it is an open handle of this process. */
  #handleSlot(handle: number, syscall: string): number {
    const ns = this.ns;
    // Windows ignores a handle value's two low bits (tag bits, free for the application).
    const value = Number.isInteger(handle) && handle > 0 ? handle - (handle % 4) : 0;
    if (value <= 0 || value / 4 > LIMITS.handles) throw new Win32Error(ERROR_INVALID_HANDLE, syscall);
    const slot = value / 4 - 1;
    const obj = ns.r(handleWord(slot, HD.object));
    if (obj === 0 || ns.r(handleWord(slot, HD.process)) !== ns.process) throw new Win32Error(ERROR_INVALID_HANDLE, syscall);
    return slot;
  }

  handleAccess(handle: number, syscall: string): number {
    return this.ns.r(handleWord(this.#handleSlot(handle, syscall), HD.access));
  }

  freeHandle(handle: number, syscall: string): void {
    const slot = this.#handleSlot(handle, syscall);
    this.#freeHandleSlot(slot);
  }

  #freeHandleSlot(slot: number): void {
    const ns = this.ns;
    const obj = ns.r(handleWord(slot, HD.object)) - 1;
    const process = ns.r(handleWord(slot, HD.process));
    for (let field = 0; field < 4; field++) ns.w(handleWord(slot, field), 0);
    if (!(obj >= 0 && obj < LIMITS.objects)) return;
    if (this.holdings.isCrashSafe(obj)) this.holdings.handleClosed(obj, process);
    this.unref(obj);
  }

  // --- Acquiring --------------------------------------------------------------------

  canAcquire(obj: number, thread: number): boolean {
    const ns = this.ns;
    switch (ns.r(objectWord(obj, O.kind))) {
      case KIND.semaphore:
        return ns.state(obj) > 0;
      case KIND.mutex: {
        const owner = ns.state(obj);
        return owner === 0 || owner === thread + 1;
      }
      default:
        return ns.state(obj) !== 0;
    }
  }

  /** Takes the object for `thread`; true if it was a mutex abandoned by its previous owner. */
  acquire(obj: number, thread: number): boolean {
    const ns = this.ns;
    switch (ns.r(objectWord(obj, O.kind))) {
      case KIND.semaphore:
        ns.setState(obj, ns.state(obj) - 1);
        if (this.holdings.isCrashSafe(obj)) this.holdings.took(obj, thread);
        return false;
      case KIND.mutex: {
        ns.setState(obj, thread + 1);
        ns.w(objectWord(obj, O.recursion), ns.r(objectWord(obj, O.recursion)) + 1);
        if (ns.r(objectWord(obj, O.abandoned)) === 0) return false;
        ns.w(objectWord(obj, O.abandoned), 0);
        return true;
      }
      case KIND.event:
      case KIND.timer:
        if (ns.r(objectWord(obj, O.manualReset)) === 0) ns.setState(obj, 0);
        return false;
      default:
        return false;
    }
  }

  /**
   * Whether the thread of a registered wait lives. A thread on its robust futex list has a
   * life word the kernel marks as the thread ends, whatever kills it (robust-list.ts): read
   * without a system call, which matters on a hand-over path. Otherwise its process is asked.
   */
  #waiterAlive(thread: number, process: number): boolean {
    const life = Atomics.load(this.ns.i32, threadWord(thread, T.life));
    if ((life & LIFE_OWNER_DIED) !== 0) return false;
    if ((life & LIFE_TID_MASK) !== 0) return true;
    return this.isProcessSlotAlive(process);
  }

  /** Whether {@link tryWait} would take something now (it changes nothing). */
  #couldTake(thread: number, objects: readonly number[], waitAll: boolean): boolean {
    if (waitAll) return objects.every((obj) => obj >= 0 && this.canAcquire(obj, thread));
    return objects.some((obj) => obj >= 0 && this.canAcquire(obj, thread));
  }

  /** Acquires what the wait can take now: its WAIT_* code, or -1 if it must wait. */
  tryWait(thread: number, objects: readonly number[], waitAll: boolean): number {
    if (waitAll) {
      for (const obj of objects) if (!this.canAcquire(obj, thread)) return -1;
      let abandoned = false;
      for (const obj of objects) abandoned = this.acquire(obj, thread) || abandoned;
      return abandoned ? WAIT_ABANDONED_0 : WAIT_OBJECT_0;
    }
    for (let i = 0; i < objects.length; i++) {
      if (this.canAcquire(objects[i]!, thread)) return (this.acquire(objects[i]!, thread) ? WAIT_ABANDONED_0 : WAIT_OBJECT_0) + i;
    }
    return -1;
  }

  // --- Registered waits -------------------------------------------------------------

  /** The thread a registered wait of `thread` acquires mutexes for (itself, or the one in its acquireFor). */
  ownerFor(thread: number): number {
    const other = this.ns.r(threadWord(thread, T.acquireFor)) - 1;
    return other >= 0 && other < LIMITS.threads ? other : thread;
  }

  /**
   * Registers a wait of `thread` on `objects`. `ringsBell`: its results at index 1 and up
   * ring the bell of the thread it acquires for (T.ringsBell).
   */
  register(thread: number, objects: readonly number[], waitAll: boolean, acquireFor = thread, ringsBell = false): void {
    const ns = this.ns;
    ns.w(threadWord(thread, T.acquireFor), acquireFor === thread ? 0 : acquireFor + 1);
    ns.w(threadWord(thread, T.ringsBell), ringsBell && acquireFor !== thread ? 1 : 0);
    objects.forEach((obj, i) => {
      ns.w(waitEntryWord(thread, i), obj);
      ns.w(waitEntryWord(thread, i) + 1, ns.r(objectWord(obj, O.generation)));
      ns.w(objectWord(obj, O.refs), ns.r(objectWord(obj, O.refs)) + 1);
      ns.w(objectWord(obj, O.waiters), ns.r(objectWord(obj, O.waiters)) + 1);
    });
    const ticket = ns.r(H.sequence);
    ns.w(H.sequence, ticket + 1);
    ns.w(threadWord(thread, T.sequence), ticket);
    ns.w(threadWord(thread, T.count), objects.length);
    ns.w(threadWord(thread, T.waitAll), waitAll ? 1 : 0);
    ns.w(threadWord(thread, T.status), WAITING);
    ns.w(H.waiting, ns.r(H.waiting) + 1);
  }

  /** A registered wait's objects (slots whose generation no longer matches are gone: -1). */
  waitList(thread: number): number[] {
    const ns = this.ns;
    const count = ns.r(threadWord(thread, T.count));
    if (!(count >= 0 && count <= LIMITS.waitList)) throw ns.damaged('wait list');
    const list: number[] = [];
    for (let i = 0; i < count; i++) {
      const obj = ns.r(waitEntryWord(thread, i));
      const live = obj >= 0 && obj < LIMITS.objects && ns.r(objectWord(obj, O.generation)) === ns.r(waitEntryWord(thread, i) + 1);
      list.push(live ? obj : -1);
    }
    return list;
  }

  /** Ends a registered wait with `status` (the result, or WAIT_TIMEOUT), dropping its references. */
  #finishWait(thread: number, status: number, list: readonly number[]): void {
    const ns = this.ns;
    ns.w(threadWord(thread, T.status), status);
    for (const obj of list) {
      if (obj < 0) continue;
      ns.w(objectWord(obj, O.waiters), Math.max(0, ns.r(objectWord(obj, O.waiters)) - 1));
      this.unref(obj);
    }
    ns.w(H.waiting, ns.r(H.waiting) - 1);
  }

  /**
   * Repairs damaged counts of registered waits (the namespace's, and those of `objects`),
   * and marks `objects` as changed so that a dispatch looks at them.
   */
  recountWaiting(objects: readonly number[], changed: Set<number>): void {
    const ns = this.ns;
    let waiting = 0;
    const counts = new Map<number, number>();
    for (const obj of objects) if (obj >= 0) counts.set(obj, 0);
    for (let t = 0; t < LIMITS.threads; t++) {
      if (ns.r(threadWord(t, T.state)) !== THREAD_LIVE || ns.r(threadWord(t, T.status)) !== WAITING) continue;
      waiting++;
      for (const obj of this.waitList(t)) if (counts.has(obj)) counts.set(obj, counts.get(obj)! + 1);
    }
    ns.w(H.waiting, waiting);
    for (const [obj, count] of counts) {
      ns.w(objectWord(obj, O.waiters), count);
      changed.add(obj);
    }
  }

  /** Ends this thread's own registered wait at its timeout. */
  timeOut(thread: number): void {
    this.#finishWait(thread, WAIT_TIMEOUT, this.waitList(thread));
  }

  /**
   * Hands changed objects to the registered waits that can now take them, oldest wait
   * first, and wakes those waiters.
   */
  dispatch(changed: ReadonlySet<number>, force = false): void {
    const ns = this.ns;
    // `waiting` lets a change skip the scan; a waiter looking for itself scans regardless (a damaged count must not strand it).
    if (changed.size === 0 || (!force && ns.r(H.waiting) <= 0)) return;
    // Nobody waits on what changed: nothing to hand over (the waiters' own looks repair a damaged count).
    if (!force) {
      let waited = false;
      for (const obj of changed) if (ns.r(objectWord(obj, O.waiters)) !== 0) waited = true;
      if (!waited) return;
    }
    const high = ns.r(H.threadsHigh);
    const waiters: { thread: number; ticket: number; list: number[] }[] = [];
    const i32 = ns.i32;
    for (let t = 0; t < high && t < LIMITS.threads; t++) {
      if (ns.r(threadWord(t, T.status)) !== WAITING || ns.r(threadWord(t, T.state)) !== 1) continue;
      // A registered wait list is written once, by the committed transaction that registered
      // it (no transaction registers before it dispatches): read it directly to find the
      // waits concerned, and decode only those.
      const count = Math.min(i32[threadWord(t, T.count)]!, LIMITS.waitList);
      let concerned = false;
      for (let i = 0; i < count && !concerned; i++) concerned = changed.has(i32[waitEntryWord(t, i)]!);
      if (concerned) waiters.push({ thread: t, ticket: ns.r(threadWord(t, T.sequence)), list: this.waitList(t) });
    }
    // Tickets grow by one per wait; compare their difference so that wrapping keeps the order.
    waiters.sort((a, b) => (a.ticket - b.ticket) | 0);
    const freed = new Set<number>();
    for (const { thread, list } of waiters) {
      if (list.includes(-1) || ns.r(threadWord(thread, T.status)) !== WAITING) continue;
      // A wait its thread gave up (T.gaveUp) would hold what it is handed for nobody: end it instead.
      if (ns.r(threadWord(thread, T.gaveUp)) === 1) {
        this.#dropStaleWait(thread, freed);
        continue;
      }
      const owner = this.ownerFor(thread);
      const waitAll = ns.r(threadWord(thread, T.waitAll)) === 1;
      // Nothing it waits for can be taken now: whether it lives does not matter yet (asking
      // costs a system call, and every waiter behind the one served would ask).
      if (!this.#couldTake(owner, list, waitAll)) continue;
      // Never hand an object to a waiter whose process has died: drop its wait instead (the
      // rest of that process is reclaimed by bounded passes, see reclaim()).
      const process = ns.r(threadWord(thread, T.process));
      if (!(process >= 0 && process < LIMITS.processes)) throw ns.damaged('thread table: process slot');
      if (!this.#waiterAlive(thread, process)) {
        this.reclaimThread(thread, freed);
        continue;
      }
      const code = this.tryWait(owner, list, waitAll);
      if (code < 0) continue;
      this.#finishWait(thread, code, list);
      ns.wakeThread(thread);
    }
    // What dead processes held (abandoned mutexes, objects handed to them) goes to the others.
    if (freed.size > 0) this.dispatch(freed);
  }

  // --- What time and death change ---------------------------------------------------

  /** Brings time-driven and death-driven state of these objects up to date. */
  refresh(objects: readonly number[], changed: Set<number>, checkOwners: boolean): void {
    const ns = this.ns;
    for (const obj of objects) {
      if (obj < 0) continue;
      const kind = ns.r(objectWord(obj, O.kind));
      if (kind === KIND.timer) this.#refreshTimer(obj, changed);
      else if (kind === KIND.process) this.#refreshProcess(obj, changed);
      else if (kind === KIND.mutex && checkOwners) this.#checkOwner(obj, changed);
      else if (kind === KIND.semaphore && checkOwners && this.holdings.isCrashSafe(obj)) {
        for (const p of this.holdings.deadHolders(obj)) this.#reclaimProcess(p, changed);
      }
    }
  }

  #refreshTimer(obj: number, changed: Set<number>): void {
    const ns = this.ns;
    const clock = ns.r(objectWord(obj, O.clock));
    if (clock === TIMER_INACTIVE) return;
    const now = clock === TIMER_MONOTONIC ? Namespace.monotonicMicros() : Date.now() * 1000;
    let due = joinMicros(ns.r(objectWord(obj, O.dueHi)), ns.r(objectWord(obj, O.dueLo)));
    if (now < due) return;
    ns.setState(obj, 1);
    const periodUs = ns.r(objectWord(obj, O.period)) * 1000;
    if (periodUs > 0) {
      // Expirations missed while nobody looked coalesce into this one; the schedule keeps its phase.
      due += (Math.floor((now - due) / periodUs) + 1) * periodUs;
      const [hi, lo] = splitMicros(due);
      ns.w(objectWord(obj, O.dueHi), hi);
      ns.w(objectWord(obj, O.dueLo), lo);
    } else {
      ns.w(objectWord(obj, O.clock), TIMER_INACTIVE);
    }
    changed.add(obj);
  }

  /** Milliseconds until the earliest due timer among `objects` (Infinity if none). */
  nextDueMs(objects: readonly number[]): number {
    const ns = this.ns;
    let next = Infinity;
    for (const obj of objects) {
      if (obj < 0 || ns.r(objectWord(obj, O.kind)) !== KIND.timer) continue;
      const clock = ns.r(objectWord(obj, O.clock));
      if (clock === TIMER_INACTIVE) continue;
      const now = clock === TIMER_MONOTONIC ? Namespace.monotonicMicros() : Date.now() * 1000;
      const due = joinMicros(ns.r(objectWord(obj, O.dueHi)), ns.r(objectWord(obj, O.dueLo)));
      next = Math.min(next, Math.max(0, (due - now) / 1000));
    }
    return next;
  }

  #refreshProcess(obj: number, changed: Set<number>): void {
    const ns = this.ns;
    if (ns.state(obj) !== 0 || ns.r(objectWord(obj, O.ownerProcess)) !== ns.process) return;
    if (!this.processExited(ns.r(objectWord(obj, O.pidfd)))) return;
    ns.setState(obj, 1);
    changed.add(obj);
  }

  /** A pidfd is readable once its process has exited. */
  processExited(pidfd: number): boolean {
    this.#pollfd[0] = pidfd;
    this.#pollfd[1] = POLLIN;
    return this.libc.poll(this.#pollfd, 1, 0) > 0 && this.#pollfd[1] >>> 16 !== 0;
  }

  /** Waits up to `timeoutMs` (without the lock) for the process in slot `p` to exit. */
  awaitExit(p: number, timeoutMs: number): void {
    if (!this.isProcessSlotAlive(p)) return;
    const main = this.mainThreadSlot(p);
    if (main >= 0) {
      // Its main thread's life word is marked a moment after the kill, where the pidfd waits
      // for the whole process's teardown (its memory unmapped: several milliseconds).
      const word = threadWord(main, T.life);
      const life = Atomics.load(this.ns.i32, word);
      if ((life & LIFE_OWNER_DIED) !== 0) return;
      if ((life & LIFE_WAITERS) !== 0 || Atomics.compareExchange(this.ns.i32, word, life, life | LIFE_WAITERS) === life) {
        this.ns.sleepOnWord(word, life | LIFE_WAITERS, timeoutMs);
      }
      // The kernel wakes one sleeper on a dead thread's life word: wake the others too.
      if ((Atomics.load(this.ns.i32, word) & LIFE_OWNER_DIED) !== 0) this.libc.futexWake(this.ns.address(word), 0x7fff_ffff);
      return;
    }
    const peer = this.#peers.get(p);
    if (!peer) return;
    this.#pollfd[0] = peer.pidfd;
    this.#pollfd[1] = POLLIN;
    this.libc.poll(this.#pollfd, 1, timeoutMs);
  }

  /**
   * The thread slot of the process's main thread (its tid is the pid), if that thread is
   * registered; -1 otherwise.
   */
  mainThreadSlot(p: number): number {
    const ns = this.ns;
    if (!(p >= 0 && p < LIMITS.processes)) return -1;
    const pid = ns.r(processWord(p, P.pid));
    const high = ns.r(H.threadsHigh);
    for (let t = 0; t < high && t < LIMITS.threads; t++) {
      if (ns.r(threadWord(t, T.state)) === THREAD_LIVE && ns.r(threadWord(t, T.process)) === p && ns.r(threadWord(t, T.tid)) === pid)
        return t;
    }
    return -1;
  }

  /**
   * Whether the process's main thread has ended (its life word says so). A Node process's
   * main thread ends only with the process (exit_group, a fatal signal): a holder whose
   * main thread is marked is dying, its other threads killed with it, and its units can go
   * back before its memory is torn down and the pidfd says so.
   */
  mainThreadEnded(p: number): boolean {
    const main = this.mainThreadSlot(p);
    return main >= 0 && (Atomics.load(this.ns.i32, threadWord(main, T.life)) & LIFE_OWNER_DIED) !== 0;
  }

  /**
   * Whether the process in slot `p` is alive. The first time, its start time is checked
   * in /proc and a pidfd opened (then checked again, so that the pidfd is for that very
   * process); afterwards a poll of the pidfd answers in a microsecond.
   */
  isProcessSlotAlive(p: number): boolean {
    const ns = this.ns;
    if (p === ns.process) return true;
    if (!(p >= 0 && p < LIMITS.processes) || ns.r(processWord(p, P.state)) !== 1) return false;
    const pid = ns.r(processWord(p, P.pid));
    const start = joinMicros(ns.r(processWord(p, P.startHi)), ns.r(processWord(p, P.startLo)));
    let peer = this.#peers.get(p);
    if (peer && (peer.pid !== pid || peer.start !== start)) {
      if (peer.pidfd >= 0) this.libc.close(peer.pidfd);
      this.#peers.delete(p);
      peer = undefined;
    }
    if (!peer) {
      if (!isProcessAlive(pid, start)) return false;
      const pidfd = this.libc.pidfdOpen(pid);
      if (pidfd < 0 || !isProcessAlive(pid, start)) {
        if (pidfd >= 0) this.libc.close(pidfd);
        return false;
      }
      peer = { pid, start, pidfd };
      this.#peers.set(p, peer);
    }
    return !this.processExited(peer.pidfd);
  }

  #checkOwner(obj: number, changed: Set<number>): void {
    const ns = this.ns;
    const owner = ns.state(obj);
    if (owner === 0 || owner === ns.thread + 1) return;
    if (!(owner > 0 && owner <= LIMITS.threads)) throw ns.damaged('mutex owner');
    if (ns.r(threadWord(owner - 1, T.state)) !== THREAD_LIVE || !ns.isThreadSlotAlive(owner - 1))
      this.#abandonOwnedBy(owner - 1, changed, obj);
  }

  /**
   * Frees what dead threads and processes held: a dead process's handles, a dead
   * thread's registered wait (and an object handed to it that it never took: given
   * back), its mutexes (abandoned), and their slots. Processes are checked when
   * `processesNow` (as a lookup by name must: a dead process's handles must not keep a
   * name alive) and by the periodic pass, threads by the periodic pass (at most every
   * RECLAIM_INTERVAL_US for the whole namespace) or when `threadsNow`.
   *
   * Bounded: it stops once the transaction has written RECLAIM_BUDGET words and returns
   * false; the caller commits and calls again (each step leaves a consistent state, so a
   * crash between steps loses nothing). True once nothing is left.
   */
  reclaim(changed: Set<number>, processesNow: boolean, threadsNow = false): boolean {
    const ns = this.ns;
    const now = Namespace.monotonicMicros();
    const due = threadsNow || now - joinMicros(ns.r(H.reclaimHi), ns.r(H.reclaimLo)) >= RECLAIM_INTERVAL_US;
    if (!due && !processesNow) return true;
    for (let p = 0; p < LIMITS.processes; p++) {
      if (p === ns.process || ns.r(processWord(p, P.state)) !== 1) continue;
      if (!this.isProcessSlotAlive(p) && !this.#reclaimProcess(p, changed)) return false;
    }
    if (!due) return true;
    const high = ns.r(H.threadsHigh);
    for (let t = 0; t < high && t < LIMITS.threads; t++) {
      if (t === ns.thread) continue;
      const state = ns.r(threadWord(t, T.state));
      if (state === THREAD_LIVE) {
        if (!ns.isThreadSlotAlive(t)) this.reclaimThread(t, changed);
      } else if ((state & ~TID_MASK) === THREAD_CLAIMED && !ns.isThreadSlotAlive(t)) {
        // A thread that died while registering: its claim holds nothing but the slot.
        ns.afterCommit(() => Atomics.compareExchange(ns.i32, threadWord(t, T.state), state, THREAD_FREE));
      }
      if (ns.pendingWords > RECLAIM_BUDGET) return false;
    }
    const [hi, lo] = splitMicros(now);
    ns.w(H.reclaimHi, hi);
    ns.w(H.reclaimLo, lo);
    return true;
  }

  /**
   * One bounded step of freeing a dead process: true once its slot is free. Its threads
   * first (what was handed to their waits goes back), then the units it holds of
   * crash-safe semaphores, then its handles.
   */
  #reclaimProcess(p: number, changed: Set<number>): boolean {
    const ns = this.ns;
    const high = ns.r(H.threadsHigh);
    for (let t = 0; t < high && t < LIMITS.threads; t++) {
      if (ns.r(threadWord(t, T.state)) === THREAD_LIVE && ns.r(threadWord(t, T.process)) === p) this.reclaimThread(t, changed);
    }
    this.holdings.reclaimProcess(p, changed);
    const handles = ns.r(H.handlesHigh);
    for (let slot = 0; slot < handles && slot < LIMITS.handles; slot++) {
      if (ns.r(handleWord(slot, HD.object)) === 0 || ns.r(handleWord(slot, HD.process)) !== p) continue;
      this.#freeHandleSlot(slot);
      if (ns.pendingWords > RECLAIM_BUDGET) return false;
    }
    for (let field = 0; field < 4; field++) ns.w(processWord(p, field), 0);
    return true;
  }

  /**
   * A thread that ended: its wait is dropped (what it was handed but never took goes
   * back), its mutexes abandoned, and its slot freed. The slot's state goes to free by a
   * compare-and-swap after the commit (threads claim free slots without the lock); until
   * then `process = -1` marks it reclaimed, and reclaiming it again is harmless.
   */
  reclaimThread(t: number, changed: Set<number>): void {
    const ns = this.ns;
    const status = ns.r(threadWord(t, T.status));
    if (status === WAITING) this.#finishWait(t, WAIT_TIMEOUT, this.waitList(t));
    else if (status !== IDLE && ns.claimResult(t, status)) this.#giveBack(t, status, changed, false);
    this.#abandonOwnedBy(t, changed, -1);
    ns.w(threadWord(t, T.status), IDLE);
    ns.w(threadWord(t, T.gaveUp), 0);
    ns.w(threadWord(t, T.process), -1);
    ns.afterCommit(() => Atomics.compareExchange(ns.i32, threadWord(t, T.state), THREAD_LIVE, THREAD_FREE));
  }

  /** The mutexes a dead thread owned become free and abandoned (all of them, or only `only` when >= 0). */
  #abandonOwnedBy(t: number, changed: Set<number>, only: number): void {
    const ns = this.ns;
    const abandon = (obj: number) => {
      ns.setState(obj, 0);
      ns.w(objectWord(obj, O.recursion), 0);
      ns.w(objectWord(obj, O.abandoned), 1);
      changed.add(obj);
    };
    if (only >= 0) return abandon(only);
    const high = ns.r(H.objectsHigh);
    for (let obj = 0; obj < high && obj < LIMITS.objects; obj++) {
      // Peeked first: closing the gate of every mutex in the namespace would stall their fast paths.
      if (ns.r(objectWord(obj, O.kind)) === KIND.mutex && ns.peekState(obj) === t + 1 && ns.state(obj) === t + 1) abandon(obj);
    }
  }

  /**
   * This thread gave up a wait it had registered without unregistering it (the lock was
   * not free by its deadline): unregister it now, and give back anything it was handed
   * since (a mutex is released, not abandoned: this thread is alive).
   */
  dropOwnStaleWait(changed: Set<number>): void {
    this.#dropStaleWait(this.ns.thread, changed);
  }

  #dropStaleWait(t: number, changed: Set<number>): void {
    const ns = this.ns;
    const status = ns.r(threadWord(t, T.status));
    if (status === WAITING) this.#finishWait(t, WAIT_TIMEOUT, this.waitList(t));
    else if (status !== IDLE && ns.claimResult(t, status)) this.#giveBack(t, status, changed, true);
    ns.w(threadWord(t, T.status), IDLE);
    ns.w(threadWord(t, T.gaveUp), 0);
  }

  /**
   * Ends the waits that live threads gave up without unregistering them (T.gaveUp), and
   * gives back what they were handed: their thread may not make another transaction for
   * a long time (an idle wait thread), and what was handed to them would be held by nobody.
   */
  sweepGivenUpWaits(changed: Set<number>): void {
    const ns = this.ns;
    const high = ns.r(H.threadsHigh);
    for (let t = 0; t < high && t < LIMITS.threads; t++) {
      if (ns.r(threadWord(t, T.gaveUp)) !== 1 || ns.r(threadWord(t, T.state)) !== THREAD_LIVE) continue;
      this.#dropStaleWait(t, changed);
    }
  }

  /**
   * Returns what a wait was handed and its thread never took. A mutex is released one
   * level if `releaseMutexes` (the thread lives) or if it was acquired for another thread
   * (which never learnt of it); otherwise the caller abandons it.
   */
  #giveBack(t: number, status: number, changed: Set<number>, releaseMutexes: boolean): void {
    const ns = this.ns;
    const list = this.waitList(t);
    let granted: number[];
    if (ns.r(threadWord(t, T.waitAll)) === 1) granted = status === WAIT_OBJECT_0 || status === WAIT_ABANDONED_0 ? list : [];
    else if (status >= WAIT_OBJECT_0 && status < WAIT_OBJECT_0 + list.length) granted = [list[status - WAIT_OBJECT_0]!];
    else if (status >= WAIT_ABANDONED_0 && status < WAIT_ABANDONED_0 + list.length) granted = [list[status - WAIT_ABANDONED_0]!];
    else granted = [];
    for (const obj of granted) {
      if (obj < 0) continue;
      const kind = ns.r(objectWord(obj, O.kind));
      if (kind === KIND.semaphore) {
        const count = ns.state(obj);
        if (count < ns.r(objectWord(obj, O.maximum))) ns.setState(obj, count + 1);
        // Its own process (the same as the owner's), read before a reclaim marks its slot.
        if (this.holdings.isCrashSafe(obj)) this.holdings.released(obj, ns.r(threadWord(t, T.process)), 1);
      } else if ((kind === KIND.event || kind === KIND.timer) && ns.r(objectWord(obj, O.manualReset)) === 0) {
        ns.setState(obj, 1);
      } else if (kind === KIND.mutex && (releaseMutexes || this.ownerFor(t) !== t) && ns.state(obj) === this.ownerFor(t) + 1) {
        const recursion = ns.r(objectWord(obj, O.recursion)) - 1;
        ns.w(objectWord(obj, O.recursion), Math.max(0, recursion));
        if (recursion <= 0) ns.setState(obj, 0);
      }
      changed.add(obj);
    }
  }

  // --- Fairness across processes ----------------------------------------------------

  /** Whether a live thread of another process has a registered wait that names `obj`. */
  waitedByOtherProcess(obj: number): boolean {
    const ns = this.ns;
    if (ns.r(H.waiting) === 0) return false;
    const high = ns.r(H.threadsHigh);
    for (let t = 0; t < high && t < LIMITS.threads; t++) {
      if (ns.r(threadWord(t, T.status)) !== WAITING || ns.r(threadWord(t, T.state)) !== 1) continue;
      if (ns.r(threadWord(t, T.process)) === ns.process) continue;
      if (this.waitList(t).includes(obj) && this.isProcessSlotAlive(ns.r(threadWord(t, T.process)))) return true;
    }
    return false;
  }
}
