/**
 * A blocked waiter's sleep: on its own status word, and on the life words (robust-list.ts)
 * of the threads of other processes... that own a mutex it waits for, with futex_waitv, so
 * that the owner's death wakes it at once. Owners whose thread has no life word on a
 * robust list are found dead by the waiter's periodic look instead.
 */
import { KIND, LIFE_OWNER_DIED, LIFE_TID_MASK, LIFE_WAITERS, O, STATE_MASK, T, objectWord, threadWord } from './layout.js';
import { FUTEX2_SIZE_U32 } from './libc.js';
import type { Namespace } from './namespace.js';

/** futex_waitv takes at most 128 words: the status word and 127 owners. */
const MAX_WORDS = 128;
const NO_DEADLINE_S = 1n << 40n;

export class DeathWatch {
  /** struct futex_waitv[]: value, address, flags (u32) and a reserved u32. */
  readonly #words = new BigInt64Array(MAX_WORDS * 3);
  readonly #lifeWords: number[] = [];
  readonly #deadline = new BigInt64Array(2);

  constructor(readonly ns: Namespace) {}

  /**
   * Sleeps until this thread's status word leaves `expected`, an owner of one of
   * `objects` (mutexes owned by other threads) dies, or `timeoutMs` passes. Returns at once
   * if an owner is already known dead (the caller's next look abandons its mutexes).
   */
  sleep(objects: readonly number[], expected: number, timeoutMs: number): void {
    const ns = this.ns;
    const h = ns.i32;
    const lifeWords = this.#lifeWords;
    lifeWords.length = 0;
    for (const obj of objects) {
      if (h[objectWord(obj, O.kind)] !== KIND.mutex) continue;
      const owner = (Atomics.load(h, objectWord(obj, O.owner)) & STATE_MASK) - 1;
      if (owner < 0 || owner === ns.thread) continue;
      const word = threadWord(owner, T.life);
      if (lifeWords.includes(word)) continue;
      const life = Atomics.load(h, word);
      if ((life & LIFE_OWNER_DIED) !== 0) return; // died: look now
      if ((life & LIFE_TID_MASK) === 0) continue; // not on a robust list: polled
      if ((life & LIFE_WAITERS) === 0 && Atomics.compareExchange(h, word, life, life | LIFE_WAITERS) !== life) return;
      lifeWords.push(word);
      if (lifeWords.length === MAX_WORDS - 1) break;
    }
    if (lifeWords.length === 0) {
      ns.sleepOnStatus(expected, timeoutMs);
      return;
    }
    const words = this.#words;
    this.#set(0, threadWord(ns.thread, T.status), expected);
    lifeWords.forEach((word, i) => this.#set(i + 1, word, Atomics.load(h, word)));
    const deadlineNs = process.hrtime.bigint() + BigInt(Math.max(0, Math.round(timeoutMs * 1e6)));
    this.#deadline[0] = Number.isFinite(timeoutMs) ? deadlineNs / 1_000_000_000n : NO_DEADLINE_S;
    this.#deadline[1] = Number.isFinite(timeoutMs) ? deadlineNs % 1_000_000_000n : 0n;
    const woken = ns.libc.futexWaitv(words, lifeWords.length + 1, this.#deadline);
    // The kernel wakes one sleeper on a dead thread's life word: wake the others too.
    if (woken >= 1) ns.libc.futexWake(ns.address(lifeWords[woken - 1]!), 0x7fff_ffff);
  }

  #set(i: number, word: number, value: number): void {
    this.#words[i * 3] = BigInt(value >>> 0);
    this.#words[i * 3 + 1] = this.ns.address(word);
    this.#words[i * 3 + 2] = BigInt(FUTEX2_SIZE_U32);
  }
}
