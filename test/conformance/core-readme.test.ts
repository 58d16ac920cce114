// The win32process example of the core README is real code: type-checked (examples/ is in
// the test project), run here on every platform, and shown by the README exactly.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';

const root = new URL('../../', import.meta.url);

describe('the README of @waitables/core', () => {
  test('shows examples/porting-win32process.ts as it is, under "Porting a win32process script"', () => {
    const readme = readFileSync(new URL('packages/core/README.md', root), 'utf8');
    const section = readme.slice(readme.indexOf('## Porting a win32process script'));
    const shown = /```ts\n([\s\S]*?)```/.exec(section)![1]!;
    const file = readFileSync(new URL('examples/porting-win32process.ts', root), 'utf8');
    expect(file.split('\n').slice(1).join('\n')).toBe(shown);
  });

  test('runs its win32process example to the end: the child exits with 3, a closed handle raises error 6', async () => {
    const logs: unknown[][] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void logs.push(args);
    try {
      await import('../../examples/porting-win32process.js');
    } finally {
      console.log = log;
    }
    expect(logs.map((l) => l.join(' '))).toEqual(['started true', 'priority true', 'exit code 3', 'winerror 6']);
  });
});
