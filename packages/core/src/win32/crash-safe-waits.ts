/**
 * Waits that involve a crash-safe semaphore on Windows (the ledger: crash-safe-ledger.ts).
 *
 * A unit of a crash-safe semaphore is taken only together with its ledger mutex, in one
 * wait-all, so that no kill can separate the unit from its record. Windows cannot mix a
 * wait-all with a wait-any, which shapes the rest:
 * - a wait on the semaphore alone blocks in the wait-all (semaphore + ledger mutex), in
 *   slices of WAIT_SLICE_MS, between which it returns the units of holders that died;
 * - a wait-all adds each semaphore's ledger mutex to its objects;
 * - a wait-any over other objects too blocks on those in slices and tries the crash-safe
 *   semaphores between slices (so they are taken up to one slice late).
 *
 * The handles this thread knows to be crash-safe are kept here: those this thread made
 * or opened (the backend attaches their ledger), and those a wait thread was given with
 * their ledger's handles (adopt).
 */
import type { RawHandle } from '../backend.js';
import {
  INFINITE,
  MAXIMUM_WAIT_OBJECTS,
  WAIT_ABANDONED_0,
  WAIT_FAILED,
  WAIT_IO_COMPLETION,
  WAIT_OBJECT_0,
  WAIT_TIMEOUT,
} from '../constants.js';
import { ERROR_INVALID_PARAMETER } from '../error-codes.js';
import { Win32Error } from '../errors.js';
import { Ledger, type LedgerHandles, type ProcessIdentity } from './crash-safe-ledger.js';
import type { Kernel32 } from './kernel32.js';
import type { ProcessKernel32 } from './process-kernel32.js';

/** How long a blocked wait goes without looking for dead holders (and, in a wait-any, trying its crash-safe semaphores). */
export const WAIT_SLICE_MS = 20;

export class CrashSafeWaits {
  readonly #ledgers = new Map<RawHandle, Ledger>();

  constructor(
    private readonly k32: Kernel32,
    private readonly p32: ProcessKernel32,
    readonly self: ProcessIdentity,
  ) {}

  ledgerOf(handle: RawHandle): Ledger | undefined {
    return this.#ledgers.get(handle);
  }

  /** `handle` is a crash-safe semaphore with this ledger (the registry takes over one reference). */
  attach(handle: RawHandle, ledger: Ledger): void {
    this.#ledgers.get(handle)?.unref();
    this.#ledgers.set(handle, ledger);
  }

  /** The handle is closed, or was reused for something else. */
  forget(handle: RawHandle): void {
    this.#ledgers.get(handle)?.unref();
    this.#ledgers.delete(handle);
  }

  /** A wait thread learns (again) what another thread knows of `handle`: its ledger's handles, or null if plain. */
  adopt(handle: RawHandle, source: LedgerHandles | null): void {
    const known = this.#ledgers.get(handle);
    if (source === null) {
      if (known) this.forget(handle);
      return;
    }
    if (known?.source?.mutex === source.mutex && known.source.section === source.section) return;
    this.attach(handle, Ledger.adopt(this.k32, this.p32, this.self, source));
  }

  /** Whether any of `handles` is crash-safe here. */
  involves(handles: readonly RawHandle[]): boolean {
    if (this.#ledgers.size === 0) return false;
    for (const handle of handles) if (this.#ledgers.has(handle)) return true;
    return false;
  }

  /** WaitForMultipleObjectsEx's contract, for handles among which some are crash-safe. */
  wait(handles: readonly RawHandle[], waitAll: boolean, timeoutMs: number, alertable: boolean, syscall: string): number {
    const deadline = timeoutMs === INFINITE ? Infinity : performance.now() + timeoutMs;
    return waitAll ? this.#waitAll(handles, deadline, alertable, syscall) : this.#waitAny(handles, deadline, alertable, syscall);
  }

  #waitAll(handles: readonly RawHandle[], deadline: number, alertable: boolean, syscall: string): number {
    const ledgers = [...new Set(handles.map((h) => this.#ledgers.get(h)).filter((l) => l !== undefined))];
    const all = [...handles, ...ledgers.map((l) => l.mutex)];
    if (all.length > MAXIMUM_WAIT_OBJECTS) {
      throw new Win32Error(
        ERROR_INVALID_PARAMETER,
        `${syscall} (a wait-all with crash-safe semaphores adds one object each: ${MAXIMUM_WAIT_OBJECTS} at most in all)`,
      );
    }
    for (;;) {
      const code = this.#native(all, true, sliceUntil(deadline), alertable, syscall);
      if (code === WAIT_IO_COMPLETION) return code;
      if (code === WAIT_TIMEOUT) {
        // Before giving up, as a Linux waiter looks at the holders: a dead one's units may be all it needs.
        if (this.#reclaimFor(handles)) continue;
        if (performance.now() >= deadline) return WAIT_TIMEOUT;
        continue;
      }
      const abandoned = code >= WAIT_ABANDONED_0 && code < WAIT_ABANDONED_0 + all.length;
      try {
        // Every ledger is repaired if anything was abandoned: a wait-all does not say which mutex was.
        for (const handle of handles) this.#ledgers.get(handle)?.recordTaken(handle, abandoned);
      } finally {
        for (const ledger of ledgers) this.k32.ReleaseMutex(ledger.mutex);
      }
      if (!abandoned) return WAIT_OBJECT_0;
      // Only the caller's own mutexes can make its wait-all abandoned.
      return handles.some((h) => !this.#ledgers.has(h) && this.p32.objectTypeName(h) === 'Mutant') ? WAIT_ABANDONED_0 : WAIT_OBJECT_0;
    }
  }

  #waitAny(handles: readonly RawHandle[], deadline: number, alertable: boolean, syscall: string): number {
    const plain = handles.map((_, i) => i).filter((i) => !this.#ledgers.has(handles[i]!));
    const safe = handles.map((_, i) => i).filter((i) => this.#ledgers.has(handles[i]!));
    for (;;) {
      const now = this.#tryInOrder(handles, syscall);
      if (now !== WAIT_TIMEOUT) return now;
      if (this.#reclaimFor(handles)) continue;
      if (performance.now() >= deadline) return WAIT_TIMEOUT;
      const slice = sliceUntil(deadline);
      if (plain.length === 0) {
        // Block on the first crash-safe semaphore itself (the others are tried between slices).
        const index = safe[0]!;
        const code = this.#take(handles[index]!, slice, alertable, syscall);
        if (code === WAIT_IO_COMPLETION) return code;
        if (code === WAIT_OBJECT_0) return WAIT_OBJECT_0 + index;
        continue;
      }
      const code = this.#native(
        plain.map((i) => handles[i]!),
        false,
        slice,
        alertable,
        syscall,
      );
      if (code === WAIT_IO_COMPLETION) return code;
      if (code === WAIT_TIMEOUT) continue;
      if (code >= WAIT_ABANDONED_0 && code < WAIT_ABANDONED_0 + plain.length) return WAIT_ABANDONED_0 + plain[code - WAIT_ABANDONED_0]!;
      return WAIT_OBJECT_0 + plain[code - WAIT_OBJECT_0]!;
    }
  }

  /** One wait-all on a crash-safe semaphore and its ledger mutex; records what it took (WAIT_OBJECT_0). */
  #take(handle: RawHandle, timeoutMs: number, alertable: boolean, syscall: string): number {
    const ledger = this.#ledgers.get(handle)!;
    const code = this.#native([handle, ledger.mutex], true, timeoutMs, alertable, syscall);
    if (code === WAIT_TIMEOUT || code === WAIT_IO_COMPLETION) return code;
    try {
      ledger.recordTaken(handle, code >= WAIT_ABANDONED_0);
    } finally {
      this.k32.ReleaseMutex(ledger.mutex);
    }
    return WAIT_OBJECT_0;
  }

  /** Takes the lowest-index object free now (a run of plain ones in one call); WAIT_TIMEOUT if none. */
  #tryInOrder(handles: readonly RawHandle[], syscall: string): number {
    let start = 0;
    while (start < handles.length) {
      if (this.#ledgers.has(handles[start]!)) {
        if (this.#take(handles[start]!, 0, false, syscall) === WAIT_OBJECT_0) return WAIT_OBJECT_0 + start;
        start++;
        continue;
      }
      let end = start;
      while (end < handles.length && !this.#ledgers.has(handles[end]!)) end++;
      const code = this.#native(handles.slice(start, end), false, 0, false, syscall);
      if (code !== WAIT_TIMEOUT) return code + start; // WAIT_OBJECT_0 + i or WAIT_ABANDONED_0 + i
      start = end;
    }
    return WAIT_TIMEOUT;
  }

  /** Returns the units of dead holders of the crash-safe semaphores among `handles`; whether any died. */
  #reclaimFor(handles: readonly RawHandle[]): boolean {
    let any = false;
    for (const handle of handles) {
      const ledger = this.#ledgers.get(handle);
      if (ledger?.holderDied()) {
        ledger.reclaim(handle);
        any = true;
      }
    }
    return any;
  }

  #native(handles: readonly RawHandle[], waitAll: boolean, timeoutMs: number, alertable: boolean, syscall: string): number {
    const code = this.k32.WaitForMultipleObjectsEx(handles.length, handles, waitAll ? 1 : 0, timeoutMs, alertable ? 1 : 0);
    if (code === WAIT_FAILED) throw new Win32Error(this.k32.GetLastError(), syscall);
    return code;
  }
}

/** The next slice of a wait that ends at `deadline` (performance.now() time; Infinity: never). */
function sliceUntil(deadline: number): number {
  if (deadline === Infinity) return WAIT_SLICE_MS;
  return Math.max(0, Math.min(WAIT_SLICE_MS, Math.ceil(deadline - performance.now())));
}
