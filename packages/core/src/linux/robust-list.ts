/**
 * Death seen by the kernel. A registered thread puts its life word (layout.ts, T.life)
 * on its own robust futex list: when the thread ends, however it ends (kill -9
 * included), the kernel walks that list, sets LIFE_OWNER_DIED in every word that holds
 * the thread's tid and wakes a sleeper on it. Waiters for a mutex sleep on the owner's
 * life word besides their own status word (death-watch.ts), so an owner's death wakes
 * them at once instead of at their next look.
 *
 * The list is glibc's (one per thread, registered with set_robust_list at thread start,
 * shared with glibc's robust mutexes): our node goes first, linked as glibc links its
 * own (`next` at the word's address minus the list's futex offset, `prev` before it), so
 * that glibc can still add and remove its own entries in front of it. A thread whose list
 * is not empty (it holds glibc robust mutexes) or has an unexpected shape is left alone:
 * its death is then found by polling, as before.
 */
import { LIFE_TID_MASK, T, THREAD_WORDS, threadWord } from './layout.js';
import type { Namespace } from './namespace.js';

/** struct robust_list_head: list.next, futex_offset, list_op_pending (64-bit). */
const HEAD_BYTES = 24;

/** Links this thread's life word into its robust list; false if it could not (death is then polled). */
export function linkLifeWord(ns: Namespace): boolean {
  const libc = ns.libc;
  const life = threadWord(ns.thread, T.life);
  Atomics.store(ns.i32, life, 0);
  const found = libc.robustListHead();
  if (found === null || found.length !== HEAD_BYTES) return false;
  const head = new BigInt64Array(libc.view(found.head, HEAD_BYTES));
  const headAddress = BigInt(libc.address(found.head));
  const offset = head[1]!;
  // The node's `next` lies `-offset` bytes past the life word, 8-byte aligned, after the
  // 8 bytes of glibc's `prev`, and within the thread slot.
  const room = BigInt((THREAD_WORDS - T.life - 2) * 4);
  if (offset % 8n !== 0n || offset > -8n || -offset > room) return false;
  const nextWord = life - Number(offset) / 4;
  if (nextWord % 2 !== 0 || head[0] !== headAddress) return false;
  const node = new BigInt64Array(ns.i32.buffer, (nextWord - 2) * 4, 2);
  node[0] = headAddress; // prev, as glibc keeps it: the list head
  node[1] = headAddress; // next: the list was empty
  head[0] = ns.address(nextWord);
  Atomics.store(ns.i32, life, ns.tid & LIFE_TID_MASK);
  // Sleepers on this slot's previous thread look again.
  libc.futexWake(ns.address(life), 0x7fff_ffff);
  return true;
}
