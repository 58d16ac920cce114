/**
 * Drives test/fixtures/actor.mjs in another thread or another process: backend calls
 * made there, blocking there, while the test goes on here.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import type { Backend } from '@waitables/core';

const actorScript = new URL('../fixtures/actor.mjs', import.meta.url);

type Method = { [K in keyof Backend]-?: NonNullable<Backend[K]> extends (...args: never[]) => unknown ? K : never }[keyof Backend];
type Fn<K extends Method> = NonNullable<Backend[K]>;

/** A backend call's failure as seen from the test. */
export class ActorError extends Error {
  constructor(
    readonly errno: number,
    readonly syscall: string,
    message: string,
  ) {
    super(message);
  }
}

interface Reply {
  id?: number;
  ready?: boolean;
  started?: boolean;
  value?: unknown;
  error?: { errno: number; syscall: string; message: string };
}

/** A call made by an actor: `started` settles once the actor is about to make it, `result` with its outcome. */
export interface Pending<T> {
  readonly started: Promise<void>;
  readonly result: Promise<T>;
}

export class Actor {
  #next = 1;
  #waiting = new Map<number, { started: () => void; resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  readonly exited: Promise<number | null>;

  private constructor(
    private readonly send: (m: unknown) => void,
    private readonly endpoint: Worker | ChildProcess,
  ) {
    endpoint.on('message', (m: Reply) => this.#receive(m));
    this.exited = new Promise((resolve) => endpoint.once('exit', (code: number | null) => resolve(code)));
  }

  /** An actor in a new worker thread of this process (raw handles are shared with it). */
  static async thread(): Promise<Actor> {
    const worker = new Worker(actorScript);
    return Actor.#ready(new Actor((m) => worker.postMessage(m), worker), worker);
  }

  /** An actor in a new child process (it must open named objects itself). */
  static async process(): Promise<Actor> {
    const child = fork(actorScript, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
    return Actor.#ready(new Actor((m) => child.send(m as object), child), child);
  }

  static #ready(actor: Actor, endpoint: Worker | ChildProcess): Promise<Actor> {
    return new Promise((resolve, reject) => {
      endpoint.once('error', reject);
      endpoint.on('message', (m: Reply) => {
        if (m.ready) resolve(actor);
      });
    });
  }

  #receive(m: Reply): void {
    if (m.id === undefined) return;
    const w = this.#waiting.get(m.id);
    if (!w) return;
    if (m.started) return w.started();
    this.#waiting.delete(m.id);
    w.started();
    if (m.error) w.reject(new ActorError(m.error.errno, m.error.syscall, m.error.message));
    else w.resolve(m.value);
  }

  /** Starts a backend call in the actor; see {@link Pending}. */
  start<K extends Method>(method: K, ...args: Parameters<Fn<K>>): Pending<ReturnType<Fn<K>>> {
    const id = this.#next++;
    let started!: () => void;
    const startedPromise = new Promise<void>((r) => (started = r));
    const result = new Promise<ReturnType<Fn<K>>>((resolve, reject) => {
      this.#waiting.set(id, { started, resolve: resolve as (v: unknown) => void, reject });
    });
    // bigints cannot cross a JSON IPC channel.
    const wire = args.map((a: unknown) => (typeof a === 'bigint' ? { bigint: a.toString() } : a));
    this.send({ id, method, args: wire });
    return { started: startedPromise, result };
  }

  /** Makes a backend call in the actor and waits for its outcome. */
  call<K extends Method>(method: K, ...args: Parameters<Fn<K>>): Promise<ReturnType<Fn<K>>> {
    return this.start(method, ...args).result;
  }

  /** The actor's process id. */
  pid(): Promise<number> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { started: () => {}, resolve: resolve as (v: unknown) => void, reject });
      this.send({ id, method: 'pid', args: [] });
    });
  }

  /** Ends the actor's thread or process normally, without releasing what it owns. */
  async exit(code = 0): Promise<void> {
    const id = this.#next++;
    this.send({ id, method: 'exit', args: [code] });
    await this.exited;
  }

  /** Kills the actor's process with SIGKILL (a process actor only). */
  async kill(): Promise<void> {
    if (this.endpoint instanceof Worker) throw new Error('kill() is for process actors; use exit()');
    this.endpoint.kill('SIGKILL');
    await this.exited;
  }

  /** Ends the actor however it is (for cleanup): a blocked thread cannot be terminated, so use with care. */
  async dispose(): Promise<void> {
    if (this.endpoint instanceof Worker) await this.endpoint.terminate();
    else if (this.endpoint.exitCode === null && this.endpoint.signalCode === null) {
      this.endpoint.kill('SIGKILL');
      await this.exited;
    }
  }
}
