/**
 * Win32 constants under their Win32 names and values, shared by every backend.
 * @packageDocumentation
 */

// The limits arguments are checked against live in @waitables/common, shared with the
// packages that do not load a backend (@waitables/postgres).
export { INFINITE, MAXIMUM_WAIT_OBJECTS, MAXIMUM_SEMAPHORE_COUNT, MAX_NAME_LENGTH } from '@waitables/common';

export const WAIT_OBJECT_0 = 0x0;
export const WAIT_ABANDONED = 0x80;
export const WAIT_ABANDONED_0 = 0x80;
export const WAIT_IO_COMPLETION = 0xc0;
export const WAIT_TIMEOUT = 0x102;
export const WAIT_FAILED = 0xffffffff;

/** GetExitCodeProcess's answer while the process runs. */
export const STILL_ACTIVE = 259;

// Standard access rights.
export const DELETE = 0x00010000;
export const READ_CONTROL = 0x00020000;
export const WRITE_DAC = 0x00040000;
export const WRITE_OWNER = 0x00080000;
export const SYNCHRONIZE = 0x00100000;
export const STANDARD_RIGHTS_REQUIRED = 0x000f0000;

// Object-specific access rights.
export const EVENT_MODIFY_STATE = 0x0002;
export const EVENT_ALL_ACCESS = STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x3;
export const MUTEX_MODIFY_STATE = 0x0001;
export const MUTEX_ALL_ACCESS = STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x1;
export const SEMAPHORE_MODIFY_STATE = 0x0002;
export const SEMAPHORE_ALL_ACCESS = STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x3;
export const TIMER_QUERY_STATE = 0x0001;
export const TIMER_MODIFY_STATE = 0x0002;
export const TIMER_ALL_ACCESS = STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x3;
export const PROCESS_TERMINATE = 0x0001;
export const PROCESS_QUERY_INFORMATION = 0x0400;
export const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;

// CreateEventEx / CreateMutexEx / CreateWaitableTimerEx flags.
export const CREATE_EVENT_MANUAL_RESET = 0x1;
export const CREATE_EVENT_INITIAL_SET = 0x2;
export const CREATE_MUTEX_INITIAL_OWNER = 0x1;
export const CREATE_WAITABLE_TIMER_MANUAL_RESET = 0x1;
export const CREATE_WAITABLE_TIMER_HIGH_RESOLUTION = 0x2;

// DuplicateHandle options.
export const DUPLICATE_CLOSE_SOURCE = 0x1;
export const DUPLICATE_SAME_ACCESS = 0x2;

// MsgWaitForMultipleObjects wake masks and flags (user32).
export const QS_KEY = 0x0001;
export const QS_MOUSEMOVE = 0x0002;
export const QS_MOUSEBUTTON = 0x0004;
export const QS_POSTMESSAGE = 0x0008;
export const QS_TIMER = 0x0010;
export const QS_PAINT = 0x0020;
export const QS_SENDMESSAGE = 0x0040;
export const QS_HOTKEY = 0x0080;
export const QS_ALLPOSTMESSAGE = 0x0100;
export const QS_RAWINPUT = 0x0400;
export const QS_MOUSE = QS_MOUSEMOVE | QS_MOUSEBUTTON;
export const QS_INPUT = QS_MOUSE | QS_KEY | QS_RAWINPUT;
export const QS_ALLEVENTS = QS_INPUT | QS_POSTMESSAGE | QS_TIMER | QS_PAINT | QS_HOTKEY;
export const QS_ALLINPUT = QS_ALLEVENTS | QS_SENDMESSAGE;
export const MWMO_WAITALL = 0x0001;
export const MWMO_ALERTABLE = 0x0002;
export const MWMO_INPUTAVAILABLE = 0x0004;
