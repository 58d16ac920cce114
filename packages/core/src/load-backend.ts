/**
 * Chooses the backend for this platform once, on first use, so that importing the
 * package never fails: argument checks and constants work everywhere.
 */
import type { Backend } from './backend.js';
import { NotSupportedError } from './errors.js';
import { createWin32Backend } from './win32/win32-backend.js';

let backend: Backend | undefined;

/** The backend of this platform. Throws {@link NotSupportedError} where there is none. */
export function getBackend(): Backend {
  if (backend) return backend;
  if (process.platform === 'win32') {
    backend = createWin32Backend();
    return backend;
  }
  throw new NotSupportedError(
    `@waitables/core has no backend for ${process.platform} yet (Windows is supported; the Linux backend is in progress)`,
  );
}
