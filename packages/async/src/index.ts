/**
 * `@waitables/async`: awaitable OS synchronization objects. The wait pool arrives with
 * its own issue; for now this package re-exports the core so that the workspace wiring
 * (build, types, tests) is in place.
 * @packageDocumentation
 */
export * from '@waitables/core';
