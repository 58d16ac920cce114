/**
 * win32process constants under their Win32 names and values: priority classes,
 * creation flags, STARTUPINFO flags, thread priorities and process access rights.
 * @packageDocumentation
 */

// Priority classes (Get/SetPriorityClass, CreateProcess flags).
export const IDLE_PRIORITY_CLASS = 0x40;
export const BELOW_NORMAL_PRIORITY_CLASS = 0x4000;
export const NORMAL_PRIORITY_CLASS = 0x20;
export const ABOVE_NORMAL_PRIORITY_CLASS = 0x8000;
export const HIGH_PRIORITY_CLASS = 0x80;
export const REALTIME_PRIORITY_CLASS = 0x100;
export const PROCESS_MODE_BACKGROUND_BEGIN = 0x00100000;
export const PROCESS_MODE_BACKGROUND_END = 0x00200000;

// CreateProcess creation flags.
export const DEBUG_PROCESS = 0x1;
export const DEBUG_ONLY_THIS_PROCESS = 0x2;
export const CREATE_SUSPENDED = 0x4;
export const DETACHED_PROCESS = 0x8;
export const CREATE_NEW_CONSOLE = 0x10;
export const CREATE_NEW_PROCESS_GROUP = 0x200;
export const CREATE_UNICODE_ENVIRONMENT = 0x400;
export const CREATE_SEPARATE_WOW_VDM = 0x800;
export const CREATE_SHARED_WOW_VDM = 0x1000;
export const INHERIT_PARENT_AFFINITY = 0x10000;
export const CREATE_PROTECTED_PROCESS = 0x40000;
export const EXTENDED_STARTUPINFO_PRESENT = 0x80000;
export const CREATE_BREAKAWAY_FROM_JOB = 0x01000000;
export const CREATE_PRESERVE_CODE_AUTHZ_LEVEL = 0x02000000;
export const CREATE_DEFAULT_ERROR_MODE = 0x04000000;
export const CREATE_NO_WINDOW = 0x08000000;

// STARTUPINFO.dwFlags.
export const STARTF_USESHOWWINDOW = 0x1;
export const STARTF_USESIZE = 0x2;
export const STARTF_USEPOSITION = 0x4;
export const STARTF_USECOUNTCHARS = 0x8;
export const STARTF_USEFILLATTRIBUTE = 0x10;
export const STARTF_RUNFULLSCREEN = 0x20;
export const STARTF_FORCEONFEEDBACK = 0x40;
export const STARTF_FORCEOFFFEEDBACK = 0x80;
export const STARTF_USESTDHANDLES = 0x100;

// ShowWindow values (STARTUPINFO.wShowWindow).
export const SW_HIDE = 0;
export const SW_SHOWNORMAL = 1;
export const SW_SHOWMINIMIZED = 2;
export const SW_SHOWMAXIMIZED = 3;
export const SW_SHOWNOACTIVATE = 4;
export const SW_SHOW = 5;
export const SW_MINIMIZE = 6;
export const SW_SHOWMINNOACTIVE = 7;
export const SW_SHOWNA = 8;
export const SW_RESTORE = 9;
export const SW_SHOWDEFAULT = 10;

// Thread priorities.
export const THREAD_PRIORITY_IDLE = -15;
export const THREAD_PRIORITY_LOWEST = -2;
export const THREAD_PRIORITY_BELOW_NORMAL = -1;
export const THREAD_PRIORITY_NORMAL = 0;
export const THREAD_PRIORITY_ABOVE_NORMAL = 1;
export const THREAD_PRIORITY_HIGHEST = 2;
export const THREAD_PRIORITY_TIME_CRITICAL = 15;

// Process access rights (beyond those in constants.ts).
export const PROCESS_CREATE_THREAD = 0x0002;
export const PROCESS_SET_SESSIONID = 0x0004;
export const PROCESS_VM_OPERATION = 0x0008;
export const PROCESS_VM_READ = 0x0010;
export const PROCESS_VM_WRITE = 0x0020;
export const PROCESS_DUP_HANDLE = 0x0040;
export const PROCESS_CREATE_PROCESS = 0x0080;
export const PROCESS_SET_QUOTA = 0x0100;
export const PROCESS_SET_INFORMATION = 0x0200;
export const PROCESS_SUSPEND_RESUME = 0x0800;
export const PROCESS_ALL_ACCESS = 0x001fffff;
export const THREAD_ALL_ACCESS = 0x001fffff;

// Generic access rights.
export const GENERIC_READ = 0x80000000;
export const GENERIC_WRITE = 0x40000000;
export const GENERIC_EXECUTE = 0x20000000;
export const GENERIC_ALL = 0x10000000;
export const MAXIMUM_ALLOWED = 0x02000000;
export const ACCESS_SYSTEM_SECURITY = 0x01000000;
