/**
 * Checks that Windows' kernel makes and Wine's does not (found by running the
 * conformance suite under Wine; the Windows side read from NT's NtReleaseSemaphore,
 * NtSetTimer and ObWaitForMultipleObjects, ReactOS agreeing). On Windows they refuse
 * exactly what the kernel would refuse anyway, with the same code, so they are made
 * everywhere; the two that cost a system call or concern Wine alone are made only
 * under Wine. Each returns the Win32 error to report, or 0.
 */
import { openAccessRefusal } from '../access-rights.js';
import type { RawHandle } from '../backend.js';
import type { ObjectKind } from '../object-kind.js';
import { CURRENT_PROCESS, CURRENT_THREAD } from '../process-backend.js';
import {
  ABOVE_NORMAL_PRIORITY_CLASS,
  BELOW_NORMAL_PRIORITY_CLASS,
  HIGH_PRIORITY_CLASS,
  IDLE_PRIORITY_CLASS,
  NORMAL_PRIORITY_CLASS,
  REALTIME_PRIORITY_CLASS,
} from '../process-constants.js';
import { SYNCHRONIZE, WAIT_OBJECT_0 } from '../constants.js';
import { ERROR_ACCESS_DENIED, ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_NOT_GUI_PROCESS } from '../error-codes.js';
import type { Kernel32 } from './kernel32.js';

export interface WindowsParity {
  /** NtReleaseSemaphore: a count <= 0 is STATUS_INVALID_PARAMETER (Wine adds 0 and overflows on -1). */
  releaseCount(count: number): number;
  /** NtSetTimer: a negative period is STATUS_INVALID_PARAMETER_6 (Wine takes it as unsigned). */
  timerPeriod(periodMs: number): number;
  /**
   * A wait-all naming one object twice, by one handle or two, is STATUS_INVALID_PARAMETER_MIX
   * (Wine waits). Windows references every handle first, so an invalid handle or one
   * without SYNCHRONIZE is reported before the repetition.
   */
  waitAllObjects(handles: readonly RawHandle[]): number;
  /**
   * An Open* asking for no right or for a right the type does not define is refused by
   * Windows (ERROR_ACCESS_DENIED; ACCESS_SYSTEM_SECURITY: ERROR_PRIVILEGE_NOT_HELD);
   * Wine 8 grants it. Made under Wine only (on Windows the kernel decides, with the caller's token).
   */
  openAccess(kind: ObjectKind, access: number): number;
  /** The pseudo handles of the current process and thread in a WaitForMultipleObjects: ERROR_INVALID_HANDLE (Wine waits on them). */
  pseudoHandles(handles: readonly RawHandle[]): number;
  /**
   * TerminateProcess of a process that has exited already: ERROR_ACCESS_DENIED on Windows
   * (documented in its remarks); Wine succeeds. Made under Wine only (it costs a wait).
   */
  terminateExited(process: RawHandle): number;
  /**
   * The priority class CreateProcess's flags ask for, to set on the new process under
   * Wine (Wine 8 starts it in the normal class; Windows honors the flag), or 0.
   */
  creationPriorityClass(flags: number): number;
  /** The error of a failed WaitForInputIdle: Windows says ERROR_NOT_GUI_PROCESS for a console process; Wine sets none. */
  inputIdleError(lastError: number): number;
}

const PRIORITY_CLASSES = [
  IDLE_PRIORITY_CLASS,
  BELOW_NORMAL_PRIORITY_CLASS,
  NORMAL_PRIORITY_CLASS,
  ABOVE_NORMAL_PRIORITY_CLASS,
  HIGH_PRIORITY_CLASS,
  REALTIME_PRIORITY_CLASS,
];

export function windowsParity(k32: Kernel32): WindowsParity {
  const underWine = k32.wine_get_version !== null;
  const compare = underWine ? k32.CompareObjectHandles : null;
  return {
    releaseCount: (count) => (count <= 0 ? ERROR_INVALID_PARAMETER : 0),
    timerPeriod: (periodMs) => (periodMs < 0 ? ERROR_INVALID_PARAMETER : 0),
    waitAllObjects(handles) {
      let repeated = false;
      for (let i = 1; i < handles.length && !repeated; i++) {
        for (let j = 0; j < i && !repeated; j++) {
          repeated = handles[i] === handles[j] || (compare !== null && compare(handles[i]!, handles[j]!) !== 0);
        }
      }
      if (!repeated) return 0;
      const info = new Uint32Array(14);
      for (const handle of handles) {
        if (k32.NtQueryObject(handle, 0, info, info.byteLength, null) !== 0) return ERROR_INVALID_HANDLE;
        if ((info[1]! & SYNCHRONIZE) === 0) return ERROR_ACCESS_DENIED;
      }
      return ERROR_INVALID_PARAMETER;
    },
    openAccess: (kind, access) => (underWine ? openAccessRefusal(kind, access, kind === 'process') : 0),
    pseudoHandles: (handles) => (handles.some((h) => h === CURRENT_PROCESS || h === CURRENT_THREAD) ? ERROR_INVALID_HANDLE : 0),
    terminateExited: (process) =>
      underWine && k32.WaitForMultipleObjectsEx(1, [process], 0, 0, 0) === WAIT_OBJECT_0 ? ERROR_ACCESS_DENIED : 0,
    creationPriorityClass: (flags) => (underWine ? (PRIORITY_CLASSES.find((cls) => flags & cls) ?? 0) : 0),
    inputIdleError: (lastError) => (underWine ? ERROR_NOT_GUI_PROCESS : lastError),
  };
}
