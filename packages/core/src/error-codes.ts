/** Win32 error codes: shared with the other packages through `@waitables/common`. */
export * from '@waitables/common/error-codes';
