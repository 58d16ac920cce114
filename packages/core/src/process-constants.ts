/**
 * win32process constants under their Win32 names and values: priority classes,
 * creation flags, STARTUPINFO flags, thread priorities and process access rights.
 * @packageDocumentation
 */

// Priority classes (Get/SetPriorityClass, CreateProcess flags).
/** Priority class: runs only when the system is idle (Linux: nice 19). */
export const IDLE_PRIORITY_CLASS = 0x40;
/** Priority class: below normal (Linux: nice 10). */
export const BELOW_NORMAL_PRIORITY_CLASS = 0x4000;
/** Priority class: normal (Linux: nice 0). */
export const NORMAL_PRIORITY_CLASS = 0x20;
/** Priority class: above normal (Linux: nice -7). */
export const ABOVE_NORMAL_PRIORITY_CLASS = 0x8000;
/** Priority class: high (Linux: nice -14). */
export const HIGH_PRIORITY_CLASS = 0x80;
/** Priority class: real time (Linux: nice -20). */
export const REALTIME_PRIORITY_CLASS = 0x100;
/** SetPriorityClass on the current process: background processing mode (Windows only). */
export const PROCESS_MODE_BACKGROUND_BEGIN = 0x00100000;
/** SetPriorityClass on the current process: end of background processing mode (Windows only). */
export const PROCESS_MODE_BACKGROUND_END = 0x00200000;

// CreateProcess creation flags.
/** CreateProcess: debug the child and its children (Windows only). */
export const DEBUG_PROCESS = 0x1;
/** CreateProcess: debug the child (Windows only). */
export const DEBUG_ONLY_THIS_PROCESS = 0x2;
/** CreateProcess: the primary thread starts suspended (Windows only). */
export const CREATE_SUSPENDED = 0x4;
/** CreateProcess: no console (Linux: the child's standard streams are /dev/null). */
export const DETACHED_PROCESS = 0x8;
/** CreateProcess: a new console window (Windows only). */
export const CREATE_NEW_CONSOLE = 0x10;
/** CreateProcess: the child leads a new process group. */
export const CREATE_NEW_PROCESS_GROUP = 0x200;
/** CreateProcess: the environment block is UTF-16 (always, here). */
export const CREATE_UNICODE_ENVIRONMENT = 0x400;
/** CreateProcess: 16-bit applications (obsolete). */
export const CREATE_SEPARATE_WOW_VDM = 0x800;
/** CreateProcess: 16-bit applications (obsolete). */
export const CREATE_SHARED_WOW_VDM = 0x1000;
/** CreateProcess: the child inherits the parent's affinity. */
export const INHERIT_PARENT_AFFINITY = 0x10000;
/** CreateProcess: a protected process (Windows only). */
export const CREATE_PROTECTED_PROCESS = 0x40000;
/** CreateProcess: STARTUPINFOEX (not supported). */
export const EXTENDED_STARTUPINFO_PRESENT = 0x80000;
/** CreateProcess: the child is not part of the parent's job. */
export const CREATE_BREAKAWAY_FROM_JOB = 0x01000000;
/** CreateProcess: keep the parent's code authorization level (Windows only). */
export const CREATE_PRESERVE_CODE_AUTHZ_LEVEL = 0x02000000;
/** CreateProcess: the child does not inherit the error mode. */
export const CREATE_DEFAULT_ERROR_MODE = 0x04000000;
/** CreateProcess: a console application without a console window. */
export const CREATE_NO_WINDOW = 0x08000000;

// STARTUPINFO.dwFlags.
/** STARTUPINFO.dwFlags: use wShowWindow. */
export const STARTF_USESHOWWINDOW = 0x1;
/** STARTUPINFO.dwFlags: use the window size (not passed here). */
export const STARTF_USESIZE = 0x2;
/** STARTUPINFO.dwFlags: use the window position (not passed here). */
export const STARTF_USEPOSITION = 0x4;
/** STARTUPINFO.dwFlags: use the console buffer size (not passed here). */
export const STARTF_USECOUNTCHARS = 0x8;
/** STARTUPINFO.dwFlags: use the console colors (not passed here). */
export const STARTF_USEFILLATTRIBUTE = 0x10;
/** STARTUPINFO.dwFlags: full-screen console. */
export const STARTF_RUNFULLSCREEN = 0x20;
/** STARTUPINFO.dwFlags: busy cursor while starting. */
export const STARTF_FORCEONFEEDBACK = 0x40;
/** STARTUPINFO.dwFlags: no busy cursor while starting. */
export const STARTF_FORCEOFFFEEDBACK = 0x80;
/** STARTUPINFO.dwFlags: use hStdInput, hStdOutput and hStdError (Windows only). */
export const STARTF_USESTDHANDLES = 0x100;

// ShowWindow values (STARTUPINFO.wShowWindow).
/** wShowWindow: hidden. */
export const SW_HIDE = 0;
/** wShowWindow: shown normally. */
export const SW_SHOWNORMAL = 1;
/** wShowWindow: minimized. */
export const SW_SHOWMINIMIZED = 2;
/** wShowWindow: maximized. */
export const SW_SHOWMAXIMIZED = 3;
/** wShowWindow: shown, not activated. */
export const SW_SHOWNOACTIVATE = 4;
/** wShowWindow: shown. */
export const SW_SHOW = 5;
/** wShowWindow: minimized, the next window activated. */
export const SW_MINIMIZE = 6;
/** wShowWindow: minimized, not activated. */
export const SW_SHOWMINNOACTIVE = 7;
/** wShowWindow: shown in its current state, not activated. */
export const SW_SHOWNA = 8;
/** wShowWindow: restored. */
export const SW_RESTORE = 9;
/** wShowWindow: the program's default. */
export const SW_SHOWDEFAULT = 10;

// Thread priorities.
/** Thread priority: idle (Linux: nice 19). */
export const THREAD_PRIORITY_IDLE = -15;
/** Thread priority: two below normal (Linux: nice +4). */
export const THREAD_PRIORITY_LOWEST = -2;
/** Thread priority: one below normal (Linux: nice +2). */
export const THREAD_PRIORITY_BELOW_NORMAL = -1;
/** Thread priority: normal. */
export const THREAD_PRIORITY_NORMAL = 0;
/** Thread priority: one above normal (Linux: nice -2). */
export const THREAD_PRIORITY_ABOVE_NORMAL = 1;
/** Thread priority: two above normal (Linux: nice -4). */
export const THREAD_PRIORITY_HIGHEST = 2;
/** Thread priority: time critical (Linux: nice -20). */
export const THREAD_PRIORITY_TIME_CRITICAL = 15;

// Process access rights (beyond those in constants.ts).
/** Process access right: create a thread in it. */
export const PROCESS_CREATE_THREAD = 0x0002;
/** Process access right: set its session id. */
export const PROCESS_SET_SESSIONID = 0x0004;
/** Process access right: operate on its address space. */
export const PROCESS_VM_OPERATION = 0x0008;
/** Process access right: read its memory. */
export const PROCESS_VM_READ = 0x0010;
/** Process access right: write its memory. */
export const PROCESS_VM_WRITE = 0x0020;
/** Process access right: duplicate its handles. */
export const PROCESS_DUP_HANDLE = 0x0040;
/** Process access right: create a process with it as parent. */
export const PROCESS_CREATE_PROCESS = 0x0080;
/** Process access right: set its memory limits. */
export const PROCESS_SET_QUOTA = 0x0100;
/** Process access right: set its priority class or affinity. */
export const PROCESS_SET_INFORMATION = 0x0200;
/** Process access right: suspend or resume it. */
export const PROCESS_SUSPEND_RESUME = 0x0800;
/** Every process access right. */
export const PROCESS_ALL_ACCESS = 0x001fffff;
/** Every thread access right. */
export const THREAD_ALL_ACCESS = 0x001fffff;

// Generic access rights.
/** Generic right: each type's read rights. */
export const GENERIC_READ = 0x80000000;
/** Generic right: each type's write rights (an event's or semaphore's MODIFY_STATE). */
export const GENERIC_WRITE = 0x40000000;
/** Generic right: each type's execute rights (SYNCHRONIZE: wait). */
export const GENERIC_EXECUTE = 0x20000000;
/** Generic right: all of the type's rights. */
export const GENERIC_ALL = 0x10000000;
/** Every right the caller may have. */
export const MAXIMUM_ALLOWED = 0x02000000;
/** Access to the SACL: needs SeSecurityPrivilege (ERROR_PRIVILEGE_NOT_HELD without it). */
export const ACCESS_SYSTEM_SECURITY = 0x01000000;
