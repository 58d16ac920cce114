/** The Linux namespace's state, for tools and diagnostics. */
import type { NamespaceSnapshot } from './backend.js';
import { NotSupportedError } from './errors.js';
import { getBackend } from './load-backend.js';

/**
 * A snapshot of every object in this user's namespace (Linux): kind, name, state,
 * owner, waiters; taken after reclaiming what dead processes held.
 * Windows has no such view: NotSupportedError.
 * @example
 * ```ts
 * for (const o of inspectNamespace().objects) console.log(o.kind, o.name, o.waiters);
 * ```
 */
export function inspectNamespace(): NamespaceSnapshot {
  const backend = getBackend();
  if (!backend.inspect) throw new NotSupportedError(`inspectNamespace: the ${backend.platform} backend has no shared namespace to inspect`);
  return backend.inspect();
}
