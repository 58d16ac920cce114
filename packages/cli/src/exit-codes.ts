/** The exit statuses of the waitables command (documented in its README and --help). */
export const EXIT = {
  /** Success; for `wait`, the first name fired. `lock` and `sem` exit with the command's status. */
  ok: 0,
  /** An error: the message says which (a Win32 error, an object of another kind...). */
  failure: 1,
  /** Bad usage: unknown option, bad duration, a semaphore with another maximum. */
  usage: 2,
  /** The lock, unit or event was not obtained within --timeout (as coreutils `timeout`). */
  timeout: 124,
  /** Interrupted by SIGINT (Ctrl-C) or SIGTERM while waiting: 128 + the signal number. */
  sigint: 130,
  sigterm: 143,
} as const;
