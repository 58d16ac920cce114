/**
 * Which threads and processes are alive. A thread is named by (pid, tid, start time):
 * the start time, in clock ticks since boot from /proc, tells a reused pid or tid from
 * the one we recorded, so a new process that happens to get a dead owner's pid is never
 * taken for it.
 */
import { readFileSync } from 'node:fs';

/** Fields 3 onwards of /proc/<pid>/task/<tid>/stat, or null if there is no such thread. */
function statFields(pid: number, tid: number): string[] | null {
  if (!(Number.isInteger(pid) && pid > 0 && Number.isInteger(tid) && tid > 0)) return null;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and parentheses: fields after it start after the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The state letter of a thread (R, S, D, T for stopped, t for traced, Z...), or null if it is gone. */
export function threadState(pid: number, tid: number): string | null {
  return statFields(pid, tid)?.[0] ?? null;
}

/** Start time (field 22 of /proc/.../stat) of a thread, or null if it is gone or a zombie. */
export function threadStartTime(pid: number, tid: number): number | null {
  const fields = statFields(pid, tid);
  if (fields === null) return null;
  const state = fields[0];
  if (state === 'Z' || state === 'X' || state === 'x') return null;
  const start = Number(fields[19]); // field 22 overall; fields[0] is field 3
  return Number.isFinite(start) ? start : null;
}

export function isThreadAlive(pid: number, tid: number, startTime: number): boolean {
  return threadStartTime(pid, tid) === startTime;
}

/** A process is alive while its main thread (tid = pid) is. */
export function isProcessAlive(pid: number, startTime: number): boolean {
  return threadStartTime(pid, pid) === startTime;
}
