/**
 * Events: auto-reset (a successful wait consumes the signal; one set wakes at most one
 * waiter) and manual-reset (stays set until reset; a set wakes every waiter).
 */
import type { RawHandle } from './backend.js';
import { EVENT_ALL_ACCESS } from './constants.js';
import { WaitHandle } from './handle.js';
import { getBackend } from './load-backend.js';
import { type OpenOptions, readFlag, readName, readOpenArgs } from './options.js';
import { validateObject, validateHandle } from './validate.js';

/**
 * The options of {@link Event.create}. All of them apply only when the event is new:
 * opening an existing event of that name ignores `manualReset` and `initialState`.
 * @example
 * ```ts
 * const options: EventOptions = { name: 'Local\\app-ready', manualReset: true };
 * using ready = Event.create(options);
 * ```
 */
export interface EventOptions {
  /** A name shared across processes (`Local\` and `Global\` prefixes allowed); absent or `''`: anonymous. */
  readonly name?: string | null;
  /** Stays signaled until `reset()`. Default: `false` (auto-reset). */
  readonly manualReset?: boolean;
  /** Starts signaled. Default: `false`. */
  readonly initialState?: boolean;
}

/**
 * A Win32 event object.
 *
 * Fairness: which waiter an auto-reset event releases is the OS's choice on Windows
 * (unspecified); FIFO on Linux.
 * @example
 * ```ts
 * using ready = Event.create({ name: 'Local\\app-ready', manualReset: true });
 * ready.set();
 * ```
 */
export class Event extends WaitHandle {
  readonly kind = 'event';
  /** `create()` found an event of that name and opened it (its options were ignored). */
  readonly existed: boolean;

  private constructor(raw: RawHandle, existed: boolean) {
    super(raw);
    this.existed = existed;
  }

  /**
   * Creates an event, or opens the existing event of that name (then `existed` is
   * true). A name held by an object of another kind: Win32Error ERROR_INVALID_HANDLE.
   */
  static create(options: EventOptions = {}): Event {
    const opts = validateObject(options, 'options');
    const args = {
      name: readName(opts),
      manualReset: readFlag(opts, 'manualReset', false),
      initialState: readFlag(opts, 'initialState', false),
      access: EVENT_ALL_ACCESS,
    };
    const { handle, existed } = getBackend().createEvent(args);
    return new Event(handle, existed);
  }

  /** Opens an existing named event; none of that name: Win32Error ERROR_FILE_NOT_FOUND. */
  static open(name: string, options: OpenOptions = {}): Event {
    const args = readOpenArgs(name, options, EVENT_ALL_ACCESS);
    return new Event(getBackend().openEvent(args.name, args.access, args.inherit), false);
  }

  /** Adopts a raw event handle (for example one posted from another thread); the new object owns it. */
  static fromHandle(handle: RawHandle): Event {
    return new Event(validateHandle(handle, 'handle'), false);
  }

  /** Signals the event (SetEvent). */
  set(): void {
    getBackend().setEvent(this.handle);
  }

  /** Unsignals the event (ResetEvent). */
  reset(): void {
    getBackend().resetEvent(this.handle);
  }

  /**
   * Releases the waiters blocked at this instant (all of them if manual-reset, one if
   * auto-reset) and leaves the event unset (PulseEvent). With no waiter it only resets.
   */
  pulse(): void {
    getBackend().pulseEvent(this.handle);
  }
}
