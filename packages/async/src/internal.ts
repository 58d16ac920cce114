/**
 * `@waitables/async/internal`: the wait pool itself, for this project's tests, benchmarks
 * and diagnostics. Not public API: it may change in any release, and its test hooks
 * (`killThreadForTesting`) are not for programs. Programs use `closeWaitPool()` from
 * `@waitables/async`.
 * @internal
 * @packageDocumentation
 */
export { WaitPool, type Grant } from './pool.js';
export { waitPool, closeWaitPool } from './default-pool.js';
