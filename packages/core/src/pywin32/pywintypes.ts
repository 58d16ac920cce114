/**
 * `@waitables/core/pywintypes`: pywin32's `pywintypes` for Node: {@link error}
 * (pywintypes.error) and {@link PyHANDLE}, with {@link HANDLE} to wrap a handle value.
 * @example
 * ```ts
 * import { HANDLE } from '@waitables/core/pywintypes';
 * const h = HANDLE(rawValueFromElsewhere); // owns it: closed by h.Close() or when collected
 * ```
 * @packageDocumentation
 */
import type { RawHandle } from '../backend.js';
import { Win32Error } from '../errors.js';
import { type ObjectKind, WaitHandle } from '../handle.js';
import { getBackend } from '../load-backend.js';
import { call } from './pywin32-support.js';
import { validateInteger } from '../validate.js';

/** pywintypes.error: `winerror`, `funcname`, `strerror`, `args`. */
export { Win32Error as error };

/**
 * pywin32's PyHANDLE: owns an OS handle, closed by `Close()` or when collected. As in
 * pywin32, a closed handle is the value 0 (`+h`, `Number(h)` and `h.handle` give 0, as
 * `int(h)` does) and any call on it fails with ERROR_INVALID_HANDLE (6).
 * @example
 * ```ts
 * const h = win32event.CreateEvent(null, 0, 0, null);
 * h.Close();
 * +h; // 0
 * ```
 */
export class PyHANDLE extends WaitHandle {
  #kind: ObjectKind | undefined;

  /** @internal Use {@link HANDLE} to wrap a handle value. */
  constructor(raw: RawHandle, kind?: ObjectKind) {
    super(raw);
    this.#kind = kind;
  }

  /** The kind of object, asked of the OS the first time for a handle wrapped by {@link HANDLE}. */
  get kind(): ObjectKind {
    return (this.#kind ??= call(() => getBackend().objectKind(this.handle)));
  }

  /** The handle value; 0 once closed or detached, as in pywin32. */
  override get handle(): RawHandle {
    return this.closed ? 0 : super.handle;
  }

  /** Closes the handle (PyHANDLE.Close); a null handle or a closed one: nothing to do. */
  override close(): void {
    if (!this.closed && super.handle === 0) this.detach();
    else super.close();
  }

  /** Closes the handle (PyHANDLE.Close). */
  Close(): void {
    this.close();
  }

  /** Gives up ownership and returns the handle value (PyHANDLE.Detach); 0 if closed. */
  Detach(): number {
    return this.closed ? 0 : this.detach();
  }

  /** The handle value (0 once closed), as `int(h)` in Python. */
  override valueOf(): number {
    return this.handle;
  }

  /** The handle value (0 once closed): `+h`, `Number(h)`, `` `${h}` ``. */
  [Symbol.toPrimitive](): number {
    return this.handle;
  }
}

/**
 * pywintypes.HANDLE(value): a {@link PyHANDLE} that owns the handle value (it closes it
 * on `Close()` or when collected). `HANDLE()` is a null handle.
 * @example
 * ```ts
 * const h = HANDLE(event.duplicateHandle());
 * win32event.SetEvent(h);
 * h.Close();
 * ```
 */
export function HANDLE(value: number = 0): PyHANDLE {
  return new PyHANDLE(validateInteger(value, 'value', -0x8000_0000_0000, 0x7fff_ffff_ffff));
}
