/** The fenced code blocks of every README, for the tests that run or compile them. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));

/** Every README of the repository: the root's and each package's. */
export const readmes = ['README.md', ...readdirSync(`${root}packages`).map((p) => `packages/${p}/README.md`)];

export interface Block {
  /** Where: `packages/async/README.md:31` (the line of the opening fence). */
  readonly where: string;
  /** The fence's info string: js, ts, sh, python. */
  readonly lang: string;
  readonly code: string;
}

/**
 * What each kind of block must be: js runs as an ES module on this Node, ts compiles
 * (strict, nodenext), sh lines of the `waitables` command use its real subcommands and
 * options, python is the pywin32 original a port is compared with, json is the root
 * README's tsconfig.json (test/unit/readme-typescript.test.ts compiles in it, and fails
 * on a json block anywhere else). Any other kind fails the tests: no block goes unchecked.
 */
export const KINDS = ['js', 'ts', 'sh', 'python', 'json'] as const;

export function blocks(): Block[] {
  const found: Block[] = [];
  for (const file of readmes) {
    const lines = readFileSync(`${root}${file}`, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const open = /^```(\S*)\s*$/.exec(lines[i]!);
      if (!open) continue;
      const start = i;
      let end = i + 1;
      while (end < lines.length && lines[end] !== '```') end++;
      found.push({ where: `${file}:${start + 1}`, lang: open[1]!, code: lines.slice(start + 1, end).join('\n') + '\n' });
      i = end;
    }
  }
  return found;
}
