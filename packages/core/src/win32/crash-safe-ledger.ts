/**
 * The ledger of a crash-safe semaphore on Windows (packages/core/docs/crash-safe-semaphores.md).
 *
 * The kernel's semaphore stays the object every process waits on and releases. Beside it,
 * a section (`<name>` + LEDGER_SUFFIX) records how many units each process holds, and a
 * mutex (`<name>` + LOCK_SUFFIX) guards the section.
 *
 * The rule that makes it crash-safe: a unit moves only while its mover owns the ledger
 * mutex. A taker gets the unit and the mutex in one wait-all (crash-safe-waits.ts), then
 * adds 1 to its row. A releaser takes the mutex, takes its row down, then calls
 * ReleaseSemaphore. So `inPlay` (the count plus every row's units) is exact whenever
 * nobody owns the mutex. A process killed while it owns the mutex leaves it abandoned; the
 * next owner finds `inPlay` off by what the dead one moved but did not record, and puts it
 * right (repair). A process killed while it holds units, outside the mutex, leaves a row
 * whose process has ended: whoever looks next returns the row's units (reclaim).
 *
 * What no ledger can see: a process that takes units without it (a program that waits on
 * the semaphore through kernel32 directly). Its units count as missing if a crash inside
 * the ledger mutex is repaired meanwhile; crash-safe semaphores assume that every taker
 * uses this library. Releases from anyone are fine.
 */
import koffi from 'koffi';
import type { RawHandle } from '../backend.js';
import {
  INFINITE,
  MUTEX_ALL_ACCESS,
  PROCESS_QUERY_LIMITED_INFORMATION,
  SYNCHRONIZE,
  WAIT_ABANDONED_0,
  WAIT_FAILED,
  WAIT_OBJECT_0,
} from '../constants.js';
import { ERROR_ACCESS_DENIED, ERROR_INVALID_PARAMETER, ERROR_TOO_MANY_POSTS } from '../error-codes.js';
import { Win32Error } from '../errors.js';
import type { Kernel32 } from './kernel32.js';
import type { ProcessKernel32 } from './process-kernel32.js';

/** Appended to the semaphore's name: the ledger's section and its mutex. */
export const LEDGER_SUFFIX = '#waitables-ledger';
export const LOCK_SUFFIX = '#waitables-ledger-lock';

/** 'WLG1': a ledger of this layout has been set up. */
const MAGIC = 0x574c4731;
/** Header words. */
const W = { magic: 0, inPlay: 1, recovered: 2, rowsHigh: 3 } as const;
const ROWS_AT = 16;
/** A row: the holder's pid and creation time (against pid reuse), and its units. */
const R = { pid: 0, createdLow: 1, createdHigh: 2, units: 3 } as const;
const ROW_WORDS = 4;
/** Processes that can hold units of one semaphore at once. */
export const LEDGER_ROWS = 1024;
const LEDGER_BYTES = (ROWS_AT + LEDGER_ROWS * ROW_WORDS) * 4;

const PAGE_READWRITE = 0x04;
const FILE_MAP_ALL_ACCESS = 0x000f001f;
const INVALID_HANDLE_VALUE = -1;

/** The two handles a wait thread duplicates to use the same ledger. */
export interface LedgerHandles {
  readonly mutex: RawHandle;
  readonly section: RawHandle;
}

/** A process as the ledger names it. */
export interface ProcessIdentity {
  readonly pid: number;
  readonly createdLow: number;
  readonly createdHigh: number;
}

/** What a ledger adds to NtQuerySemaphore's answer. */
export interface LedgerState {
  readonly count: number;
  readonly maximum: number;
  readonly recovered: number;
  readonly held: number;
  readonly holders: { readonly pid: number; readonly units: number }[];
}

export class Ledger {
  #refs = 1;
  readonly #view: unknown;
  readonly #words: Int32Array;
  /** Holder processes seen: row key -> a handle to wait on, 0 (cannot be opened: taken as alive), -1 (ended). */
  readonly #processes = new Map<string, number>();

  private constructor(
    private readonly k32: Kernel32,
    private readonly p32: ProcessKernel32,
    private readonly self: ProcessIdentity,
    /** The ledger mutex: owned by whoever moves a unit. */
    readonly mutex: RawHandle,
    readonly section: RawHandle,
    /** For a wait thread's copy: the handles it was made from. */
    readonly source: LedgerHandles | null,
  ) {
    this.#view = k32.MapViewOfFile(section, FILE_MAP_ALL_ACCESS, 0, 0, LEDGER_BYTES);
    if (!this.#view) {
      const error = k32.GetLastError();
      k32.CloseHandle(mutex);
      k32.CloseHandle(section);
      throw new Win32Error(error, 'MapViewOfFile');
    }
    this.#words = new Int32Array(koffi.view(this.#view, LEDGER_BYTES));
  }

  /**
   * The ledger of semaphore `semaphore` (named `name`; null: anonymous): made if `create`,
   * else opened if it exists (null if it does not: a plain semaphore). Set up, repaired and
   * cleared of dead holders before it is returned.
   */
  static attach(
    k32: Kernel32,
    p32: ProcessKernel32,
    self: ProcessIdentity,
    name: string | null,
    semaphore: RawHandle,
    create: boolean,
  ): Ledger | null {
    if (name === null && !create) return null;
    let mutex: number;
    if (create) mutex = k32.CreateMutexExW(null, name === null ? null : name + LOCK_SUFFIX, 0, MUTEX_ALL_ACCESS);
    else {
      // No ledger (ERROR_FILE_NOT_FOUND), or none this name can have: a plain semaphore.
      mutex = k32.OpenMutexW(SYNCHRONIZE | MUTEX_ALL_ACCESS, 0, name + LOCK_SUFFIX);
      if (!mutex) return null;
    }
    if (!mutex) throw new Win32Error(k32.GetLastError(), 'CreateMutexEx');
    // Created or opened alike: its creator may not have made it yet.
    const section = k32.CreateFileMappingW(
      INVALID_HANDLE_VALUE,
      null,
      PAGE_READWRITE,
      0,
      LEDGER_BYTES,
      name === null ? null : name + LEDGER_SUFFIX,
    );
    if (!section) {
      const error = k32.GetLastError();
      k32.CloseHandle(mutex);
      throw new Win32Error(error, 'CreateFileMapping');
    }
    const ledger = new Ledger(k32, p32, self, mutex, section, null);
    try {
      ledger.#locked(semaphore, () => {
        if (ledger.#words[W.magic] !== MAGIC) {
          // Units held before the semaphore became crash-safe are nobody's: they are not in play.
          ledger.#words[W.inPlay] = ledger.#count(semaphore)?.count ?? 0;
          ledger.#words[W.magic] = MAGIC;
        }
        ledger.#reclaimDead(semaphore);
      });
    } catch (error) {
      ledger.unref();
      throw error;
    }
    return ledger;
  }

  /** A wait thread's own copy of another thread's ledger (its handles duplicated). */
  static adopt(k32: Kernel32, p32: ProcessKernel32, self: ProcessIdentity, source: LedgerHandles): Ledger {
    const me = k32.GetCurrentProcess();
    const copy = (handle: RawHandle) => {
      const target: [number] = [0];
      if (!k32.DuplicateHandle(me, handle, me, target, 0, 0, 2 /* DUPLICATE_SAME_ACCESS */))
        throw new Win32Error(k32.GetLastError(), 'DuplicateHandle');
      return target[0];
    };
    const mutex = copy(source.mutex);
    let section: number;
    try {
      section = copy(source.section);
    } catch (error) {
      k32.CloseHandle(mutex);
      throw error;
    }
    return new Ledger(k32, p32, self, mutex, section, source);
  }

  handles(): LedgerHandles {
    return { mutex: this.mutex, section: this.section };
  }

  ref(): this {
    this.#refs++;
    return this;
  }

  /** Drops a reference; the last one unmaps the view and closes the handles. */
  unref(): void {
    if (--this.#refs > 0) return;
    this.k32.UnmapViewOfFile(this.#view);
    this.k32.CloseHandle(this.mutex);
    this.k32.CloseHandle(this.section);
    for (const handle of this.#processes.values()) if (handle > 0) this.k32.CloseHandle(handle);
    this.#processes.clear();
  }

  /**
   * The caller's wait-all gave it a unit of `semaphore` and this ledger's mutex (which it
   * releases after this call): records the unit. `abandoned`: the mutex was abandoned, or
   * may have been (a wait-all does not say which of its mutexes was). Throws, having given
   * the unit back, if the ledger has no row left for this process.
   */
  recordTaken(semaphore: RawHandle, abandoned: boolean): void {
    if (abandoned) this.#repair(semaphore);
    const row = this.#ownRow(true);
    if (row < 0) {
      this.k32.ReleaseSemaphore(semaphore, 1, [0]);
      throw new Win32Error(ERROR_INVALID_PARAMETER, `ReleaseSemaphore (the crash-safe ledger holds ${LEDGER_ROWS} processes at most)`);
    }
    this.#words[row + R.units]!++;
  }

  /** Releases `count` units: this process's record first, the rest as a plain ReleaseSemaphore. Returns the count before. */
  release(semaphore: RawHandle, count: number): number {
    return this.#locked(semaphore, () => {
      const row = this.#ownRow(false);
      const recorded = row < 0 ? 0 : Math.min(this.#words[row + R.units]!, count);
      if (recorded > 0) this.#words[row + R.units]! -= recorded;
      const previous: [number] = [0];
      if (!this.k32.ReleaseSemaphore(semaphore, count, previous)) {
        const error = this.k32.GetLastError();
        if (recorded > 0) this.#words[row + R.units]! += recorded;
        throw new Win32Error(error, 'ReleaseSemaphore');
      }
      this.#words[W.inPlay]! += count - recorded;
      return previous[0];
    });
  }

  /** The count and maximum, recovered units, this process's units, and every holder (after returning the dead's). */
  state(semaphore: RawHandle): LedgerState {
    return this.#locked(semaphore, () => {
      this.#reclaimDead(semaphore);
      const own = this.#ownRow(false);
      const holders: { pid: number; units: number }[] = [];
      for (let row = ROWS_AT; row < this.#rowsEnd(); row += ROW_WORDS) {
        const units = this.#words[row + R.units]!;
        if (units > 0) holders.push({ pid: this.#words[row + R.pid]! >>> 0, units });
      }
      // The count read while no unit can move: with the holders' units, it makes the units in play.
      const now = this.#count(semaphore);
      if (now === null) throw new Win32Error(ERROR_ACCESS_DENIED, 'NtQuerySemaphore');
      return { ...now, recovered: this.#words[W.recovered]! >>> 0, held: own < 0 ? 0 : this.#words[own + R.units]!, holders };
    });
  }

  /**
   * Whether a process recorded as holding units has ended. Reads the rows without the
   * mutex (a torn read only costs a needless {@link reclaim}); called between the slices
   * of a blocked wait.
   */
  holderDied(): boolean {
    const seen = new Set<string>();
    let died = false;
    for (let row = ROWS_AT; row < this.#rowsEnd(); row += ROW_WORDS) {
      if (this.#words[row + R.units]! <= 0 || this.#isSelf(row)) continue;
      const key = this.#key(row);
      seen.add(key);
      if (this.#ended(row, key)) died = true;
    }
    // Forget the handles of processes that hold nothing any more.
    for (const [key, handle] of this.#processes) {
      if (seen.has(key)) continue;
      if (handle > 0) this.k32.CloseHandle(handle);
      this.#processes.delete(key);
    }
    return died;
  }

  /** Returns the units of holders that have ended to the semaphore. */
  reclaim(semaphore: RawHandle): void {
    this.#locked(semaphore, () => this.#reclaimDead(semaphore));
  }

  // --- Under the mutex ---------------------------------------------------------------

  #locked<T>(semaphore: RawHandle, body: () => T): T {
    const code = this.p32.WaitForSingleObjectEx(this.mutex, INFINITE, 0);
    if (code === WAIT_FAILED) throw new Win32Error(this.k32.GetLastError(), 'WaitForSingleObjectEx');
    try {
      if (code === WAIT_ABANDONED_0) this.#repair(semaphore);
      return body();
    } finally {
      this.k32.ReleaseMutex(this.mutex);
    }
  }

  /** After an abandoned mutex: whatever its owner moved and did not record goes back into place. */
  #repair(semaphore: RawHandle): void {
    const now = this.#count(semaphore);
    if (now === null) return; // no SEMAPHORE_QUERY_STATE on this handle: a later owner repairs
    let recorded = 0;
    for (let row = ROWS_AT; row < this.#rowsEnd(); row += ROW_WORDS) recorded += Math.max(0, this.#words[row + R.units]!);
    const missing = this.#words[W.inPlay]! - now.count - recorded;
    let count = now.count;
    if (missing > 0) {
      // A taker died between its wait and its record, or a releaser between its record and its release.
      const back = Math.min(missing, now.maximum - now.count);
      if (back > 0 && this.k32.ReleaseSemaphore(semaphore, back, [0])) {
        count += back;
        this.#words[W.recovered]! += back;
      }
    }
    this.#words[W.inPlay] = count + recorded;
  }

  #reclaimDead(semaphore: RawHandle): void {
    for (let row = ROWS_AT; row < this.#rowsEnd(); row += ROW_WORDS) {
      const units = this.#words[row + R.units]!;
      if (units <= 0 || this.#isSelf(row) || !this.#ended(row, this.#key(row))) continue;
      let back = units;
      if (!this.k32.ReleaseSemaphore(semaphore, back, [0])) {
        // Others released beyond the maximum meanwhile (plain releases): return what fits.
        if (this.k32.GetLastError() !== ERROR_TOO_MANY_POSTS) continue; // e.g. no SEMAPHORE_MODIFY_STATE: a later owner does it
        const now = this.#count(semaphore);
        back = now === null ? 0 : Math.min(units, now.maximum - now.count);
        if (back > 0 && !this.k32.ReleaseSemaphore(semaphore, back, [0])) back = 0;
        this.#words[W.inPlay]! -= units - back;
      }
      this.#words[W.recovered]! += back;
      this.#words[row + R.units] = 0;
      this.#words[row + R.pid] = 0;
      const handle = this.#processes.get(this.#key(row));
      if (handle !== undefined && handle > 0) this.k32.CloseHandle(handle);
      this.#processes.delete(this.#key(row));
    }
  }

  /** This process's row (a word index), made if `make` and there is room; -1 if none. */
  #ownRow(make: boolean): number {
    let free = -1;
    const end = this.#rowsEnd();
    for (let row = ROWS_AT; row < end; row += ROW_WORDS) {
      if (this.#isSelf(row)) return row;
      if (free < 0 && this.#words[row + R.units]! <= 0) free = row;
    }
    if (!make) return -1;
    if (free < 0) {
      if (this.#words[W.rowsHigh]! >= LEDGER_ROWS) return -1;
      free = end;
      this.#words[W.rowsHigh]!++;
    }
    // Units stay 0 until the identity is written: a death in between leaves a free row.
    this.#words[free + R.units] = 0;
    this.#words[free + R.pid] = this.self.pid;
    this.#words[free + R.createdLow] = this.self.createdLow;
    this.#words[free + R.createdHigh] = this.self.createdHigh;
    return free;
  }

  // --- Helpers -----------------------------------------------------------------------

  #rowsEnd(): number {
    return ROWS_AT + Math.min(Math.max(this.#words[W.rowsHigh]!, 0), LEDGER_ROWS) * ROW_WORDS;
  }

  #isSelf(row: number): boolean {
    const w = this.#words;
    return (
      w[row + R.pid] === this.self.pid && w[row + R.createdLow] === this.self.createdLow && w[row + R.createdHigh] === this.self.createdHigh
    );
  }

  #key(row: number): string {
    const w = this.#words;
    return `${w[row + R.pid]}:${w[row + R.createdLow]}:${w[row + R.createdHigh]}`;
  }

  /** Whether the process of a row has ended (a pid now used by a later process counts as ended). */
  #ended(row: number, key: string): boolean {
    let handle = this.#processes.get(key);
    if (handle === undefined) {
      handle = this.#open(row);
      this.#processes.set(key, handle);
    }
    if (handle < 0) return true;
    if (handle === 0) return false;
    return this.p32.WaitForSingleObjectEx(handle, 0, 0) === WAIT_OBJECT_0;
  }

  #open(row: number): number {
    const pid = this.#words[row + R.pid]! >>> 0;
    const handle = this.k32.OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
    if (!handle) return this.k32.GetLastError() === ERROR_INVALID_PARAMETER ? -1 : 0; // no such process; or not ours to see
    const identity = processIdentity(this.k32, this.p32, handle, pid);
    if (
      identity !== null &&
      (identity.createdLow !== this.#words[row + R.createdLow] || identity.createdHigh !== this.#words[row + R.createdHigh])
    ) {
      this.k32.CloseHandle(handle);
      return -1;
    }
    return handle;
  }

  #count(semaphore: RawHandle): { count: number; maximum: number } | null {
    const info = new Int32Array(2);
    if (this.k32.NtQuerySemaphore(semaphore, 0, info, info.byteLength, null) !== 0) return null;
    return { count: info[0]!, maximum: info[1]! };
  }
}

/** A process's pid and creation time; null if its times cannot be read. */
export function processIdentity(k32: Kernel32, p32: ProcessKernel32, handle: RawHandle, pid: number): ProcessIdentity | null {
  const created: [number | bigint] = [0n];
  const ignored: [number | bigint] = [0n];
  if (!p32.GetProcessTimes(handle, created, ignored, [0n], [0n])) return null;
  const time = BigInt(created[0]);
  return { pid: pid | 0, createdLow: Number(BigInt.asIntN(32, time)), createdHigh: Number(BigInt.asIntN(32, time >> 32n)) };
}
