/**
 * Chooses the backend for this platform once, on first use, so that importing the
 * package never fails: argument checks and constants work everywhere.
 */
import type { Backend } from './backend.js';
import { NotSupportedError } from './errors.js';
import { createLinuxBackend } from './linux/linux-backend.js';
import { createWin32Backend } from './win32/win32-backend.js';

let backend: Backend | undefined;

/** The backend of this platform (kernel32 on Windows, shared memory on Linux). Throws {@link NotSupportedError} elsewhere. */
export function getBackend(): Backend {
  if (backend) return backend;
  if (process.platform === 'win32') backend = createWin32Backend();
  else if (process.platform === 'linux') backend = createLinuxBackend();
  else throw new NotSupportedError(`@waitables/core has no backend for ${process.platform} (Windows and Linux are supported)`);
  return backend;
}
