// The root README's "TypeScript and Node 20" section says which compiler options work
// with the packages: its tsconfig.json block is the project here, and its TypeScript
// blocks compile in it (strict, skipLibCheck off, this checkout's packages and
// TypeScript), each as an ES module of its own. The last test feeds the same check a
// block with a type error, to show that the check can fail.
// Not under Wine: a type check is the same on every platform (as test/docs), and tsc
// under Wine is slow.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { blocks, root } from '../helpers/readme-blocks.js';

const HEADING = '## TypeScript and Node 20';

interface Snippet {
  /** The README line of the block's first line of code. */
  readonly line: number;
  readonly code: string;
}

/** The section's fenced blocks, by kind. */
function section(): { json: Snippet[]; ts: Snippet[] } {
  const lines = readFileSync(join(root, 'README.md'), 'utf8').split('\n');
  const start = lines.indexOf(HEADING);
  if (start < 0) return { json: [], ts: [] };
  let end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  if (end < 0) end = lines.length;
  const found: { json: Snippet[]; ts: Snippet[] } = { json: [], ts: [] };
  for (let i = start; i < end; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    let close = i + 1;
    while (close < end && lines[close] !== '```') close++;
    const lang = open[1];
    if (lang === 'json' || lang === 'ts') found[lang].push({ line: i + 2, code: lines.slice(i + 1, close).join('\n') + '\n' });
    i = close;
  }
  return found;
}

// Inside the repository, so that `@waitables/...` resolves to this checkout's packages.
mkdirSync(join(root, '.cache'), { recursive: true });
const dir = mkdtempSync(join(root, '.cache', 'readme-typescript-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Compiles `snippets` in a project of `compilerOptions` (strict forced, no output); tsc's report, with README lines. */
function typeCheck(
  compilerOptions: Record<string, unknown>,
  snippets: readonly Snippet[],
  name: string,
): { status: number | null; report: string } {
  const project = join(dir, name);
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module' }));
  const files = snippets.map((s, n) => {
    // `export {}`: a block without import or export is a module all the same.
    writeFileSync(join(project, `block-${n}.ts`), `${s.code}export {};\n`);
    return `block-${n}.ts`;
  });
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { ...compilerOptions, strict: true, noEmit: true, skipLibCheck: false }, files }),
  );
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  const report = `${r.stdout}${r.stderr}`.replace(/block-(\d+)\.ts\((\d+),(\d+)\)/g, (_m, n: string, line: string, column: string) => {
    return `README.md:${snippets[Number(n)]!.line + Number(line) - 1}:${column}`;
  });
  return { status: r.status, report };
}

describe.runIf(process.platform !== 'win32')('the README section "TypeScript and Node 20"', () => {
  const { json, ts } = section();
  const tsconfig = json.length === 1 ? (JSON.parse(json[0]!.code) as { compilerOptions: Record<string, unknown> }) : null;

  test('has one tsconfig.json block and TypeScript blocks', () => {
    expect(json).toHaveLength(1);
    expect(tsconfig?.compilerOptions).toBeTypeOf('object');
    expect(ts.length).toBeGreaterThan(0);
  });

  test('recommends options that Node 20 runs: strict, nodenext, a target below esnext', () => {
    const options = tsconfig!.compilerOptions;
    expect(options.strict).toBe(true);
    expect(options.module).toBe('nodenext');
    expect(options.moduleResolution).toBe('nodenext');
    // esnext leaves `using` as it is, a SyntaxError on Node 20.
    expect(String(options.target).toLowerCase()).not.toBe('esnext');
  });

  test('its TypeScript blocks type-check in that project', { timeout: 30_000 }, () => {
    const { status, report } = typeCheck(tsconfig!.compilerOptions, ts, 'readme');
    expect(report).toBe('');
    expect(status).toBe(0);
  });

  test('a block with a type error fails the same check', { timeout: 30_000 }, () => {
    const wrong = {
      line: 1,
      code: "import { Semaphore } from '@waitables/async';\nconst name: number = Semaphore.create({ maximumCount: 1 }).existed;\n",
    };
    const { status, report } = typeCheck(tsconfig!.compilerOptions, [...ts, wrong], 'with-error');
    expect(status).not.toBe(0);
    expect(report).toMatch(/error TS2322: Type 'boolean' is not assignable to type 'number'/);
  });

  test('is the only place in the READMEs with json blocks (each block kind has a test that checks it)', () => {
    const all = blocks().filter((b) => b.lang === 'json');
    expect(all).toHaveLength(1);
    expect(all[0]!.where).toBe(`README.md:${json[0]!.line - 1}`);
  });
});
