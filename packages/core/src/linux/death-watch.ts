/**
 * A blocked waiter's sleep: on its own status word, and on the life words (robust-list.ts)
 * of the threads of other processes that own a mutex it waits for, or that hold units of
 * a crash-safe semaphore it waits for while none is left (holdings.ts), with futex_waitv,
 * so that the owner's or holder's death wakes it at once. Those whose thread has no life
 * word on a robust list are found dead by the waiter's periodic look instead.
 */
import {
  HL,
  KIND,
  LIFE_OWNER_DIED,
  LIFE_TID_MASK,
  LIFE_WAITERS,
  LIMITS,
  O,
  STATE_MASK,
  T,
  holdingWord,
  objectWord,
  threadWord,
} from './layout.js';
import { futexWaiters, monotonicDeadline, setFutexWaiter } from './futex-args.js';
import { EAGAIN } from './libc.js';
import type { Namespace } from './namespace.js';

/**
 * How long a waiter waits for the process of a holder whose thread's life word says it
 * died: the kernel marks the word as the thread exits, and the units go back once the
 * process is known to be ending: its main thread's life word marked too (a Node process's
 * main thread ends only with it), or, without a registered main thread, its pidfd readable
 * (after the process's memory is torn down: several milliseconds later). A thread that
 * died alone in a living process costs its watchers this once: their next look stops
 * watching it.
 */
const HOLDER_EXIT_WAIT_MS = 50;

/** futex_waitv takes at most 128 words: the status word and 127 owners. */
const MAX_WORDS = 128;

export class DeathWatch {
  readonly #words = futexWaiters(MAX_WORDS);
  readonly #lifeWords: number[] = [];
  /** For each life word watched, the process slot of the holder it stands for (crash-safe semaphores), or -1 (a mutex owner). */
  readonly #holderProcesses: number[] = [];
  readonly #deadline = new BigInt64Array(2);

  constructor(
    readonly ns: Namespace,
    /** Waits up to `timeoutMs` for the process in a process slot to exit. */
    readonly awaitExit: (processSlot: number, timeoutMs: number) => void,
  ) {}

  /**
   * Sleeps until this thread's status word leaves `expected`, an owner of one of
   * `objects` (mutexes owned by other threads) or a holder of units of one (crash-safe
   * semaphores with none left) dies, or `timeoutMs` passes. Returns at once if an owner
   * is already known dead (the caller's next look abandons its mutexes), and after a
   * holder's process is gone (the next look gives its units back). True if it returned
   * for a death (or a watched word that changed under it): a look is due.
   */
  sleep(objects: readonly number[], expected: number, timeoutMs: number): boolean {
    const ns = this.ns;
    const h = ns.i32;
    const lifeWords = this.#lifeWords;
    const holderProcesses = this.#holderProcesses;
    lifeWords.length = 0;
    holderProcesses.length = 0;
    // Read without the lock: a word read mid-change only picks what to watch (bounded, checked).
    // False: look now (it died, or its word changed under us).
    const watch = (thread: number, holderProcess = -1): boolean => {
      if (!(thread >= 0 && thread < LIMITS.threads) || thread === ns.thread) return true;
      const word = threadWord(thread, T.life);
      if (lifeWords.includes(word)) return true;
      const life = Atomics.load(h, word);
      if ((life & LIFE_OWNER_DIED) !== 0) return false; // died: look now
      if ((life & LIFE_TID_MASK) === 0 || lifeWords.length === MAX_WORDS - 1) return true; // not on a robust list, or no room: polled
      if ((life & LIFE_WAITERS) === 0 && Atomics.compareExchange(h, word, life, life | LIFE_WAITERS) !== life) return false;
      lifeWords.push(word);
      holderProcesses.push(holderProcess);
      return true;
    };
    for (const obj of objects) {
      const kind = h[objectWord(obj, O.kind)];
      if (kind === KIND.mutex) {
        if (!watch((Atomics.load(h, objectWord(obj, O.owner)) & STATE_MASK) - 1)) return true;
      } else if (kind === KIND.semaphore && h[objectWord(obj, O.crashSafe)] === 1) {
        if ((Atomics.load(h, objectWord(obj, O.signal)) & STATE_MASK) !== 0) continue;
        let next = h[objectWord(obj, O.holdings)]!;
        for (let steps = 0; next > 0 && next <= LIMITS.holdings && steps < LIMITS.processes; steps++) {
          const slot = next - 1;
          next = h[holdingWord(slot, HL.next)]!;
          if (h[holdingWord(slot, HL.units)] === 0 || h[holdingWord(slot, HL.process)] === ns.process) continue;
          const thread = h[holdingWord(slot, HL.thread)]! - 1;
          if (thread < 0) continue;
          const holderProcess = h[holdingWord(slot, HL.process)]!;
          if (!watch(thread, holderProcess)) {
            if ((Atomics.load(h, threadWord(thread, T.life)) & LIFE_OWNER_DIED) !== 0) this.awaitExit(holderProcess, HOLDER_EXIT_WAIT_MS);
            return true;
          }
        }
      }
    }
    if (lifeWords.length === 0) {
      ns.sleepOnStatus(expected, timeoutMs);
      return false;
    }
    const words = this.#words;
    setFutexWaiter(words, 0, ns.address(threadWord(ns.thread, T.status)), expected);
    lifeWords.forEach((word, i) => setFutexWaiter(words, i + 1, ns.address(word), Atomics.load(h, word)));
    const woken = ns.libc.futexWaitv(words, lifeWords.length + 1, monotonicDeadline(this.#deadline, timeoutMs));
    if (woken === -EAGAIN) return true;
    if (woken < 1) return false;
    // The kernel wakes one sleeper on a dead thread's life word: wake the others too.
    ns.libc.futexWake(ns.address(lifeWords[woken - 1]!), 0x7fff_ffff);
    const holderProcess = holderProcesses[woken - 1]!;
    if (holderProcess >= 0 && (Atomics.load(h, lifeWords[woken - 1]!) & LIFE_OWNER_DIED) !== 0)
      this.awaitExit(holderProcess, HOLDER_EXIT_WAIT_MS);
    return true;
  }
}
