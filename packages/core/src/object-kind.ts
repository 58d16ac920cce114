/**
 * The kinds of waitable objects, in a module of their own: the backends and the object
 * classes both name them, and the backends must not import the classes (which load the
 * backend).
 */

/** The kinds of waitable objects (`'thread'`: a thread handle of win32process, waitable on Windows; on Linux, see its README). */
export type ObjectKind = 'event' | 'mutex' | 'semaphore' | 'waitable-timer' | 'process' | 'thread';
