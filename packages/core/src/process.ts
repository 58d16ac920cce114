/**
 * Process handles: a process's exit as a waitable object.
 */
import type { RawHandle } from './backend.js';
import { PROCESS_QUERY_LIMITED_INFORMATION, SYNCHRONIZE } from './constants.js';
import { WaitHandle } from './handle.js';
import { getBackend } from './load-backend.js';
import { validateAccess, validateInteger, validateObject, validateHandle } from './validate.js';

/**
 * The options of {@link Process.open}.
 * @example
 * ```ts
 * using child = Process.open(pid, { access: SYNCHRONIZE });
 * ```
 */
export interface ProcessOpenOptions {
  /** Access rights. Default: SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION. */
  readonly access?: number;
}

/**
 * A handle to a process, signaled once the process has exited. The handle keeps
 * identifying that process even if its pid is reused.
 * @example
 * ```ts
 * using child = Process.open(pid);
 * child.wait();
 * console.log('exit code', child.exitCode);
 * ```
 */
export class Process extends WaitHandle {
  readonly kind = 'process';

  private constructor(raw: RawHandle) {
    super(raw);
  }

  /** Opens the process `pid`. None such: Win32Error ERROR_INVALID_PARAMETER (as Windows says). */
  static open(pid: number, options: ProcessOpenOptions = {}): Process {
    validateInteger(pid, 'pid', 0, 0xffffffff);
    const opts = validateObject(options, 'options');
    const access =
      opts.access === undefined ? SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION : validateAccess(opts.access, 'options.access');
    return new Process(getBackend().openProcess(pid, access, false));
  }

  /** Adopts a raw process handle; the new object owns it. */
  static fromHandle(handle: RawHandle): Process {
    return new Process(validateHandle(handle, 'handle'));
  }

  /** This process's id (GetCurrentProcessId). */
  static currentPid(): number {
    return getBackend().getCurrentProcessId();
  }

  /** The exit code once the process has exited, `null` while it runs. */
  get exitCode(): number | null {
    if (this.wait(0) === 'timeout') return null;
    return getBackend().getExitCodeProcess(this.handle);
  }
}
