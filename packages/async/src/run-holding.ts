/** The callback forms of acquire(): shared with `@waitables/postgres` through `@waitables/common`. */
export * from '@waitables/common/run-holding';
