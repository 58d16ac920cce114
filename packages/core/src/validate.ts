/** Argument checks: shared with the other packages through `@waitables/common`. */
export * from '@waitables/common/validate';
