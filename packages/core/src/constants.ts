/**
 * Win32 constants under their Win32 names and values, shared by every backend.
 * @packageDocumentation
 */

// The limits arguments are checked against live in @waitables/common, shared with the
// packages that do not load a backend (@waitables/postgres).
export { INFINITE, MAXIMUM_WAIT_OBJECTS, MAXIMUM_SEMAPHORE_COUNT, MAX_NAME_LENGTH } from '@waitables/common';

/** A wait succeeded: WAIT_OBJECT_0 + i says which object (the i-th) was acquired or signaled. */
export const WAIT_OBJECT_0 = 0x0;
/** A wait acquired a mutex whose owner ended without releasing it (same value as WAIT_ABANDONED_0). */
export const WAIT_ABANDONED = 0x80;
/** A wait acquired an abandoned mutex: WAIT_ABANDONED_0 + i says which (a wait-all: at least one of them). */
export const WAIT_ABANDONED_0 = 0x80;
/** An alertable wait returned to run queued APCs (or I/O completion routines) before anything was signaled. */
export const WAIT_IO_COMPLETION = 0xc0;
/** A wait timed out before anything was signaled. */
export const WAIT_TIMEOUT = 0x102;
/** A wait failed (the backends throw Win32Error instead of returning it). */
export const WAIT_FAILED = 0xffffffff;

/** GetExitCodeProcess's answer while the process runs. */
export const STILL_ACTIVE = 259;

// Standard access rights.
/** Standard right: delete the object. */
export const DELETE = 0x00010000;
/** Standard right: read the object's security descriptor. */
export const READ_CONTROL = 0x00020000;
/** Standard right: change the object's access control list. */
export const WRITE_DAC = 0x00040000;
/** Standard right: change the object's owner. */
export const WRITE_OWNER = 0x00080000;
/** Standard right: wait on the object (every wait needs it). */
export const SYNCHRONIZE = 0x00100000;
/** DELETE, READ_CONTROL, WRITE_DAC and WRITE_OWNER together. */
export const STANDARD_RIGHTS_REQUIRED = 0x000f0000;

// Object-specific access rights.
/** Event right: SetEvent, ResetEvent, PulseEvent. */
export const EVENT_MODIFY_STATE = 0x0002;
/** Every right on an event. */
export const EVENT_ALL_ACCESS = STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x3;
/** Mutex right: reserved by Windows (ReleaseMutex needs only ownership). */
export const MUTEX_MODIFY_STATE = 0x0001;
/** Every right on a mutex. */
export const MUTEX_ALL_ACCESS = STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x1;
/** Semaphore right: ReleaseSemaphore. */
export const SEMAPHORE_MODIFY_STATE = 0x0002;
/** Every right on a semaphore (SEMAPHORE_QUERY_STATE included: query()). */
export const SEMAPHORE_ALL_ACCESS = STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x3;
/** Waitable timer right: read the timer's state. */
export const TIMER_QUERY_STATE = 0x0001;
/** Waitable timer right: SetWaitableTimer, CancelWaitableTimer. */
export const TIMER_MODIFY_STATE = 0x0002;
/** Every right on a waitable timer. */
export const TIMER_ALL_ACCESS = STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x3;
/** Process right: TerminateProcess. */
export const PROCESS_TERMINATE = 0x0001;
/** Process right: GetExitCodeProcess, GetProcessTimes, GetPriorityClass and more. */
export const PROCESS_QUERY_INFORMATION = 0x0400;
/** Process right: the subset of queries that needs less than PROCESS_QUERY_INFORMATION (exit code, times). */
export const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;

// CreateEventEx / CreateMutexEx / CreateWaitableTimerEx flags.
/** CreateEventEx: a manual-reset event (stays set until ResetEvent). */
export const CREATE_EVENT_MANUAL_RESET = 0x1;
/** CreateEventEx: the event starts set. */
export const CREATE_EVENT_INITIAL_SET = 0x2;
/** CreateMutexEx: the calling thread owns the mutex at once. */
export const CREATE_MUTEX_INITIAL_OWNER = 0x1;
/** CreateWaitableTimerEx: a manual-reset (notification) timer. */
export const CREATE_WAITABLE_TIMER_MANUAL_RESET = 0x1;
/** CreateWaitableTimerEx: a high-resolution timer (Windows 10 1803 and later; others fall back to a normal timer). */
export const CREATE_WAITABLE_TIMER_HIGH_RESOLUTION = 0x2;

// DuplicateHandle options.
/** DuplicateHandle: close the source handle. */
export const DUPLICATE_CLOSE_SOURCE = 0x1;
/** DuplicateHandle: the new handle has the access of the source. */
export const DUPLICATE_SAME_ACCESS = 0x2;

// MsgWaitForMultipleObjects wake masks and flags (user32).
/** MsgWaitForMultipleObjects wake mask: a keyboard message. */
export const QS_KEY = 0x0001;
/** Wake mask: a mouse move. */
export const QS_MOUSEMOVE = 0x0002;
/** Wake mask: a mouse button message. */
export const QS_MOUSEBUTTON = 0x0004;
/** Wake mask: a posted message. */
export const QS_POSTMESSAGE = 0x0008;
/** Wake mask: a WM_TIMER message. */
export const QS_TIMER = 0x0010;
/** Wake mask: a WM_PAINT message. */
export const QS_PAINT = 0x0020;
/** Wake mask: a message sent by another thread. */
export const QS_SENDMESSAGE = 0x0040;
/** Wake mask: a WM_HOTKEY message. */
export const QS_HOTKEY = 0x0080;
/** Wake mask: any posted message. */
export const QS_ALLPOSTMESSAGE = 0x0100;
/** Wake mask: raw input. */
export const QS_RAWINPUT = 0x0400;
/** Wake mask: any mouse message. */
export const QS_MOUSE = QS_MOUSEMOVE | QS_MOUSEBUTTON;
/** Wake mask: any input message. */
export const QS_INPUT = QS_MOUSE | QS_KEY | QS_RAWINPUT;
/** Wake mask: input, posted messages, timers, paint and hot keys. */
export const QS_ALLEVENTS = QS_INPUT | QS_POSTMESSAGE | QS_TIMER | QS_PAINT | QS_HOTKEY;
/** Wake mask: any message. */
export const QS_ALLINPUT = QS_ALLEVENTS | QS_SENDMESSAGE;
/** MsgWaitForMultipleObjectsEx: wait for every object and for input. */
export const MWMO_WAITALL = 0x0001;
/** MsgWaitForMultipleObjectsEx: an alertable wait (APCs run). */
export const MWMO_ALERTABLE = 0x0002;
/** MsgWaitForMultipleObjectsEx: return if input is already in the queue, even seen before. */
export const MWMO_INPUTAVAILABLE = 0x0004;
