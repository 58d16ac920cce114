// A scenario that runs past its budget is a broken scenario, not a hung run: the bench is
// part of CI, and one client stuck in a call that never returns (seen: a raw etcd client
// after its leader was killed) must fail the run loudly instead of holding it until CI's
// own limit kills everything without a report.
import { readdirSync, readFileSync } from 'node:fs';

/** Resolves like `promise`, or rejects once `ms` have passed without it settling. */
export function withBudget(promise, ms, what) {
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} ran past its budget of ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** Kills (SIGKILL) every process descended from this one (Linux: read from /proc). */
export function killDescendants() {
  if (process.platform !== 'linux') return 0;
  const parentOf = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name (field 2) is in parentheses and may hold spaces: read after it.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const mine = new Set([process.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parentOf)
      if (!mine.has(pid) && mine.has(ppid)) {
        mine.add(pid);
        grew = true;
      }
  }
  mine.delete(process.pid);
  for (const pid of mine) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  return mine.size;
}
