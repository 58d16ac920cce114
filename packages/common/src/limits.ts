/** The Win32 limits every package checks arguments against (winbase.h, winnt.h). */

/** A timeout that never expires. */
export const INFINITE = 0xffffffff;
/** Most objects one wait may name (WaitForMultipleObjects). */
export const MAXIMUM_WAIT_OBJECTS = 64;
/** Most units a semaphore can hold. */
export const MAXIMUM_SEMAPHORE_COUNT = 0x7fffffff;
/** Longest object name, in UTF-16 units (MAX_PATH). */
export const MAX_NAME_LENGTH = 260;
