/**
 * The compiler options of a strict TypeScript project that uses the packages as a user
 * would (ES modules, nodenext resolution), for tests that type-check code from outside.
 */
export const strictConsumerOptions = {
  strict: true,
  noEmit: true,
  module: 'nodenext',
  moduleResolution: 'nodenext',
  target: 'es2022',
  lib: ['es2024', 'esnext.disposable'],
  types: ['node'],
} as const;
