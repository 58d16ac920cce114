#!/usr/bin/env node
/** The `waitables` command. */
import { readFileSync } from 'node:fs';
import { reportFailure } from './failure.js';
import { program, type Runner } from './program.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

// Whatever fails, sync or async, becomes one line and a documented status.
const run: Runner = (start) => {
  let status: Promise<number> | number;
  try {
    status = start();
  } catch (error) {
    process.exitCode = reportFailure(error);
    return;
  }
  Promise.resolve(status).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.exitCode = reportFailure(error);
    },
  );
};

// A last resort: an error escaping every handler is still one line, never a stack trace.
process.on('uncaughtException', (error) => {
  process.exitCode = reportFailure(error);
});

program(run, version).parse();
