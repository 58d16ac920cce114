/**
 * The shared-memory layout of a namespace, version 7. Documented for other processes
 * and languages in packages/core/docs/linux-shared-memory.md; change both together and
 * bump LAYOUT_VERSION when anything here moves.
 *
 * The region is an array of 32-bit little-endian words, then a UTF-16 name area. Every
 * table is an array of fixed-size slots; slot 0 of a field is its "state" word, 0 when
 * the slot is free.
 */
export const MAGIC = 0x54494157; // "WAIT"

export const LAYOUT_VERSION = 7;

export const LIMITS = {
  processes: 256,
  threads: 1024,
  objects: 65536,
  handles: 131072,
  /** Objects one wait may name: the public API keeps 64, a wait thread of the async runtime uses all. */
  waitList: 1024,
  /**
   * Distinct words one transaction may change. Sized for the largest transaction there
   * can be: a state change that wakes every registered wait touches per object at most
   * 8 words (kind, refs, signal, owner, recursion, abandoned, and a timer's due time and
   * clock), per thread a few, and its own wait list: under 2^20. Reclaiming the dead,
   * which is unbounded, is split into transactions of at most RECLAIM_BUDGET words.
   */
  log: 1 << 20,
  /** UTF-16 units of a name (MAX_PATH). */
  nameUnits: 260,
  /** Buckets of the name index (a power of two, twice the objects: chains stay short). */
  nameBuckets: 131072,
  /** Records of the units a process holds of a crash-safe semaphore (one per process and semaphore). */
  holdings: 32768,
} as const;

/** Header words. */
export const H = {
  magic: 0,
  version: 1,
  sizeBytes: 2,
  ready: 3,
  /**
   * The namespace lock, 0 when free. Held: the holder's thread slot + 1 in the low
   * LOCK_SLOT_BITS bits and, above them, a number the holder changes at each acquisition,
   * so that a lock word left behind is never mistaken for a new acquisition. Futex word.
   */
  lock: 4,
  /** Threads sleeping on the lock (the unlocker wakes only when non-zero). */
  lockSleepers: 5,
  /** Threads whose wait is registered (status WAITING): 0 lets a state change skip the waiter scan. */
  waiting: 6,
  /** FIFO ticket of the next registered wait. */
  sequence: 7,
  /** Monotonic microseconds of the last reclaim pass (two words). */
  reclaimHi: 8,
  reclaimLo: 9,
  /** Next-fit allocation hints. */
  hintObject: 10,
  hintHandle: 11,
  hintThread: 12,
  hintProcess: 13,
  /** One past the highest thread and object slot ever used: scans stop there. */
  threadsHigh: 14,
  objectsHigh: 15,
  handlesHigh: 18,
  /** Times a thread took the lock over from a dead holder, and replayed a committed log (statistics). */
  lockTakeovers: 19,
  logReplays: 20,
  /** Next-fit allocation hint, and one past the highest slot ever used, of the holdings table. */
  hintHolding: 21,
  holdingsHigh: 22,
  /** Redo log: 1 while a committed transaction is being applied. */
  logCommitted: 16,
  /** Redo log: number of (word, value) pairs. */
  logCount: 17,
} as const;
export const HEADER_WORDS = 64;

/** Process slot: one per process attached to the namespace. */
export const P = { state: 0, pid: 1, startHi: 2, startLo: 3 } as const;
export const PROCESS_WORDS = 8;

/** Thread slot: one per thread (main or worker) that has used the namespace; also its waiter record. */
export const T = {
  state: 0,
  process: 1,
  tid: 2,
  startHi: 3,
  startLo: 4,
  /** Futex word of its wait: WAITING, IDLE, or the wait's result (a WAIT_* code) until the thread takes it. */
  status: 5,
  waitAll: 6,
  /** Objects in its wait list. */
  count: 7,
  /** FIFO ticket of its wait. */
  sequence: 8,
  /** Its process id, written with tid and start time before the thread ever takes the lock. */
  pid: 9,
  /**
   * The lock word this thread holds or is about to take (stored before its
   * compare-and-swap, cleared after it releases): a lock word that names this slot while
   * this word differs was left behind (damage) and may be taken over.
   */
  lockHeld: 10,
  /**
   * The thread slot + 1 its registered wait acquires mutexes for (a wait thread of the
   * async runtime, for the thread it serves), 0: for itself.
   */
  acquireFor: 11,
  /**
   * 1: this thread gave up a registered wait without unregistering it (the namespace lock
   * was not free by its deadline), so whatever is handed to that wait is nobody's. Set by
   * the thread itself without the lock; the next transaction that sees it (this thread's
   * own next one, or another waiter's periodic pass) ends the wait, gives back what it
   * was handed and clears it: a thread that gave up and then idles cannot keep a mutex.
   */
  gaveUp: 12,
  /**
   * This thread's wait bell (bells.ts) + 1: a file descriptor of its process, a FIFO its
   * event loop reads; 0: none. Set by the thread itself, read by wakers after their commit.
   */
  bell: 13,
  /**
   * 1: the result of this thread's registered wait rings the bell of the thread it
   * acquires for (T.acquireFor), which registered it and takes the result, instead of
   * waking this thread (the async runtime's wait threads: pool-waits.ts).
   */
  ringsBell: 14,
  /** The low 32 bits of its bell's inode: a waker checks that what it opens is that FIFO. */
  bellInode: 15,
  /**
   * Its life word: its tid once the word is on the thread's robust futex list, which the
   * kernel walks when the thread ends, setting LIFE_OWNER_DIED here and waking one sleeper
   * if LIFE_WAITERS is set. Waiters for a mutex it owns sleep on it too (futex_waitv).
   * 0: not on the list (death is then found by polling).
   */
  life: 16,
  /**
   * Words 17-31 hold the robust list node that points at the life word: its `next` at
   * the life word's address minus the list's futex offset (glibc: -32, so words 24-25),
   * and the word pair before it, which glibc may write as its `prev`.
   */
  robustNode: 17,
} as const;
export const THREAD_WORDS = 32;
/** Life word bits, as the kernel's robust futexes define them (FUTEX_OWNER_DIED, FUTEX_WAITERS, FUTEX_TID_MASK). */
export const LIFE_OWNER_DIED = 0x4000_0000;
export const LIFE_WAITERS = 1 << 31;
export const LIFE_TID_MASK = 0x3fff_ffff;
export const WAITING = -1;
export const IDLE = -2;
/** Thread slot states: free, registered, and claimed by the thread whose tid is in the low bits (registering). */
export const THREAD_FREE = 0;
export const THREAD_LIVE = 1;
export const THREAD_CLAIMED = 0x4000_0000;
/** Linux thread ids are below 2^22 (PID_MAX_LIMIT). */
export const TID_MASK = 0x3f_ffff;
/** The last thread slot is kept for a thread that must reclaim the dead before it can register. */
export const JANITOR_SLOT = LIMITS.threads - 1;

/** Bits of the lock word that hold the holder's thread slot + 1. */
export const LOCK_SLOT_BITS = 11;
export const LOCK_SLOT_MASK = (1 << LOCK_SLOT_BITS) - 1;
/** Words a transaction that reclaims the dead may write before it commits and lets the next one go on. */
export const RECLAIM_BUDGET = 32_768;

/** A thread's wait list: `waitList` pairs of (object slot, object generation). */
export const WAIT_ENTRY_WORDS = 2;

/** Object slot. */
export const O = {
  kind: 0,
  /** Handles plus registered waits that refer to it. The slot is freed at 0. */
  refs: 1,
  generation: 2,
  manualReset: 3,
  /**
   * Event/timer: 0 or 1. Semaphore: the count. Process: 1 once it has exited. The state
   * word of every kind but the mutex (see GATED).
   */
  signal: 4,
  maximum: 5,
  /** Mutex: owning thread slot + 1, 0 when free. A mutex's state word (see GATED). */
  owner: 6,
  recursion: 7,
  abandoned: 8,
  /** Timer: due time in microseconds on its clock (two words), clock (TIMER_*), period in ms. */
  dueHi: 9,
  dueLo: 10,
  clock: 11,
  period: 12,
  /** Name: length in UTF-16 units (0: anonymous), hash, namespace (NS_*). */
  nameLength: 13,
  nameHash: 14,
  namespace: 15,
  /** Process object: pid, pidfd (valid in the owner process), owner process slot. */
  pid: 16,
  pidfd: 17,
  ownerProcess: 18,
  /** Named object: the next object of its name-index bucket, slot + 1 (0: the last). */
  nameNext: 19,
  /** Registered waits that name it (a wait naming it twice counts twice): its gate stays closed while non-zero. */
  waiters: 20,
  /**
   * Semaphore: 1 if crash-safe. Every unit a process takes is then recorded in its holding
   * (HL below) in the same transaction, and a dead process's units go back. Its gate never
   * opens: the fast paths cannot record, so every change is a transaction.
   */
  crashSafe: 21,
  /** Crash-safe semaphore: its first holding, slot + 1 (0: none); the rest follow HL.next. */
  holdings: 22,
  /** Crash-safe semaphore: units given back from dead holders since it was created (statistics). */
  recovered: 23,
} as const;
export const OBJECT_WORDS = 32;

/**
 * The gate bit of an object's state word. Open (clear): nobody waits on the object, and a
 * thread may change the word by one compare-and-swap without the namespace lock (the fast
 * paths: a semaphore unit, a free mutex, an event's signal). Closed (set): every change
 * goes through a transaction. A transaction closes the gate of every object whose state
 * it reads or writes before it looks at it (a compare-and-swap, not logged), and opens it
 * again after it commits unless the object is waited on (`waiters` > 0) or is an abandoned
 * mutex. A gate left closed by a crash only sends the fast paths to the lock until the
 * next transaction that touches the object.
 */
export const GATED = 1 << 31;
/** The value of a state word without its gate bit. */
export const STATE_MASK = 0x7fff_ffff;

export const KIND = { free: 0, event: 1, mutex: 2, semaphore: 3, timer: 4, process: 5 } as const;
export type Kind = (typeof KIND)[keyof typeof KIND];
export const TIMER_INACTIVE = 0;
export const TIMER_MONOTONIC = 1;
export const TIMER_REALTIME = 2;
export const NS_LOCAL = 1;
export const NS_GLOBAL = 2;

/** Handle slot: the handle value is (slot + 1) * 4, as Windows' handles are multiples of 4. */
export const HD = { object: 0, process: 1, access: 2, generation: 3 } as const;
export const HANDLE_WORDS = 4;

/**
 * Holding slot: the units one process holds of one crash-safe semaphore, and its open
 * handles to it. Allocated when the process opens a handle to it (or first takes a unit),
 * freed when both counts are 0, when the process is reclaimed (its units go back to the
 * semaphore first), or when the semaphore is freed.
 */
export const HL = {
  /** The semaphore's slot + 1; 0: a free holding. */
  object: 0,
  generation: 1,
  process: 2,
  /**
   * The thread slot + 1 that took its last unit: its life word (T.life) tells a blocked
   * waiter at once that the holder died. 0: none to watch (the waiter's periodic look finds the death).
   */
  thread: 3,
  units: 4,
  handles: 5,
  /** The next holding of the same semaphore, slot + 1 (0: the last). */
  next: 6,
} as const;
export const HOLDING_WORDS = 8;

/** Word offsets of each table, and the region's size. */
export const OFFSET = (() => {
  let at = HEADER_WORDS;
  const take = (words: number) => {
    const start = at;
    at += words;
    return start;
  };
  const log = take(LIMITS.log * 2);
  const processes = take(LIMITS.processes * PROCESS_WORDS);
  const threads = take(LIMITS.threads * THREAD_WORDS);
  const waitLists = take(LIMITS.threads * LIMITS.waitList * WAIT_ENTRY_WORDS);
  const objects = take(LIMITS.objects * OBJECT_WORDS);
  const handles = take(LIMITS.handles * HANDLE_WORDS);
  const nameBuckets = take(LIMITS.nameBuckets);
  const holdings = take(LIMITS.holdings * HOLDING_WORDS);
  const words = at;
  const namesByte = words * 4;
  const sizeBytes = namesByte + LIMITS.objects * LIMITS.nameUnits * 2;
  return { log, processes, threads, waitLists, objects, handles, nameBuckets, holdings, words, namesByte, sizeBytes };
})();

export const processWord = (slot: number, field: number) => OFFSET.processes + slot * PROCESS_WORDS + field;
export const threadWord = (slot: number, field: number) => OFFSET.threads + slot * THREAD_WORDS + field;
export const waitEntryWord = (thread: number, i: number) => OFFSET.waitLists + (thread * LIMITS.waitList + i) * WAIT_ENTRY_WORDS;
export const objectWord = (slot: number, field: number) => OFFSET.objects + slot * OBJECT_WORDS + field;
export const handleWord = (slot: number, field: number) => OFFSET.handles + slot * HANDLE_WORDS + field;
export const holdingWord = (slot: number, field: number) => OFFSET.holdings + slot * HOLDING_WORDS + field;
/** The name-index bucket of a name hash: the first object of its chain, slot + 1 (0: empty). */
export const nameBucketWord = (hash: number) => OFFSET.nameBuckets + ((hash >>> 0) & (LIMITS.nameBuckets - 1));

/** Microseconds as two words (high, low): exact up to 2^53. */
export function splitMicros(us: number): [number, number] {
  return [Math.floor(us / 0x1_0000_0000), (us % 0x1_0000_0000) | 0];
}
export function joinMicros(hi: number, lo: number): number {
  return hi * 0x1_0000_0000 + (lo >>> 0);
}
