// The README's example is real code: it is type-checked (examples/ is in the test
// project) and run here, and the README shows it exactly.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';

const root = new URL('../../', import.meta.url);

describe('the README of @waitables/async', () => {
  test('shows examples/async-tour.ts as it is', () => {
    const readme = readFileSync(new URL('packages/async/README.md', root), 'utf8');
    const shown = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
    const file = readFileSync(new URL('examples/async-tour.ts', root), 'utf8');
    expect(file.split('\n').slice(1).join('\n')).toBe(shown);
  });

  test('runs its example to the end', async () => {
    const logs: unknown[][] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void logs.push(args);
    try {
      await import('../../examples/async-tour.js');
    } finally {
      console.log = log;
    }
    expect(logs.map((l) => l.join(' '))).toEqual(
      expect.arrayContaining(['holding a slot false', 'work to do', 'signal 1', 'exit code TimeoutError']) as string[],
    );
  });
});
