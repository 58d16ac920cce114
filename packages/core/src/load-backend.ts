/**
 * Chooses the backend for this platform once, on first use, so that importing the
 * package never fails: argument checks and constants work everywhere.
 */
import { createRequire } from 'node:module';
import type { Backend } from './backend.js';
import { NotSupportedError } from './errors.js';

let backend: Backend | undefined;

// Loaded synchronously (the API is synchronous) and only on the platform that has it:
// the Windows backend loads kernel32 when its module is evaluated.
const require = createRequire(import.meta.url);

/** The backend of this platform. Throws {@link NotSupportedError} where there is none. */
export function getBackend(): Backend {
  if (backend) return backend;
  if (process.platform === 'win32') {
    backend = (require('./win32/win32-backend.js') as typeof import('./win32/win32-backend.js')).win32Backend;
    return backend;
  }
  throw new NotSupportedError(`@waitables/core has no backend for ${process.platform} yet (Windows is supported; the Linux backend is in progress)`);
}
