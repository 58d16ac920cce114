/**
 * Object names as Windows parses them: `Local\name`, `Session\<n>\name` and a bare
 * `name` are the session namespace, `Global\name` the global one; any other backslash is a path that does not
 * exist. Names are stored in the region as UTF-16 and compared exactly (case-sensitive).
 * A name is never a file path, so it cannot escape the namespace.
 */
import { ERROR_BAD_PATHNAME, ERROR_FILENAME_EXCED_RANGE, ERROR_INVALID_NAME, ERROR_PATH_NOT_FOUND } from '../error-codes.js';
import { Win32Error } from '../errors.js';
import { KIND, LIMITS, NS_GLOBAL, NS_LOCAL, O, objectWord, H } from './layout.js';
import type { Namespace } from './namespace.js';

export interface ParsedName {
  readonly namespace: number;
  readonly key: string;
  readonly hash: number;
}

/** FNV-1a over UTF-16 code units. */
function hashOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h | 0;
}

export function parseName(name: string, syscall: string): ParsedName {
  let namespace = NS_LOCAL;
  let key = name;
  // `Session\<n>\` names a session's namespace; Linux has one session per user: the local one.
  const session = /^Session\\\d+\\/.exec(name);
  if (session) key = name.slice(session[0].length);
  else if (name.startsWith('Local\\')) key = name.slice(6);
  else if (name.startsWith('Global\\')) {
    namespace = NS_GLOBAL;
    key = name.slice(7);
  }
  if (key.startsWith('\\')) throw new Win32Error(ERROR_BAD_PATHNAME, syscall);
  if (key === '') throw new Win32Error(ERROR_INVALID_NAME, syscall);
  if (key.includes('\\')) throw new Win32Error(ERROR_PATH_NOT_FOUND, syscall);
  if (key.length > LIMITS.nameUnits) throw new Win32Error(ERROR_FILENAME_EXCED_RANGE, syscall);
  return { namespace, key, hash: hashOf(key) };
}

/** The live object of that name, or -1. */
export function lookupName(ns: Namespace, name: ParsedName): number {
  const high = ns.r(H.objectsHigh);
  for (let obj = 0; obj < high && obj < LIMITS.objects; obj++) {
    if (ns.r(objectWord(obj, O.kind)) === KIND.free) continue;
    if (ns.r(objectWord(obj, O.nameHash)) !== name.hash || ns.r(objectWord(obj, O.nameLength)) !== name.key.length) continue;
    if (ns.r(objectWord(obj, O.namespace)) !== name.namespace) continue;
    const at = obj * LIMITS.nameUnits;
    let same = true;
    for (let i = 0; i < name.key.length && same; i++) same = ns.names[at + i] === name.key.charCodeAt(i);
    if (same) return obj;
  }
  return -1;
}

/** Names a new object. Its name units are written at once: the slot is invisible until the transaction commits. */
export function setName(ns: Namespace, obj: number, name: ParsedName): void {
  const at = obj * LIMITS.nameUnits;
  for (let i = 0; i < name.key.length; i++) ns.names[at + i] = name.key.charCodeAt(i);
  ns.w(objectWord(obj, O.nameLength), name.key.length);
  ns.w(objectWord(obj, O.nameHash), name.hash);
  ns.w(objectWord(obj, O.namespace), name.namespace);
}
