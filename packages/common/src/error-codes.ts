/**
 * The Win32 error codes this library can report, with their names and the system
 * messages Windows gives for them. Both backends report through this one table, so an
 * error reads the same on Linux and on Windows.
 */
export const ERROR_SUCCESS = 0;
/** No object of that name: an Open* call (OpenMutex, OpenSemaphore, ...) of a name nobody created. */
export const ERROR_FILE_NOT_FOUND = 2;
/** The system cannot find the path specified: a name under a namespace prefix that does not exist. */
export const ERROR_PATH_NOT_FOUND = 3;
/** Access is denied: the handle lacks the right the call needs, or the object belongs to someone who did not grant it. */
export const ERROR_ACCESS_DENIED = 5;
/** The handle is invalid: closed, never opened, or a name taken by an object of another kind. */
export const ERROR_INVALID_HANDLE = 6;
/** Not enough memory resources: a table of the Linux namespace (objects, handles, threads, holdings) is full. */
export const ERROR_NOT_ENOUGH_MEMORY = 8;
/** The request is not supported (for example a wait that cannot take a crash-safe semaphore atomically). */
export const ERROR_NOT_SUPPORTED = 50;
/** The parameter is incorrect: a value the OS itself refuses (a repeated object in a wait-all, a process id that does not exist...). */
export const ERROR_INVALID_PARAMETER = 87;
/** The name has a syntax the OS refuses. */
export const ERROR_INVALID_NAME = 123;
/** The specified path is invalid: a name with a backslash where the namespace allows none. */
export const ERROR_BAD_PATHNAME = 161;
/** The name was taken: a Create* call opened the existing object (its `existed` is true), or a name of another kind. */
export const ERROR_ALREADY_EXISTS = 183;
/** The directory name is invalid (CreateProcess's current directory). */
export const ERROR_DIRECTORY = 267;
/** The name is longer than MAX_PATH (260 characters). */
export const ERROR_FILENAME_EXCED_RANGE = 206;
/** Attempt to release a mutex not owned by the caller (ReleaseMutex by another thread, or after the lock was lost). */
export const ERROR_NOT_OWNER = 288;
/** Too many posts were made to a semaphore: a release past its maximum count (the count is unchanged). */
export const ERROR_TOO_MANY_POSTS = 298;
/** A required privilege is not held by the client (ACCESS_SYSTEM_SECURITY without SeSecurityPrivilege). */
export const ERROR_PRIVILEGE_NOT_HELD = 1314;
/** This operation returned because the timeout period expired. */
export const ERROR_TIMEOUT = 1460;
/** WaitForInputIdle on a process that is not a GUI process (it has no message queue). */
export const ERROR_NOT_GUI_PROCESS = 1471;

const table: Record<number, readonly [name: string, message: string]> = {
  [ERROR_SUCCESS]: ['ERROR_SUCCESS', 'The operation completed successfully.'],
  [ERROR_FILE_NOT_FOUND]: ['ERROR_FILE_NOT_FOUND', 'The system cannot find the file specified.'],
  [ERROR_PATH_NOT_FOUND]: ['ERROR_PATH_NOT_FOUND', 'The system cannot find the path specified.'],
  [ERROR_ACCESS_DENIED]: ['ERROR_ACCESS_DENIED', 'Access is denied.'],
  [ERROR_INVALID_HANDLE]: ['ERROR_INVALID_HANDLE', 'The handle is invalid.'],
  [ERROR_NOT_ENOUGH_MEMORY]: ['ERROR_NOT_ENOUGH_MEMORY', 'Not enough memory resources are available to process this command.'],
  [ERROR_NOT_SUPPORTED]: ['ERROR_NOT_SUPPORTED', 'The request is not supported.'],
  [ERROR_INVALID_PARAMETER]: ['ERROR_INVALID_PARAMETER', 'The parameter is incorrect.'],
  [ERROR_INVALID_NAME]: ['ERROR_INVALID_NAME', 'The filename, directory name, or volume label syntax is incorrect.'],
  [ERROR_BAD_PATHNAME]: ['ERROR_BAD_PATHNAME', 'The specified path is invalid.'],
  [ERROR_ALREADY_EXISTS]: ['ERROR_ALREADY_EXISTS', 'Cannot create a file when that file already exists.'],
  [ERROR_DIRECTORY]: ['ERROR_DIRECTORY', 'The directory name is invalid.'],
  [ERROR_FILENAME_EXCED_RANGE]: ['ERROR_FILENAME_EXCED_RANGE', 'The filename or extension is too long.'],
  [ERROR_NOT_OWNER]: ['ERROR_NOT_OWNER', 'Attempt to release mutex not owned by caller.'],
  [ERROR_TOO_MANY_POSTS]: ['ERROR_TOO_MANY_POSTS', 'Too many posts were made to a semaphore.'],
  [ERROR_NOT_GUI_PROCESS]: ['ERROR_NOT_GUI_PROCESS', 'The current process is not a GUI process.'],
  [ERROR_PRIVILEGE_NOT_HELD]: ['ERROR_PRIVILEGE_NOT_HELD', 'A required privilege is not held by the client.'],
  [ERROR_TIMEOUT]: ['ERROR_TIMEOUT', 'This operation returned because the timeout period expired.'],
};

/** The symbolic name of a Win32 error code, or `ERROR_<n>` for one this table lacks. */
export function win32ErrorName(code: number): string {
  return table[code]?.[0] ?? `ERROR_${code}`;
}

/** The system message of a Win32 error code (Windows' English text). */
export function win32ErrorMessage(code: number): string {
  return table[code]?.[1] ?? `Win32 error ${code}.`;
}
