/**
 * `@waitables/common`: the vocabulary every waitables package shares, with no native
 * code and no platform of its own: Win32 error codes and errors, argument checks, the
 * options and errors of awaited waits, long timers, the callback form of acquire().
 * `@waitables/core` and `@waitables/async` re-export what their users need from it (the
 * same classes: `instanceof` holds across packages); `@waitables/postgres` depends on it
 * alone, so it installs where koffi does not (macOS, any CPU).
 * @packageDocumentation
 */
export * from './limits.js';
export * from './error-codes.js';
export * from './win32-errors.js';
export * from './validate.js';
export * from './wait-errors.js';
export * from './wait-options.js';
export * from './long-timer.js';
export * from './uncloneable.js';
export * from './run-holding.js';
