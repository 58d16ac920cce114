// win32process with real child processes, on Linux natively and on Windows (under Wine):
// the same calls, the same results.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, test } from 'vitest';
import {
  ERROR_ACCESS_DENIED,
  ERROR_DIRECTORY,
  ERROR_FILE_NOT_FOUND,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  Event,
  NotSupportedError,
} from '@waitables/core';
import * as win32api from '@waitables/core/win32api';
import * as win32event from '@waitables/core/win32event';
import * as win32process from '@waitables/core/win32process';
import { expectWin32Error } from '../helpers/expect-error.js';
import { uniqueName } from '../helpers/names.js';

const child = fileURLToPath(new URL('../fixtures/created-child.mjs', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'win32process-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A Windows command line running the child fixture under this Node. */
function commandLine(...args: string[]): string {
  return [process.execPath, child, ...args].map((a) => `"${a}"`).join(' ');
}

function createChild(args: string[], flags = 0, env: Record<string, string> | null = null, cwd: string | null = null) {
  return win32process.CreateProcess(null, commandLine(...args), null, null, 0, flags, env, cwd, new win32process.STARTUPINFO());
}

/** A child that runs until `release` is set, then exits with `code`. */
function waitingChild(code: number, flags = 0) {
  const name = uniqueName('release');
  const release = Event.create({ name, manualReset: true });
  const [hProcess, hThread, pid] = createChild(['wait', name, String(code)], flags);
  return { hProcess, hThread, pid, release };
}

function report(args: string[], env: Record<string, string> | null = null, cwd: string | null = null) {
  const out = join(scratch, `report-${Math.random().toString(36).slice(2)}.json`);
  const [h] = createChild(['report', out, ...args], 0, env, cwd);
  expect(win32event.WaitForSingleObject(h, 30_000)).toBe(win32event.WAIT_OBJECT_0);
  expect(win32process.GetExitCodeProcess(h)).toBe(0);
  h.Close();
  return JSON.parse(readFileSync(out, 'utf8')) as { args: string[]; cwd: string; probe: string | null };
}

describe('CreateProcess', () => {
  test('returns handles that are signaled when the child exits, with its exit code, pid and thread id', () => {
    const { hProcess, hThread, pid, release } = waitingChild(7);
    expect(pid).toBeGreaterThan(0);
    expect(win32process.GetProcessId(hProcess)).toBe(pid);
    expect(win32process.GetExitCodeProcess(hProcess)).toBe(win32process.STILL_ACTIVE);
    expect(win32event.WaitForSingleObject(hProcess, 0)).toBe(win32event.WAIT_TIMEOUT);
    release.set();
    expect(win32event.WaitForSingleObject(hProcess, 30_000)).toBe(win32event.WAIT_OBJECT_0);
    expect(win32event.WaitForSingleObject(hThread, 30_000)).toBe(win32event.WAIT_OBJECT_0);
    expect(win32process.GetExitCodeProcess(hProcess)).toBe(7);
    // The exit code stays readable as long as a handle is open.
    expect(win32process.GetExitCodeProcess(hProcess)).toBe(7);
    hThread.Close();
    hProcess.Close();
    release.close();
  });

  test('a process handle waits beside an event in a wait-any: the event first, then the process', () => {
    const { hProcess, release } = waitingChild(0);
    const stop = win32event.CreateEvent(null, 0, 0, null);
    expect(win32event.WaitForMultipleObjects([stop, hProcess], 0, 0)).toBe(win32event.WAIT_TIMEOUT);
    win32event.SetEvent(stop);
    expect(win32event.WaitForMultipleObjects([stop, hProcess], 0, 30_000)).toBe(win32event.WAIT_OBJECT_0);
    release.set();
    expect(win32event.WaitForMultipleObjects([stop, hProcess], 0, 30_000)).toBe(win32event.WAIT_OBJECT_0 + 1);
    expect(win32event.WaitForMultipleObjects([stop, hProcess], 1, 0)).toBe(win32event.WAIT_TIMEOUT);
    hProcess.Close();
    stop.Close();
    release.close();
  });

  test('passes the command line through as the same argv on every platform', () => {
    const args = ['plain', 'two words', 'quote"inside', 'back\\slash', 'trailing\\', ''];
    const quoted = args.map((a) => `"${a.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, '$1$1')}"`);
    const out = join(scratch, 'argv.json');
    const [h] = win32process.CreateProcess(
      null,
      `"${process.execPath}" "${child}" report "${out}" ${quoted.join(' ')}`,
      null,
      null,
      0,
      0,
      null,
      null,
      new win32process.STARTUPINFO(),
    );
    expect(win32event.WaitForSingleObject(h, 30_000)).toBe(win32event.WAIT_OBJECT_0);
    h.Close();
    expect((JSON.parse(readFileSync(out, 'utf8')) as { args: string[] }).args).toEqual(args);
  });

  test('gives the child the environment and current directory asked for', () => {
    expect(report([], { ...(process.env as Record<string, string>), PROBE: 'from parent' }).probe).toBe('from parent');
    expect(report([], null).probe).toBeNull();
    expect(realpathSync(report([], null, scratch).cwd)).toBe(realpathSync(scratch));
  });

  test('refuses a program that does not exist (ERROR_FILE_NOT_FOUND) and a directory that does not (ERROR_DIRECTORY)', () => {
    const call = (cmd: string, cwd: string | null) => () =>
      win32process.CreateProcess(null, cmd, null, null, 0, 0, null, cwd, new win32process.STARTUPINFO());
    expectWin32Error(call('no-such-program-waitables-test', null), ERROR_FILE_NOT_FOUND, 'CreateProcess');
    expectWin32Error(call(commandLine('report', 'x'), join(scratch, 'no-such-dir')), ERROR_DIRECTORY, 'CreateProcess');
    expect(() => win32process.CreateProcess(null, 'x', {} as unknown as null, null, 0, 0, null, null, {})).toThrow(TypeError);
  });

  test('starts the child in the priority class asked for', () => {
    const { hProcess, release } = waitingChild(0, win32process.BELOW_NORMAL_PRIORITY_CLASS);
    expect(win32process.GetPriorityClass(hProcess)).toBe(win32process.BELOW_NORMAL_PRIORITY_CLASS);
    release.set();
    expect(win32event.WaitForSingleObject(hProcess, 30_000)).toBe(win32event.WAIT_OBJECT_0);
    hProcess.Close();
    release.close();
  });
});

describe('TerminateProcess', () => {
  test('ends the process with the exit code given; a second time: ERROR_ACCESS_DENIED', () => {
    const { hProcess, release } = waitingChild(0);
    win32process.TerminateProcess(hProcess, 42);
    expect(win32event.WaitForSingleObject(hProcess, 30_000)).toBe(win32event.WAIT_OBJECT_0);
    expect(win32process.GetExitCodeProcess(hProcess)).toBe(42);
    expectWin32Error(() => win32process.TerminateProcess(hProcess, 1), ERROR_ACCESS_DENIED, 'TerminateProcess');
    expect(win32process.GetExitCodeProcess(hProcess)).toBe(42);
    hProcess.Close();
    release.close();
  });

  test('needs PROCESS_TERMINATE: a SYNCHRONIZE handle is refused (ERROR_ACCESS_DENIED)', () => {
    const { hProcess, pid, release } = waitingChild(0);
    const syncOnly = win32api.OpenProcess(win32api.SYNCHRONIZE, false, pid);
    expectWin32Error(() => win32api.TerminateProcess(syncOnly, 1), ERROR_ACCESS_DENIED, 'TerminateProcess');
    release.set();
    expect(win32event.WaitForSingleObject(syncOnly, 30_000)).toBe(win32event.WAIT_OBJECT_0);
    expect(win32process.GetExitCodeProcess(hProcess)).toBe(0);
    syncOnly.Close();
    hProcess.Close();
    release.close();
  });
});

describe('ending processes', () => {
  test('ExitProcess ends the calling process with its exit code', () => {
    const [h] = createChild(['exit-process', '4']);
    expect(win32event.WaitForSingleObject(h, 30_000)).toBe(win32event.WAIT_OBJECT_0);
    expect(win32process.GetExitCodeProcess(h)).toBe(4);
    h.Close();
  });

  test('TerminateProcess through OpenProcess of a child Node started: the exit code given', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await once(child, 'spawn');
    const access = win32api.PROCESS_TERMINATE | win32api.PROCESS_QUERY_LIMITED_INFORMATION | win32api.SYNCHRONIZE;
    const h = win32api.OpenProcess(access, false, child.pid!);
    win32api.TerminateProcess(h, 5);
    expect(win32event.WaitForSingleObject(h, 30_000)).toBe(win32event.WAIT_OBJECT_0);
    expect(win32process.GetExitCodeProcess(h)).toBe(5);
    h.Close();
  });
});

describe('process information', () => {
  test('SetPriorityClass and GetPriorityClass agree; an unknown class is ERROR_INVALID_PARAMETER', () => {
    const { hProcess, release } = waitingChild(0);
    expect(win32process.GetPriorityClass(hProcess)).toBe(win32process.NORMAL_PRIORITY_CLASS);
    // Lower only: raising a priority needs a privilege on Linux (CAP_SYS_NICE).
    for (const cls of [win32process.BELOW_NORMAL_PRIORITY_CLASS, win32process.IDLE_PRIORITY_CLASS]) {
      win32process.SetPriorityClass(hProcess, cls);
      expect(win32process.GetPriorityClass(hProcess)).toBe(cls);
    }
    expectWin32Error(() => win32process.SetPriorityClass(hProcess, 0x12345), ERROR_INVALID_PARAMETER, 'SetPriorityClass');
    release.set();
    expect(win32event.WaitForSingleObject(hProcess, 30_000)).toBe(win32event.WAIT_OBJECT_0);
    hProcess.Close();
    release.close();
  });

  test('GetProcessTimes: created between the calls around CreateProcess, an exit time once it has exited', () => {
    const before = Date.now();
    const { hProcess, release } = waitingChild(0);
    const after = Date.now();
    const running = win32process.GetProcessTimes(hProcess);
    // Linux counts the start in clock ticks after a boot time known to the second.
    expect(running.CreationTime.getTime()).toBeGreaterThanOrEqual(before - 2_000);
    expect(running.CreationTime.getTime()).toBeLessThanOrEqual(after + 2_000);
    expect(running.ExitTime.getTime()).toBe(Date.UTC(1601, 0, 1));
    release.set();
    expect(win32event.WaitForSingleObject(hProcess, 30_000)).toBe(win32event.WAIT_OBJECT_0);
    const done = win32process.GetProcessTimes(hProcess);
    expect(done.ExitTime.getTime()).toBeGreaterThanOrEqual(done.CreationTime.getTime() - 2_000);
    expect(done.UserTime + done.KernelTime).toBeGreaterThanOrEqual(0);
    const self = win32process.GetProcessTimes(win32api.GetCurrentProcess());
    expect(self.UserTime).toBeGreaterThan(0);
    hProcess.Close();
    release.close();
  });

  test('GetProcessMemoryInfo of this process: a working set, its peak at least as large', () => {
    const m = win32process.GetProcessMemoryInfo(win32api.GetCurrentProcess());
    expect(m.WorkingSetSize).toBeGreaterThan(1 << 20);
    expect(m.PeakWorkingSetSize).toBeGreaterThanOrEqual(m.WorkingSetSize);
    expect(m.PagefileUsage).toBeGreaterThan(0);
    expect(Object.keys(m).sort()).toEqual(
      [
        'PageFaultCount',
        'PagefileUsage',
        'PeakPagefileUsage',
        'PeakWorkingSetSize',
        'QuotaNonPagedPoolUsage',
        'QuotaPagedPoolUsage',
        'QuotaPeakNonPagedPoolUsage',
        'QuotaPeakPagedPoolUsage',
        'WorkingSetSize',
      ].sort(),
    );
  });

  test('EnumProcesses lists this process and a child', () => {
    const { hProcess, pid, release } = waitingChild(0);
    const pids = win32process.EnumProcesses();
    expect(pids).toContain(process.pid);
    expect(pids).toContain(pid);
    release.set();
    expect(win32event.WaitForSingleObject(hProcess, 30_000)).toBe(win32event.WAIT_OBJECT_0);
    hProcess.Close();
    release.close();
  });

  test('affinity masks: the process mask within the system mask; a child pinned to one CPU reads it back', () => {
    const [mine, system] = win32process.GetProcessAffinityMask(win32api.GetCurrentProcess());
    expect(mine).toBeGreaterThan(0);
    expect(mine & ~system).toBe(0);
    const { hProcess, release } = waitingChild(0);
    const lowest = mine & -mine;
    win32process.SetProcessAffinityMask(hProcess, lowest);
    expect(win32process.GetProcessAffinityMask(hProcess)[0]).toBe(lowest);
    expectWin32Error(() => win32process.SetProcessAffinityMask(hProcess, 0), ERROR_INVALID_PARAMETER, 'SetProcessAffinityMask');
    release.set();
    expect(win32event.WaitForSingleObject(hProcess, 30_000)).toBe(win32event.WAIT_OBJECT_0);
    hProcess.Close();
    release.close();
  });

  test('the current process pseudo handle: its pid, still active', () => {
    expect(win32api.GetCurrentProcess()).toBe(-1);
    expect(win32process.GetProcessId(win32api.GetCurrentProcess())).toBe(process.pid);
    expect(win32process.GetExitCodeProcess(win32api.GetCurrentProcess())).toBe(win32process.STILL_ACTIVE);
    expect(win32api.GetCurrentProcessId()).toBe(process.pid);
  });

  test('a null or closed handle is ERROR_INVALID_HANDLE', () => {
    expectWin32Error(() => win32process.GetExitCodeProcess(null), ERROR_INVALID_HANDLE);
    const { hProcess, release } = waitingChild(0);
    release.set();
    expect(win32event.WaitForSingleObject(hProcess, 30_000)).toBe(win32event.WAIT_OBJECT_0);
    hProcess.Close();
    expectWin32Error(() => win32process.GetProcessId(hProcess), ERROR_INVALID_HANDLE);
    release.close();
  });
});

describe('threads', () => {
  test('a worker thread sets and reads its own priority through GetCurrentThread()', async () => {
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       import('@waitables/core/win32process').then((w) => {
         const before = w.GetThreadPriority(w.GetCurrentThread());
         w.SetThreadPriority(w.GetCurrentThread(), w.THREAD_PRIORITY_LOWEST);
         parentPort.postMessage([before, w.GetThreadPriority(w.GetCurrentThread()), w.GetCurrentThreadId() > 0]);
       });`,
      { eval: true },
    );
    const [result] = await Promise.all([
      new Promise((resolve) => worker.once('message', resolve)),
      new Promise((r) => worker.once('exit', r)),
    ]);
    expect(result).toEqual([win32process.THREAD_PRIORITY_NORMAL, win32process.THREAD_PRIORITY_LOWEST, true]);
  });
});

describe('what a Node program cannot do', () => {
  test('throws one typed error, NotSupportedError, naming the function and the reason', () => {
    for (const f of [
      win32process.beginthreadex,
      win32process.CreateRemoteThread,
      win32process.CreateProcessAsUser,
      win32process.GetWindowThreadProcessId,
      win32process.AttachThreadInput,
    ]) {
      expect(f).toThrow(NotSupportedError);
      expect(f).toThrow(new RegExp(`^win32process\\.${f.name} is not supported: `));
    }
  });
});

describe.runIf(process.platform === 'linux')('Linux: the children CreateProcess starts', () => {
  test('what Linux cannot do is NotSupportedError: suspended or debugged children, std handles', () => {
    const si = new win32process.STARTUPINFO();
    for (const flags of [win32process.CREATE_SUSPENDED, win32process.DEBUG_PROCESS, win32process.CREATE_NEW_CONSOLE])
      expect(() => win32process.CreateProcess(null, commandLine('report', 'x'), null, null, 0, flags, null, null, si)).toThrow(
        NotSupportedError,
      );
    si.dwFlags = win32process.STARTF_USESTDHANDLES;
    expect(() => win32process.CreateProcess(null, commandLine('report', 'x'), null, null, 0, 0, null, null, si)).toThrow(NotSupportedError);
  });

  test('stay unreaped (their exit code kept) until their last handle is closed, then are reaped', () => {
    const { hProcess, hThread, pid, release } = waitingChild(9);
    release.set();
    expect(win32event.WaitForSingleObject(hProcess, 30_000)).toBe(win32event.WAIT_OBJECT_0);
    hProcess.Close();
    // hThread still refers to it: the zombie keeps the exit code.
    expect(readFileSync(`/proc/${pid}/stat`, 'utf8')).toMatch(/\) Z /);
    expect(win32process.GetExitCodeProcess(hThread)).toBe(9);
    hThread.Close();
    expect(() => readFileSync(`/proc/${pid}/stat`, 'utf8')).toThrow();
    release.close();
  });
});
