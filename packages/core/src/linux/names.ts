/**
 * Object names as Windows parses them: `Local\name`, `Session\<n>\name` and a bare
 * `name` are the session namespace, `Global\name` the global one; any other backslash is a path that does not
 * exist. Names are stored in the region as UTF-16 and compared exactly (case-sensitive).
 * A name is never a file path, so it cannot escape the namespace.
 */
import { ERROR_BAD_PATHNAME, ERROR_FILENAME_EXCED_RANGE, ERROR_INVALID_NAME, ERROR_PATH_NOT_FOUND } from '../error-codes.js';
import { Win32Error } from '../errors.js';
import { KIND, LIMITS, NS_GLOBAL, NS_LOCAL, O, nameBucketWord, objectWord } from './layout.js';
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

/**
 * The live object of that name, or -1: a walk of its bucket's chain in the name index
 * (O(1) on average: the index has twice as many buckets as there are objects).
 */
export function lookupName(ns: Namespace, name: ParsedName): number {
  let steps = 0;
  for (let link = ns.r(nameBucketWord(name.hash)); link !== 0; link = ns.r(objectWord(link - 1, O.nameNext))) {
    const obj = link - 1;
    if (!(obj >= 0 && obj < LIMITS.objects) || ++steps > LIMITS.objects) throw ns.damaged('the name index');
    if (ns.r(objectWord(obj, O.kind)) === KIND.free) throw ns.damaged('the name index names a free object');
    if (ns.r(objectWord(obj, O.nameHash)) !== name.hash || ns.r(objectWord(obj, O.nameLength)) !== name.key.length) continue;
    if (ns.r(objectWord(obj, O.namespace)) !== name.namespace) continue;
    const at = obj * LIMITS.nameUnits;
    let same = true;
    for (let i = 0; i < name.key.length && same; i++) same = ns.names[at + i] === name.key.charCodeAt(i);
    if (same) return obj;
  }
  return -1;
}

/**
 * Names a new object and puts it first in its bucket's chain. Its name units are written
 * at once: the object is invisible until the transaction that links it commits.
 */
export function setName(ns: Namespace, obj: number, name: ParsedName): void {
  const at = obj * LIMITS.nameUnits;
  for (let i = 0; i < name.key.length; i++) ns.names[at + i] = name.key.charCodeAt(i);
  ns.w(objectWord(obj, O.nameLength), name.key.length);
  ns.w(objectWord(obj, O.nameHash), name.hash);
  ns.w(objectWord(obj, O.namespace), name.namespace);
  const bucket = nameBucketWord(name.hash);
  ns.w(objectWord(obj, O.nameNext), ns.r(bucket));
  ns.w(bucket, obj + 1);
}

/** Takes a named object that is being freed out of its bucket's chain. */
export function unlinkName(ns: Namespace, obj: number): void {
  const bucket = nameBucketWord(ns.r(objectWord(obj, O.nameHash)));
  let previous = -1;
  let steps = 0;
  for (let link = ns.r(bucket); link !== 0; link = ns.r(objectWord(link - 1, O.nameNext))) {
    if (!(link > 0 && link <= LIMITS.objects) || ++steps > LIMITS.objects) throw ns.damaged('the name index');
    if (link - 1 === obj) {
      const next = ns.r(objectWord(obj, O.nameNext));
      ns.w(previous < 0 ? bucket : objectWord(previous, O.nameNext), next);
      ns.w(objectWord(obj, O.nameNext), 0);
      return;
    }
    previous = link - 1;
  }
  throw ns.damaged('a named object missing from the name index');
}
