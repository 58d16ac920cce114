// waitables ls, and Ctrl-C while waiting (Linux: ls reads the shared namespace).
import { describe, expect, test } from 'vitest';
import { cli, holdUntilReleased, nodeCommand } from '../helpers/cli.js';
import { uniqueName } from '../helpers/names.js';

interface Listed {
  objects: { kind: string; name: string | null; waiters: number; owner: { pid: number } | null }[];
}

async function listed(): Promise<Listed> {
  const run = cli(['ls', '--json']);
  expect(await run.status).toBe(0);
  return JSON.parse(run.stdout()) as Listed;
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 20));
}

describe('waitables ls', () => {
  test('lists named objects with kind, owner and waiters, as a table and as JSON', async () => {
    const name = uniqueName('ls-mutex').replace('Local\\', '');
    const hold = holdUntilReleased();
    const holder = cli(['lock', name, ...hold.command]);
    await holder.printed('held');
    const entry = (await listed()).objects.find((o) => o.name === `Local\\${name}`);
    expect(entry).toMatchObject({ kind: 'mutex', owner: { pid: holder.child.pid } });
    const table = cli(['ls']);
    expect(await table.status).toBe(0);
    expect(table.stdout()).toMatch(new RegExp(`mutex\\s+Local\\\\${name}\\s+owned\\s+pid ${holder.child.pid}`));
    hold.release();
    expect(await holder.status).toBe(0);
  });

  test('Ctrl-C (SIGINT) while waiting exits 130 and leaves no trace', async () => {
    const name = uniqueName('ls-sigint').replace('Local\\', '');
    const waiter = cli(['wait', name]);
    await until(async () => (await listed()).objects.some((o) => o.name === `Local\\${name}` && o.waiters === 1));
    waiter.child.kill('SIGINT');
    expect(await waiter.status).toBe(130);
    expect((await listed()).objects.some((o) => o.name === `Local\\${name}`)).toBe(false);
  });

  test('Ctrl-C while waiting for a lock leaves the holder the only owner', async () => {
    const name = uniqueName('ls-sigint-lock').replace('Local\\', '');
    const hold = holdUntilReleased();
    const holder = cli(['lock', name, ...hold.command]);
    await holder.printed('held');
    const waiter = cli(['lock', name, ...nodeCommand("console.log('should not run')")]);
    await until(async () => (await listed()).objects.some((o) => o.name === `Local\\${name}` && o.waiters === 1));
    waiter.child.kill('SIGINT');
    expect(await waiter.status).toBe(130);
    expect(waiter.stdout()).not.toContain('should not run');
    const entry = (await listed()).objects.find((o) => o.name === `Local\\${name}`);
    expect(entry).toMatchObject({ waiters: 0, owner: { pid: holder.child.pid } });
    hold.release();
    expect(await holder.status).toBe(0);
  });
});
