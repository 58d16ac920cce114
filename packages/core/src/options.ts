/** Option bags shared by the object classes, and their checks. */
import { validateAccess, validateBoolean, validateName, validateObject } from './validate.js';

/** Options of every `open()`. */
export interface OpenOptions {
  /**
   * Access rights asked for (Win32 desired access). A right not granted makes the
   * matching call fail with ERROR_ACCESS_DENIED.
   * Default: the kind's `*_ALL_ACCESS`.
   */
  readonly access?: number;
  /** Whether child processes inherit the handle (bInheritHandle). Default: `false`. */
  readonly inherit?: boolean;
}

export function readOpenArgs(name: unknown, options: unknown, defaultAccess: number) {
  const opts = validateObject(options, 'options') as OpenOptions;
  return {
    name: validateName(name, 'name', { required: true })!,
    access: opts.access === undefined ? defaultAccess : validateAccess(opts.access, 'options.access'),
    inherit: opts.inherit === undefined ? false : validateBoolean(opts.inherit, 'options.inherit'),
  };
}

/** Reads `options.name` (anonymous when absent or empty). */
export function readName(options: Record<string, unknown>): string | null {
  return validateName(options.name, 'options.name');
}

/** Reads a boolean option with its default. */
export function readFlag(options: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const value = options[key];
  return value === undefined ? fallback : validateBoolean(value, `options.${key}`);
}
