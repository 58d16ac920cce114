/** The errors of the objects: shared with the other packages through `@waitables/common`. */
export * from '@waitables/common/win32-errors';
