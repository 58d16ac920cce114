/**
 * Every failure of the command as one line on stderr and a documented exit status
 * (exit-codes.ts), never a stack trace: argument errors and names the library or the OS
 * rejects are usage errors (2), Win32 errors and the rest are failures (1), each said
 * with its Win32 error name where there is one. WAITABLES_DEBUG=1 adds the stack.
 */
import { escapeControls } from './escape.js';
import { EXIT } from './exit-codes.js';

/** A failure the command itself detected, with its status. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

// The OS's answers to a malformed name (Windows' and the Linux backend's alike).
const BAD_NAME: Record<string, string> = {
  ERROR_INVALID_NAME: 'a name is text after an optional Local\\ or Global\\ prefix, not empty',
  ERROR_PATH_NOT_FOUND: 'a backslash may only end a Local\\ or Global\\ prefix',
  ERROR_FILENAME_EXCED_RANGE: 'the name is too long',
};

// By name and code, not instanceof: under Wine, Windows Node can load @waitables/core
// twice (through the workspace link and by its path), and the classes then differ.
const codeOf = (error: unknown): unknown => (error instanceof Error ? (error as { code?: unknown }).code : undefined);
const isArgumentError = (error: unknown) => codeOf(error) === 'ERR_INVALID_ARG_TYPE' || codeOf(error) === 'ERR_OUT_OF_RANGE';
const isWin32Error = (error: unknown): error is Error & { code: string } =>
  error instanceof Error && error.name === 'Win32Error' && typeof codeOf(error) === 'string';

/** The line to print (without the `waitables: ` prefix) and the exit status. */
export function describeFailure(error: unknown): { message: string; status: number } {
  if (error instanceof CliError) return { message: error.message, status: error.status };
  if (isArgumentError(error)) return { message: (error as Error).message.replace(/^options\.name\b/, 'NAME'), status: EXIT.usage };
  if (isWin32Error(error)) {
    const hint = BAD_NAME[error.code];
    return { message: hint ? `${error.message} (${hint})` : error.message, status: hint ? EXIT.usage : EXIT.failure };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message: message.split('\n')[0]!, status: EXIT.failure };
}

/** Prints the failure and returns its status. */
export function reportFailure(error: unknown): number {
  const { message, status } = describeFailure(error);
  process.stderr.write(`waitables: ${escapeControls(message)}\n`);
  if (process.env.WAITABLES_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return status;
}
