#!/usr/bin/env node
/** The `waitables` command. */
import { program } from './program.js';

function finish(status: Promise<number> | number): void {
  Promise.resolve(status).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`waitables: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

program(finish).parse();
