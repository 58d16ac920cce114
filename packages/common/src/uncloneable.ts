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
  // Cloning meets properties in their order: this one must come first, before any field
  // set already (those are moved after it, unchanged).
  const before = Object.getOwnPropertyDescriptors(target);
  for (const key of Object.keys(before)) delete (target as Record<string, unknown>)[key];
  Object.defineProperty(target, 'cloning', { value: Symbol(message), enumerable: true });
  Object.defineProperties(target, before);
}
