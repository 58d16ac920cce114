/**
 * The body of a wait thread (the worker's entry; wait-thread.ts is its handle on the pool's side).
 *
 * A wait thread: blocks in the OS's wait-any on a batch of armed handles plus its
 * control event, and reports each handle that fires (having acquired it: a unit, a
 * signal, or ownership of a mutex, which it keeps until told to release it). A compound
 * thread runs one wait-any or wait-all at a time instead.
 *
 * When it has nothing armed it sleeps in Atomics.wait, never in a native call: an idle
 * pool holds no thread in the OS, so the process can exit and terminate() works.
 *
 * A `direct` batch thread (Linux) waits on nothing itself: the pool registers the wait
 * in this thread's slot and takes its results (direct-waits.ts); the thread sleeps while
 * that wait is registered and makes its periodic looks (Backend.poolWaits.watch), and
 * reports `look` if a result stays untaken (no bell rang).
 *
 * It counts the mutexes it owns, so that a shutdown releases those nobody holds a lock
 * on (a thread that ends owning a mutex leaves it abandoned). Where the backend lets it
 * acquire for the pool's own thread (Linux), a batch thread owns none: the pool's thread
 * does, and releases them itself.
 */
import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { INFINITE, WAIT_ABANDONED_0, WAIT_OBJECT_0, WAIT_TIMEOUT, Win32Error, getBackend } from '@waitables/core';
import { type Command, type Report, THREAD_ENTERED, type WaitThreadData } from './protocol.js';
import { ReportWriter } from './report-ring.js';

/** A wait-all cannot include the control event: it waits in slices this long, checking for commands between. */
const WAIT_ALL_SLICE_MS = 20;

// The first statement: this thread's modules are loaded (cold-start figures, in the 'ready' report).
const loadedAt = performance.timeOrigin + performance.now();
const enteredAt = (globalThis as { [THREAD_ENTERED]?: number })[THREAD_ENTERED] ?? loadedAt;
const data = workerData as WaitThreadData;
const backend = getBackend();
const attachedMs = performance.timeOrigin + performance.now() - loadedAt;
const port: MessagePort = data.port;
const wake = new Int32Array(data.wake);
const reports = new ReportWriter(data.reports);
const report = (r: Report) => reports.write(r);

interface Armed {
  raw: number;
  want: number;
  mutex: boolean;
}
const armed = new Map<number, Armed>();
let compound: { id: number; handles: number[]; mutexes: boolean[]; waitAll: boolean; deadline: number } | null = null;
let running = true;
/** Mutexes this thread owns: handle -> ownerships (acquisitions not yet released). */
const owned = new Map<number, number>();

function own(raw: number, delta: number): void {
  const n = (owned.get(raw) ?? 0) + delta;
  if (n > 0) owned.set(raw, n);
  else owned.delete(raw);
}

/** Releases every ownership but one per handle in `keep`. */
function releaseOwned(keep: readonly number[]): void {
  const kept = new Map<number, number>();
  for (const raw of keep) kept.set(raw, (kept.get(raw) ?? 0) + 1);
  for (const [raw, n] of owned) {
    for (let i = kept.get(raw) ?? 0; i < n; i++) {
      try {
        backend.releaseMutex(raw);
      } catch {
        break; // the handle was closed: nothing more can be done through it
      }
    }
  }
  owned.clear();
}

function errorFields(error: unknown) {
  if (error instanceof Win32Error) return { errno: error.errno, syscall: error.syscall, message: error.message };
  // The report ring carries numbers only: the pool says "not a Win32 error"; the text goes to stderr on demand.
  if (process.env.WAITABLES_DEBUG) process.stderr.write(`waitables wait thread: ${(error as Error)?.stack ?? String(error)}\n`);
  return { errno: 0, syscall: '', message: String(error) };
}

function drain(): void {
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    const command = m.message as Command;
    switch (command.op) {
      case 'arm':
        armed.set(command.id, { raw: command.raw, want: command.want, mutex: command.mutex });
        break;
      case 'disarm':
        armed.delete(command.id);
        report({ op: 'disarmed', id: command.id });
        break;
      case 'release-mutex':
        try {
          backend.releaseMutex(command.raw);
          own(command.raw, -1);
          report({ op: 'released', token: command.token, errno: 0, syscall: '' });
        } catch (error) {
          const { errno, syscall } = errorFields(error);
          report({ op: 'released', token: command.token, errno, syscall });
        }
        break;
      case 'compound':
        command.handles.forEach((raw, i) => backend.adoptCrashSafeLedger?.(raw, command.ledgers[i] ?? null));
        compound = {
          id: command.id,
          handles: command.handles,
          mutexes: command.mutexes,
          waitAll: command.waitAll,
          deadline: command.timeoutMs === INFINITE ? Infinity : Date.now() + command.timeoutMs,
        };
        break;
      case 'cancel':
        if (compound?.id === command.id) {
          report({ op: 'compound-done', id: compound.id, code: WAIT_TIMEOUT });
          compound = null;
        }
        break;
      case 'shutdown':
        running = false;
        releaseOwned(command.keep);
        report({ op: 'stopped' });
        return; // commands after a shutdown are never read
    }
  }
}

function idle(): void {
  Atomics.wait(wake, 0, 0);
  Atomics.store(wake, 0, 0);
}

/** One round of the batch: wait on everything armed, report what fired. */
function batchRound(): void {
  const ids = [...armed.keys()];
  const handles = [data.control, ...ids.map((id) => armed.get(id)!.raw)];
  let code: number;
  try {
    code = backend.waitAnyForPool(handles, INFINITE, data.acquireFor ?? undefined);
  } catch {
    // One of the handles is bad (closed under us): find it, fail its slot, keep the others.
    for (const id of ids) {
      try {
        backend.waitAnyForPool([armed.get(id)!.raw], 0, data.acquireFor ?? undefined);
      } catch (error) {
        armed.delete(id);
        report({ op: 'failed', id, ...errorFields(error) });
      }
    }
    return;
  }
  if (code === WAIT_OBJECT_0) return; // the control event: commands to read
  const at = Number(process.hrtime.bigint()) / 1e6;
  const abandoned = code >= WAIT_ABANDONED_0;
  const id = ids[code - (abandoned ? WAIT_ABANDONED_0 : WAIT_OBJECT_0) - 1]!;
  const entry = armed.get(id)!;
  armed.delete(id);
  let count = 1;
  // More awaiters wait for this object: take what else is available now, in one report.
  if (entry.mutex) {
    if (data.acquireFor === null) own(entry.raw, 1); // else the pool's thread owns it
  } else while (count < entry.want && backend.waitAnyForPool([entry.raw], 0) !== WAIT_TIMEOUT) count++;
  report({ op: 'fired', id, count, abandoned, at });
}

function compoundRound(): void {
  const c = compound!;
  const remaining = Math.max(0, c.deadline - Date.now());
  const withControl = !c.waitAll && c.handles.length < backend.nativeWaitLimit;
  try {
    let code: number;
    if (withControl) {
      code = backend.waitAnyForPool([data.control, ...c.handles], remaining === Infinity ? INFINITE : Math.ceil(remaining));
      if (code === WAIT_OBJECT_0) return;
      if (code !== WAIT_TIMEOUT) code -= 1;
    } else {
      code = backend.waitForMultipleObjects(c.handles, c.waitAll, Math.min(WAIT_ALL_SLICE_MS, Math.ceil(remaining)), false);
      if (code === WAIT_TIMEOUT && remaining > WAIT_ALL_SLICE_MS) return;
    }
    if (code !== WAIT_TIMEOUT) {
      const abandoned = code >= WAIT_ABANDONED_0;
      const index = code - (abandoned ? WAIT_ABANDONED_0 : WAIT_OBJECT_0);
      c.handles.forEach((raw, i) => {
        if (c.mutexes[i] && (c.waitAll || i === index)) own(raw, 1);
      });
    }
    report({ op: 'compound-done', id: c.id, code });
  } catch (error) {
    report({ op: 'compound-failed', id: c.id, ...errorFields(error) });
  }
  compound = null;
}

/** A `direct` thread: watches the wait the pool registered in this thread's slot, if any. */
function watchRound(): void {
  const waits = backend.poolWaits!;
  Atomics.store(wake, 1, 1); // watching: the pool wakes it only when it must look afresh
  const state = waits.watch();
  if (state === 'waiting') return;
  Atomics.store(wake, 1, 0);
  if (state === 'result') {
    // A result no bell announced (the pool's bell is closed, or its waker did not ring it):
    // say so, then wait to be told (the pool takes it, and wakes this thread for the next wait).
    report({ op: 'look' });
    idle();
    return;
  }
  // Not watching from here: the pool wakes it for the next wait it registers. It registers,
  // then reads the word above; so this thread looks once more after saying so.
  if (waits.watch() === 'waiting') return;
  idle();
}

report({ op: 'ready', enteredAt, loadedMs: loadedAt - enteredAt, attachedMs, token: backend.ownerToken() ?? -1 });
while (running) {
  drain();
  if (!running) break;
  if (data.direct) watchRound();
  else if (data.mode === 'batch') {
    if (armed.size === 0) idle();
    else batchRound();
  } else {
    if (compound === null) idle();
    else compoundRound();
  }
}
