// `waitables lock` and `waitables sem` never let their command outlive the lock or the
// unit (Linux): the command runs under setpriv --pdeathsig KILL, so a wrapper killed with
// -9 takes its command with it, and the next wrapper's command never runs beside it; the
// semaphore of `sem` is crash-safe, so the killed wrapper's unit comes back. Real
// processes, real kill -9.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { Semaphore } from '@waitables/core';
import { cli } from '../helpers/cli.js';
import { processAlive } from '../helpers/process-alive.js';
import { uniqueName } from '../helpers/names.js';

const guarded = fileURLToPath(new URL('../fixtures/guarded-command.cjs', import.meta.url));
const guardedSlot = fileURLToPath(new URL('../fixtures/guarded-slot.cjs', import.meta.url));
const plain = (name: string) => name.replace('Local\\', '');
/** Wrappers killed with -9 while their command runs, in the test command; more by environment. */
const KILLS = Number(process.env.WAITABLES_CLI_KILLS ?? 12);

function insideFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'waitables-lifetime-')), 'inside');
  writeFileSync(file, '0');
  return file;
}

/** The pid of the command a wrapper runs (its setpriv child execs it: same pid). */
async function commandPid(wrapperPid: number): Promise<number> {
  for (;;) {
    const children = readFileSync(`/proc/${wrapperPid}/task/${wrapperPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    if (children.length > 0) return Number(children[0]);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('waitables lock, its wrapper killed with -9 while the command runs', () => {
  test('the command dies with it, and gets the name in WAITABLES_NAME', async () => {
    const name = plain(uniqueName('lifetime'));
    const file = insideFile();
    const run = cli(['lock', name, '--', process.execPath, guarded, file, '60000']);
    await run.printed(`in ${name}`);
    const command = await commandPid(run.child.pid!);
    expect(processAlive(command)).toBe(true);
    run.child.kill('SIGKILL');
    await run.status;
    for (let i = 0; i < 400 && processAlive(command); i++) await new Promise((r) => setTimeout(r, 5));
    expect(processAlive(command)).toBe(false);
    expect(run.stdout()).not.toContain('out');
  });

  test(`${KILLS} wrappers killed at random moments: two commands never run inside the lock at once`, async () => {
    const name = plain(uniqueName('lifetime-storm'));
    const file = insideFile();
    let kills = 0;
    let completed = 0;
    const wrapper = async (): Promise<void> => {
      while (kills < KILLS) {
        const run = cli(['lock', name, '--', process.execPath, guarded, file, String(200 + Math.floor(Math.random() * 400))]);
        const killIt = Math.random() < 0.6;
        const inside = run.printed('in').then(
          () => true,
          () => false,
        );
        if (killIt && (await inside)) {
          await new Promise((r) => setTimeout(r, Math.random() * 40));
          run.child.kill('SIGKILL');
          kills++;
        }
        const status = await run.status;
        if (status === 0) completed++;
      }
    };
    await Promise.all([wrapper(), wrapper(), wrapper()]);
    expect(existsSync(`${file}.overlap`) ? readFileSync(`${file}.overlap`, 'utf8') : '').toBe('');
    expect(kills).toBeGreaterThanOrEqual(KILLS);
    expect(completed).toBeGreaterThan(0);
  }, 180_000);
});

describe('waitables sem --max 2, its wrappers killed with -9 while their commands run', () => {
  test(`${KILLS} wrappers killed at random moments: never three commands at once, and both units free at the end`, async () => {
    const name = plain(uniqueName('sem-storm'));
    const dir = mkdtempSync(join(tmpdir(), 'waitables-slots-'));
    // Opened by the first wrapper (or here, if this runs first): kept open to read its count at the end.
    let observer: Semaphore | null = null;
    let kills = 0;
    let completed = 0;
    const wrapper = async (): Promise<void> => {
      while (kills < KILLS) {
        const run = cli([
          'sem',
          name,
          '--max',
          '2',
          '--',
          process.execPath,
          guardedSlot,
          dir,
          '2',
          String(100 + Math.floor(Math.random() * 300)),
        ]);
        const inside = run.printed('in').then(
          () => true,
          () => false,
        );
        if (await inside) observer ??= Semaphore.open(`Local\\${name}`);
        if (Math.random() < 0.6 && (await inside)) {
          await new Promise((r) => setTimeout(r, Math.random() * 40));
          run.child.kill('SIGKILL');
          kills++;
        }
        const status = await run.status;
        if (status === 0) completed++;
      }
    };
    await Promise.all([wrapper(), wrapper(), wrapper(), wrapper()]);
    expect(existsSync(`${dir}.overlap`) ? readFileSync(`${dir}.overlap`, 'utf8') : '').toBe('');
    expect(kills).toBeGreaterThanOrEqual(KILLS);
    expect(completed).toBeGreaterThan(0);
    const sem = observer as Semaphore | null;
    expect(sem).not.toBeNull();
    // Every wrapper is gone: the units of those killed came back (a blocking wait looks at the dead).
    expect(sem!.wait(10_000)).toBe('signaled');
    expect(sem!.wait(10_000)).toBe('signaled');
    expect(sem!.query()).toMatchObject({ count: 0, crashSafe: true });
    expect(sem!.query().recovered).toBeGreaterThan(0);
    sem!.release(2);
    sem!.close();
  }, 180_000);
});
