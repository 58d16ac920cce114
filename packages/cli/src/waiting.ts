/**
 * A wait from the shell: cancelled cleanly by Ctrl-C or SIGTERM (nothing held, nothing
 * leaked), and on a terminal a line that says what it waits for and for how long.
 */
import { AbortError, TimeoutError } from '@waitables/async';
import { escapeControls } from './escape.js';
import { EXIT } from './exit-codes.js';
import { reportFailure } from './failure.js';

export class Interrupted extends Error {
  constructor(readonly status: number) {
    super('interrupted');
  }
}

export async function waitFor<T>(what: string, start: (signal: AbortSignal) => Promise<T>, verbose = false): Promise<T> {
  const controller = new AbortController();
  let interruptedBy: number | null = null;
  const onSigint = () => ((interruptedBy = EXIT.sigint), controller.abort());
  const onSigterm = () => ((interruptedBy = EXIT.sigterm), controller.abort());
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  const began = Date.now();
  const tty = process.stderr.isTTY;
  const progress = tty
    ? setInterval(
        () => process.stderr.write(`\rwaitables: waiting for ${escapeControls(what)}... ${Math.round((Date.now() - began) / 1000)}s`),
        1000,
      )
    : null;
  try {
    const pending = start(controller.signal);
    if (verbose) {
      // Said only when it really waits: an object obtained at once settles before this.
      let settled = false;
      pending.then(
        () => (settled = true),
        () => (settled = true),
      );
      await new Promise((resolve) => setImmediate(resolve));
      if (!settled) process.stderr.write(`waitables: waiting for ${escapeControls(what)}\n`);
    }
    return await pending;
  } catch (error) {
    if (error instanceof AbortError && interruptedBy !== null) throw new Interrupted(interruptedBy);
    throw error;
  } finally {
    if (progress) {
      clearInterval(progress);
      if (Date.now() - began >= 1000) process.stderr.write('\n');
    }
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
}

/** The exit status for an error of a wait, after saying what happened. */
export function statusOf(error: unknown, what: string): number {
  if (error instanceof Interrupted) return error.status;
  if (error instanceof TimeoutError) {
    process.stderr.write(`waitables: timed out after ${Math.round(error.timeout)} ms waiting for ${escapeControls(what)}\n`);
    return EXIT.timeout;
  }
  return reportFailure(error);
}
