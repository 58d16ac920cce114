/** Events in the database. */
import type { Database } from './database.js';
import { checkBoolean, checkName, checkObject, checkWaitOptions, type WaitOptions } from './options.js';
import { RemoteObject } from './remote-object.js';

/**
 * The options of `db.Event.create()`; `manualReset` and `initialState` apply only when
 * it creates the event (an existing one of that name is opened as it is).
 * @example
 * ```ts
 * const ready = await db.Event.create({ name: 'config-ready', manualReset: true });
 * ```
 */
export interface EventOptions {
  /** The event's name in the database: a non-empty string without NUL, at most 260 characters (required). */
  readonly name: string;
  /** Manual-reset: stays set until reset() and releases every waiter. Default: false (auto-reset). */
  readonly manualReset?: boolean;
  /** Set at creation. Default: false. */
  readonly initialState?: boolean;
}

/**
 * An event shared by every process connected to the database.
 *
 * Fairness: FIFO across all processes; an auto-reset `set()` releases the oldest
 * waiter, a manual-reset one every waiter. `pulse()` releases the waits queued in the
 * database at that moment only (a process about to wait does not count).
 * @example
 * ```ts
 * const ready = await db.Event.create({ name: 'config-ready', manualReset: true });
 * await ready.wait({ timeout: 30_000 }); // another host: await ready.set()
 * ```
 */
export class Event extends RemoteObject implements AsyncIterable<number> {
  /** Always `'event'`. */
  readonly kind = 'event';

  /** @internal */
  static async create(db: Database, options: unknown): Promise<Event> {
    const o = checkObject(options, 'options');
    const name = checkName(o.name, 'options.name');
    const manualReset = o.manualReset === undefined ? false : checkBoolean(o.manualReset, 'options.manualReset');
    const initialState = o.initialState === undefined ? false : checkBoolean(o.initialState, 'options.initialState');
    const session = await db.session();
    const ref = await session.engine.create({
      kind: 'event',
      name,
      count: initialState ? 1 : 0,
      maximum: 1,
      manualReset,
      initialOwner: false,
    });
    return new Event(db, name, ref.id, ref.existed, ref.manualReset);
  }

  /** @internal */
  static async open(db: Database, name: unknown): Promise<Event> {
    const checked = checkName(name, 'name');
    const ref = await (await db.session()).engine.open('event', checked);
    return new Event(db, checked, ref.id, true, ref.manualReset);
  }

  /** Whether it is manual-reset (known from the database). */
  get isManualReset(): boolean {
    return this.manualReset;
  }

  /**
   * Resolves once the event is signaled (consuming the signal of an auto-reset event).
   *
   * Cancellation: an abort or timeout takes the wait out of the event's queue and
   * rejects with AbortError or TimeoutError. If an auto-reset signal was granted to it
   * at that moment, the event is set again: the signal is never lost.
   */
  async wait(options?: WaitOptions): Promise<void> {
    const checked = checkWaitOptions(options);
    await (await this.db.session()).wait([this], false, checked);
  }

  /** SetEvent, in one transaction that also releases the waiters it satisfies. */
  async set(): Promise<void> {
    await (await this.db.session()).engine.signalEvent(this.id, 'set');
  }

  /** ResetEvent. */
  async reset(): Promise<void> {
    await (await this.db.session()).engine.signalEvent(this.id, 'reset');
  }

  /** PulseEvent: releases the waits queued now (one for auto-reset, all for manual) and leaves it unset. */
  async pulse(): Promise<void> {
    await (await this.db.session()).engine.signalEvent(this.id, 'pulse');
  }

  /**
   * Each signal as it comes, numbered from 1.
   *
   * Cancellation: `break` (or `return()`) ends it between signals, with no wait queued;
   * an abort of `options.signal` takes the wait in progress out of the queue (an
   * auto-reset signal granted at that moment is set again) and ends it with AbortError.
   */
  async *signals(options: Omit<WaitOptions, 'timeout'> = {}): AsyncGenerator<number, void, undefined> {
    const { signal } = checkWaitOptions(options);
    for (let n = 1; ; n++) {
      await this.wait(signal ? { signal } : undefined);
      yield n;
    }
  }

  /**
   * `for await (const n of event)`: {@link signals} without options (its cancellation:
   * `break` ends it between signals).
   */
  [Symbol.asyncIterator](): AsyncIterator<number> {
    return this.signals();
  }
}
