/** The options of every waiting method: shared with `@waitables/postgres` through `@waitables/common`. */
export * from '@waitables/common/wait-options';
