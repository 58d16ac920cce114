// The namespace lock when its holder misbehaves: a holder stopped by SIGSTOP does not
// hold waits with a timeout past it, `inspectNamespace()` names it, and SIGCONT resumes
// everyone; a lock word that names a live thread which does not hold the lock is taken
// over. Real processes, real signals; each test has a namespace of its own.
import { type ChildProcess, execFile } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, test } from 'vitest';
import { cliBin } from '../helpers/cli.js';
import { uniqueName } from '../helpers/names.js';
import { layout, lines, privateNamespaceDir, region, runFixture, startFixture } from '../helpers/region.js';

const { H, T, LIMITS, LOCK_SLOT_MASK, THREAD_LIVE, threadWord } = layout;
const started: ChildProcess[] = [];
afterEach(async () => {
  for (const child of started.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
});

function start(dir: string, script: string, args: string[]) {
  const child = startFixture(dir, script, args);
  started.push(child);
  return { child, next: lines(child) };
}

/** Asks a namespace-user fixture to run a command, and parses its answer. */
async function ask(user: { child: ChildProcess; next: () => Promise<string> }, command: string) {
  user.child.stdin!.write(`${command}\n`);
  return JSON.parse(await user.next()) as Record<string, unknown>;
}

/** The thread slot the lock word names, and that slot's pid. */
function lockHolder(words: ReturnType<typeof region>): { word: number; pid: number } {
  const [word] = words.read(H.lock);
  if (word === 0) return { word: 0, pid: 0 };
  const slot = (word! & LOCK_SLOT_MASK) - 1;
  return { word: word!, pid: slot >= 0 && slot < LIMITS.threads ? words.read(threadWord(slot, T.pid))[0]! : 0 };
}

describe('a lock holder stopped by SIGSTOP', () => {
  test('does not hold timed waits of other processes past their timeout, is named by inspectNamespace(), and SIGCONT resumes all', async () => {
    const dir = await privateNamespaceDir();
    const name = uniqueName('stopped');
    const waiter = start(dir, 'namespace-user.mjs', [name]);
    expect(await waiter.next()).toBe('ready');
    const holder = start(dir, 'set-loop.mjs', [name]);
    expect(await holder.next()).toBe('started');
    const words = region(dir);

    // Stop the holder until it is stopped inside the lock (it holds it much of the time).
    let stoppedHolding = false;
    for (let attempt = 0; attempt < 2000 && !stoppedHolding; attempt++) {
      holder.child.kill('SIGSTOP');
      await new Promise((r) => setTimeout(r, 5)); // the signal is delivered asynchronously
      stoppedHolding = lockHolder(words).pid === holder.child.pid;
      if (!stoppedHolding) holder.child.kill('SIGCONT');
    }
    expect(stoppedHolding).toBe(true);

    const timed = await ask(waiter, 'wait 300');
    expect(timed.result).toBe('timeout');
    // Bounded by its timeout (plus scheduling on a loaded machine), where it used to hang.
    expect(timed.elapsedMs as number).toBeLessThan(300 + 5_000);
    expect(await ask(waiter, 'inspect')).toMatchObject({
      ok: false,
      code: 'ERR_WAITABLES_NAMESPACE_BUSY',
      holderPid: holder.child.pid,
      holderState: 'T',
    });

    // `waitables ls` says who holds the lock, in one line, with a failure status.
    const ls = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, [cliBin, 'ls'], { env: { ...process.env, WAITABLES_SHM_DIR: dir } }, (error, _stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr }),
      );
    });
    expect(ls.code).toBe(1);
    expect(ls.stderr).toMatch(new RegExp(`^waitables: the namespace lock is held by pid ${holder.child.pid} .*stopped.*\n$`));

    holder.child.kill('SIGCONT');
    // The waiter's wait that gave up is cleaned up by its next call; everything works again.
    expect(['signaled', 'timeout']).toContain((await ask(waiter, 'wait 0')).result);
    expect(await ask(waiter, 'inspect')).toEqual({ ok: true, waiting: 0 });
    holder.child.kill('SIGKILL');
    await once(holder.child, 'exit');
    expect(await ask(waiter, 'set')).toEqual({ ok: true });
    expect(await ask(waiter, 'wait 1000')).toMatchObject({ result: 'signaled' });
  }, 120_000);
});

describe('a registered wait given up because a stopped holder kept the lock', () => {
  test('is never handed anything its thread will not take, even if that thread makes no other call', async () => {
    const dir = await privateNamespaceDir();
    const name = uniqueName('gave-up');
    const waiter = start(dir, 'namespace-user.mjs', [name]); // the event: auto-reset, unsignaled
    expect(await waiter.next()).toBe('ready');
    const other = start(dir, 'namespace-user.mjs', [name]);
    expect(await other.next()).toBe('ready');
    const holder = start(dir, 'set-loop.mjs', [`${name}-busy`]);
    expect(await holder.next()).toBe('started');
    const words = region(dir);

    // The waiter registers its wait, then its periodic look finds the lock held by a stopped
    // process until the wait's deadline: it gives the wait up without unregistering it.
    waiter.child.stdin!.write('wait 3000\n');
    while (!(await ask(other, 'inspect')).waiting) await new Promise((r) => setTimeout(r, 5));
    let stoppedHolding = false;
    for (let attempt = 0; attempt < 2000 && !stoppedHolding; attempt++) {
      holder.child.kill('SIGSTOP');
      await new Promise((r) => setTimeout(r, 5));
      stoppedHolding = lockHolder(words).pid === holder.child.pid;
      if (!stoppedHolding) holder.child.kill('SIGCONT');
    }
    expect(stoppedHolding).toBe(true);
    expect(JSON.parse(await waiter.next())).toMatchObject({ result: 'timeout' });
    // It gave the wait up while registered (not timed out under the lock): its slot says so.
    const slot = Array.from({ length: LIMITS.threads }, (_, t) => t).find((t) => {
      const [state, , , , , , , , , pid] = words.read(threadWord(t, 0), 10);
      return state === THREAD_LIVE && pid === waiter.child.pid;
    })!;
    expect(words.read(threadWord(slot, T.status))[0]).toBe(layout.WAITING);
    expect(words.read(threadWord(slot, T.gaveUp))[0]).toBe(1);
    holder.child.kill('SIGCONT');
    holder.child.kill('SIGKILL');
    await once(holder.child, 'exit');

    // The waiter makes no call any more. A set now must not go to its given-up wait (it
    // would keep the signal for nobody): another process's wait gets it.
    expect(await ask(other, 'set')).toEqual({ ok: true });
    const got = await ask(other, 'wait 10000');
    expect(got.result).toBe('signaled');
    expect(got.elapsedMs as number).toBeLessThan(10_000);
    // The given-up wait is gone from the namespace, and the waiter works on.
    expect(await ask(other, 'inspect')).toEqual({ ok: true, waiting: 0 });
    expect((await ask(waiter, 'wait 0')).result).toBe('timeout');
  }, 120_000);
});

describe('a lock word that names a live thread which does not hold the lock', () => {
  test('is taken over: other processes go on, and the named thread works too', async () => {
    const dir = await privateNamespaceDir();
    const name = uniqueName('stale-lock');
    const idle = start(dir, 'namespace-user.mjs', [name]);
    expect(await idle.next()).toBe('ready');
    const words = region(dir);
    let slot = -1;
    for (let t = 0; t < LIMITS.threads && slot < 0; t++) {
      const [state, , , , , , , , , pid] = words.read(threadWord(t, 0), 10);
      if (state === THREAD_LIVE && pid === idle.child.pid) slot = t;
    }
    expect(slot).toBeGreaterThanOrEqual(0);
    const [takeoversBefore] = words.read(H.lockTakeovers);
    words.write(H.lock, [slot + 1]);

    const probe = await runFixture(dir, 'namespace-probe.mjs', [], 30_000);
    expect(probe.stdout).toContain('"ok":true');
    expect(words.read(H.lockTakeovers)[0]).toBe(takeoversBefore! + 1);
    expect(await ask(idle, 'set')).toEqual({ ok: true });
    expect((await ask(idle, 'wait 0')).result).toBe('signaled');
  }, 60_000);
});
