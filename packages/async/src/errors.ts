/** The errors an awaited wait rejects with: shared with `@waitables/postgres` through `@waitables/common`. */
export * from '@waitables/common/wait-errors';
