/**
 * Ownership that cannot cross threads or processes. A lock or permit is held by the
 * thread that acquired it (the OS's owner of a mutex, this thread's keep-alive and
 * queues), so a structured clone of it would be a copy that holds nothing. Structured
 * cloning (postMessage, structuredClone) copies own enumerable properties and refuses a
 * symbol with a DataCloneError naming the symbol: one such property makes the refusal
 * say why, instead of quoting whatever internal value it met first.
 */

/**
 * Makes `target` refuse structured cloning with a DataCloneError whose message is
 * `message` (say what to do instead).
 * @example
 * ```ts
 * refuseCloning(this, 'a Lock cannot be sent to another thread or process: release it here and acquire the mutex there');
 * ```
 */
export function refuseCloning(target: object, message: string): void {
  const refusal = refusalFor(message);
  // Cloning meets properties in their order: this one must come first. Called before any
  // own property is set (the fast path, taken for every lock and permit: one shape for
  // all of them), it is simply added; otherwise the fields set already are moved after it,
  // unchanged (which leaves the object in V8's slow dictionary mode).
  if (Object.keys(target).length === 0 && Object.getOwnPropertyNames(target).length === 0) {
    Object.defineProperty(target, 'cloning', { value: refusal, enumerable: true });
    return;
  }
  const before = Object.getOwnPropertyDescriptors(target);
  for (const key of Object.keys(before)) delete (target as Record<string, unknown>)[key];
  Object.defineProperty(target, 'cloning', { value: refusal, enumerable: true });
  Object.defineProperties(target, before);
}

/** One symbol per message (a few messages in all), not one per object. */
const refusals = new Map<string, symbol>();

function refusalFor(message: string): symbol {
  let refusal = refusals.get(message);
  if (refusal === undefined) {
    refusal = Symbol(message);
    if (refusals.size < 1024) refusals.set(message, refusal);
  }
  return refusal;
}
