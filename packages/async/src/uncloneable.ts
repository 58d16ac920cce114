/** Objects that refuse structured cloning: shared through `@waitables/common`. */
export * from '@waitables/common/uncloneable';
