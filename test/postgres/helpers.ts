/** Shared pieces of the PostgreSQL tests: the server of the file, fresh schemas, actors, hand-shakes. */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import pg from 'pg';
import { type ServerOptions, startServer, type TestServer } from './server.js';

/** Starts this file's server before its tests and stops it after them. */
export function usePostgres(options?: () => ServerOptions): { readonly server: TestServer } {
  const holder = {} as { server: TestServer };
  beforeAll(async () => {
    holder.server = await startServer(options?.());
  }, 120_000);
  afterAll(() => holder.server?.stop());
  return holder;
}

let schemas = 0;
/** A schema name no other test of this file uses, so that each test starts empty. */
export function freshSchema(): string {
  return `t${process.pid}_${++schemas}`;
}

/** Runs `sql` on a connection of its own (the test's view of the database, outside the package). */
export async function sql<R extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Waits until `condition` holds: a hand-shake on state, never a sleep of a guessed length. */
export async function until(condition: () => Promise<boolean> | boolean, what: string, limit = 20_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    if (await condition()) return;
    if (Date.now() - start > limit) throw new Error(`gave up waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** How many waits are queued on the object `name` in `schema`. */
export async function queued(url: string, schema: string, name: string): Promise<number> {
  const rows = await sql<{ n: string }>(
    url,
    `select count(*) as n from ${schema}.queue q join ${schema}.objects o on o.id = q.object_id where o.name = $1`,
    [name],
  );
  return Number(rows[0]!.n);
}

interface Reply {
  id?: number;
  ready?: boolean;
  value?: unknown;
  error?: { name: string; code?: string; message: string };
  event?: string;
  key?: number;
  reason?: string;
}

/** A failure inside an actor, as the test sees it. */
export class ActorError extends Error {
  constructor(
    readonly errorName: string,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** A child process with its own connection: test/fixtures/postgres-actor.mjs. */
export class PgActor {
  #next = 1;
  readonly #calls = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  /** Keys of holdings whose `lost` signal fired, in order. */
  readonly lost: number[] = [];
  readonly exited: Promise<NodeJS.Signals | number | null>;

  private constructor(readonly child: ChildProcess) {
    child.on('message', (m: Reply) => {
      if (m.event === 'lost') this.lost.push(m.key!);
      if (m.id === undefined) return;
      const call = this.#calls.get(m.id);
      this.#calls.delete(m.id);
      if (m.error) call?.reject(new ActorError(m.error.name, m.error.code, m.error.message));
      else call?.resolve(m.value);
    });
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
    void this.exited.then(() => {
      for (const call of this.#calls.values()) call.reject(new Error('the actor exited'));
      this.#calls.clear();
    });
  }

  /** Starts an actor; in the network namespace `netns` if given (a host of its own). */
  static async start(url: string, schema: string, options: object = {}, netns?: string): Promise<PgActor> {
    const script = fileURLToPath(new URL('../fixtures/postgres-actor.mjs', import.meta.url));
    const child = netns
      ? spawn('ip', ['netns', 'exec', netns, process.execPath, script], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
      : fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`the actor exited before it was ready (${code})`)));
    });
    const actor = new PgActor(child);
    await actor.call('connect', url, schema, options);
    return actor;
  }

  call<T = unknown>(op: string, ...args: unknown[]): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#calls.set(id, { resolve: resolve, reject });
      this.child.send({ id, op, args });
    });
  }

  /** kill -9: no clean close, no release. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}
