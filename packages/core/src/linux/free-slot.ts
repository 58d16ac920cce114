/**
 * Next-fit allocation in the shared tables (objects, handles, holdings): a scan starts at
 * the table's hint word (the slot after the last one allocated), goes once round the
 * table and takes the first free slot. The hint moves past it, and the table's high mark
 * (how far scans of used slots need to look) grows to include it. Runs inside a
 * transaction: both words are journaled with the caller's writes to the slot.
 */
import type { Namespace } from './namespace.js';

/** The header words and size of one table (layout.ts: H.hint*, H.*High, LIMITS.*). */
export interface SlotTable {
  readonly hint: number;
  readonly high: number;
  readonly size: number;
}

/** The next free slot of `table` (its hint and high mark updated), or -1 if the table is full. */
export function nextFreeSlot(ns: Namespace, table: SlotTable, isFree: (slot: number) => boolean): number {
  const hint = (ns.r(table.hint) >>> 0) % table.size; // a damaged hint is only a bad hint
  for (let i = 0; i < table.size; i++) {
    const slot = (hint + i) % table.size;
    if (!isFree(slot)) continue;
    ns.w(table.hint, slot + 1);
    if (ns.r(table.high) <= slot) ns.w(table.high, slot + 1);
    return slot;
  }
  return -1;
}
