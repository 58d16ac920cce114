// The layout document is the contract for processes in other languages: its sizes, its
// header words and its thread slot words must be the code's (src/linux/layout.ts).
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';

const layout = await import('../../packages/core/dist/linux/layout.js');
const doc = readFileSync(new URL('../../packages/core/docs/linux-shared-memory.md', import.meta.url), 'utf8');

test('states the layout version of the code in its title and header table', () => {
  expect(doc).toMatch(new RegExp(`^# .* version ${layout.LAYOUT_VERSION}\\n`));
  expect(doc).toContain(`| 1 | version | ${layout.LAYOUT_VERSION} |`);
});

test('states the sizes of the code', () => {
  const { LIMITS, OFFSET, LAYOUT_VERSION } = layout;
  const sizes =
    `Sizes (version ${LAYOUT_VERSION}): ${LIMITS.processes} process slots, ${LIMITS.threads} thread slots, ` +
    `${LIMITS.objects} object slots, ${LIMITS.handles} handle\nslots, wait lists of up to ${LIMITS.waitList} objects, ` +
    `a redo log of ${LIMITS.log} entries, names of up to ${LIMITS.nameUnits}\nUTF-16 units, a name index of ${LIMITS.nameBuckets} buckets. ` +
    `Total: ${OFFSET.sizeBytes.toLocaleString('en-US')} bytes`;
  expect(doc).toContain(sizes);
});

test('names every header word where the code has it', () => {
  const rows = [...doc.matchAll(/^\| ([\d, -]+) \| ([\w ]+?) \|/gm)].map((m) => ({ words: m[1]!, field: m[2]! }));
  const H = layout.H as Record<string, number>;
  for (const [field, word] of Object.entries(H)) {
    // Grouped rows ("8, 9 | reclaim time", "10-13 | hints") cover several fields; single ones name the field.
    const row = rows.find((r) => r.field === field);
    if (row) expect(Number(row.words), field).toBe(word);
    else
      expect(
        rows.some((r) => r.words.split(/, |-/).map(Number).includes(word) || inRange(r.words, word)),
        field,
      ).toBe(true);
  }
});

function inRange(words: string, word: number): boolean {
  const m = /^(\d+)-(\d+)$/.exec(words);
  return m !== null && word >= Number(m[1]) && word <= Number(m[2]);
}

test('names every thread slot word where the code has it', () => {
  const T = layout.T as Record<string, number>;
  const thread = /\*\*Thread\*\*[\s\S]*?(?=\n- \*\*Wait list)/.exec(doc)![0];
  expect(thread).toContain(`${layout.THREAD_WORDS} words`);
  const named = {
    state: 'state',
    process: 'process slot',
    tid: 'tid',
    startHi: 'start time',
    status: 'status',
    waitAll: 'waitAll',
    count: 'count',
    sequence: 'ticket',
    pid: 'pid',
    lockHeld: 'lockHeld',
    acquireFor: 'acquireFor',
    gaveUp: 'gaveUp',
    bell: 'bell',
    ringsBell: 'ringsBell',
    bellInode: 'bellInode',
    life: 'life',
    robustNode: 'robust node',
  } as Record<string, string>;
  for (const [field, word] of Object.entries(T)) {
    if (field === 'startLo') continue; // the second word of the start time
    expect(thread, field).toMatch(new RegExp(`${named[field]!.replace(/\*/g, '')}\\**? \\((word )?${word}[:;,)]`));
  }
});
