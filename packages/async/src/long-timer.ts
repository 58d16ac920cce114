/** Timers past setTimeout's 2^31-1 ms: shared through `@waitables/common`. */
export * from '@waitables/common/long-timer';
