// The README of @waitables/postgres shows test/postgres/fleet.ts exactly, and it runs:
// two hosts (two sessions) share the semaphore and the event through one database.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { runHost, stopFleet } from './fleet.js';
import { sql, usePostgres } from './helpers.js';

const pgServer = usePostgres();
const root = new URL('../../', import.meta.url);

it('shows the fleet example as it is', () => {
  const readme = readFileSync(new URL('packages/postgres/README.md', root), 'utf8');
  const shown = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
  const file = readFileSync(new URL('test/postgres/fleet.ts', root), 'utf8');
  expect(file.split('\n').slice(1).join('\n')).toBe(shown);
});

it('runs the fleet example: two hosts share the semaphore, then the stop event stops a third', async () => {
  const url = pgServer.server.url;
  const [a, b] = await Promise.all([runHost(url, 'host-a', 3), runHost(url, 'host-b', 3)]);
  expect([...a, ...b]).toHaveLength(6);
  // Every grant of the semaphore has its own fencing token.
  const fences = [...a, ...b].map((line) => Number(/#(\d+)/.exec(line)![1]));
  expect(new Set(fences).size).toBe(6);
  await stopFleet(url);
  expect(await runHost(url, 'host-c', 3)).toEqual([]);
  const [encoders] = await sql<{ count: number }>(url, `select count from fleet.objects where name = 'encoders'`);
  expect(encoders!.count).toBe(2);
});
