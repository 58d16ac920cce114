/**
 * Access masks as Windows' object manager judges them when a handle is made. The Linux
 * backend grants by these rules, so that a handle's rights there are the rights Windows
 * would have granted; the Windows backend uses them under Wine, whose kernel32 grants
 * masks Windows refuses (see docs/wine.md):
 *
 * - GENERIC_READ/WRITE/EXECUTE/ALL become the object type's specific rights (each
 *   type's GENERIC_MAPPING; Wine's advapi32 security tests list them and pass on Windows);
 * - MAXIMUM_ALLOWED becomes everything the type defines (the namespace is private to its
 *   user, whose default DACL grants the owner all access);
 * - a right the type does not define is refused with ERROR_ACCESS_DENIED, and
 *   ACCESS_SYSTEM_SECURITY with ERROR_PRIVILEGE_NOT_HELD (no process here holds
 *   SeSecurityPrivilege): Wine's kernel32 sync test `test_mutex` opens a mutex with
 *   each single bit and expects exactly these refusals on Windows;
 * - an open asking for no right at all is ERROR_ACCESS_DENIED (the access check grants
 *   nothing, and Windows refuses a handle that grants nothing); process handles keep
 *   an empty mask (Windows' answer for them was not checked).
 *
 * A Create* that makes a new object grants what it asks for, generic rights mapped.
 */
import { SYNCHRONIZE } from './constants.js';
import { ERROR_ACCESS_DENIED, ERROR_PRIVILEGE_NOT_HELD } from './error-codes.js';
import { Win32Error } from './errors.js';
import type { ObjectKind } from './object-kind.js';
import { ACCESS_SYSTEM_SECURITY, GENERIC_ALL, GENERIC_EXECUTE, GENERIC_READ, GENERIC_WRITE, MAXIMUM_ALLOWED } from './process-constants.js';

const STANDARD_READ = 0x00020000; // READ_CONTROL: STANDARD_RIGHTS_READ, _WRITE and _EXECUTE alike
const STANDARD_REQUIRED = 0x000f0000;

interface GenericMapping {
  readonly read: number;
  readonly write: number;
  readonly execute: number;
  readonly all: number;
}

/** query = 1 and modify = 2 for events, semaphores and timers; mutexes have only query. */
function syncMapping(specific: number, modify: number): GenericMapping {
  return {
    read: STANDARD_READ | 0x1,
    write: STANDARD_READ | modify,
    execute: STANDARD_READ | SYNCHRONIZE,
    all: STANDARD_REQUIRED | SYNCHRONIZE | specific,
  };
}

const PROCESS_MAPPING: GenericMapping = { read: 0x00020410, write: 0x00020bea, execute: 0x00121001, all: 0x001fffff };

const MAPPINGS: Record<ObjectKind, GenericMapping> = {
  event: syncMapping(0x3, 0x2),
  mutex: syncMapping(0x1, 0),
  semaphore: syncMapping(0x3, 0x2),
  'waitable-timer': syncMapping(0x3, 0x2),
  // Windows 10's process type: read = VM_READ | QUERY_INFORMATION; write = the state-changing
  // rights; execute = SYNCHRONIZE | QUERY_LIMITED_INFORMATION | TERMINATE; all = PROCESS_ALL_ACCESS.
  process: PROCESS_MAPPING,
  // Thread: read = GET_CONTEXT | QUERY_INFORMATION; write = the state-changing rights; execute adds SYNCHRONIZE.
  thread: { read: 0x00020048, write: 0x00020037, execute: 0x00121800, all: 0x001fffff },
};

/** `desired` with its generic rights and MAXIMUM_ALLOWED replaced by the type's specific rights. */
export function mapGenericAccess(kind: ObjectKind, desired: number): number {
  const mapping = MAPPINGS[kind];
  let access = desired >>> 0;
  if (access & GENERIC_READ) access |= mapping.read;
  if (access & GENERIC_WRITE) access |= mapping.write;
  if (access & GENERIC_EXECUTE) access |= mapping.execute;
  if (access & (GENERIC_ALL | MAXIMUM_ALLOWED)) access |= mapping.all;
  return (access & ~(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL | MAXIMUM_ALLOWED)) >>> 0;
}

/**
 * The rights a handle opening an existing object of `kind` holds for `desired`, or the
 * refusal Windows gives. `allowEmpty` keeps an empty mask (process handles, where
 * Windows' answer to an empty mask was not checked).
 */
export function openAccess(kind: ObjectKind, desired: number, syscall: string, allowEmpty = false): number {
  const refusal = openAccessRefusal(kind, desired, allowEmpty);
  if (refusal !== 0) throw new Win32Error(refusal, syscall);
  return mapGenericAccess(kind, desired);
}

/** The Win32 error with which Windows refuses to open an object of `kind` for `desired`, or 0. */
export function openAccessRefusal(kind: ObjectKind, desired: number, allowEmpty = false): number {
  if ((desired >>> 0) & ACCESS_SYSTEM_SECURITY) return ERROR_PRIVILEGE_NOT_HELD;
  const access = mapGenericAccess(kind, desired);
  if ((access & ~MAPPINGS[kind].all) !== 0) return ERROR_ACCESS_DENIED;
  if (access === 0 && !allowEmpty) return ERROR_ACCESS_DENIED;
  return 0;
}
