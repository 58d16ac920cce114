// The READMEs' TypeScript blocks compile (strict, nodenext, against this checkout's
// packages) and their shell lines name real things: the `waitables` command's real
// subcommands and options, npm scripts that exist, files that exist. The JavaScript
// blocks run in test/async/readme.test.ts. Linux only: a type check and a look at
// --help are the same on every platform.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { cliBin } from '../helpers/cli.js';
import { blocks, root } from '../helpers/readme-blocks.js';
import { strictConsumerOptions } from '../helpers/strict-consumer.js';

const all = blocks();
mkdirSync(join(root, '.cache'), { recursive: true });
const dir = mkdtempSync(join(root, '.cache', 'readme-ts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the TypeScript blocks of the READMEs', () => {
  const ts = all.filter((b) => b.lang === 'ts');
  test(`compile with strict nodenext, each on its own (${ts.length} blocks)`, { timeout: 120_000 }, () => {
    const names = ts.map((b, n) => {
      const name = `block-${n}.ts`;
      // Each block is a module of its own (a block without import is one too).
      writeFileSync(join(dir, name), `${b.code}export {};\n`);
      return name;
    });
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          ...strictConsumerOptions,
          skipLibCheck: true,
        },
        files: names,
      }),
    );
    const r = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { encoding: 'utf8' });
    // Say which README line a failing block comes from.
    const report = r.stdout.replace(/block-(\d+)\.ts\((\d+),(\d+)\)/g, (_m, n: string, line: string) => {
      const b = ts[Number(n)]!;
      const [file, at] = b.where.split(':');
      return `${file}:${Number(at) + Number(line)}`;
    });
    expect(report).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('the shell blocks of the READMEs', () => {
  const lines = all
    .filter((b) => b.lang === 'sh')
    .flatMap((b) =>
      b.code
        .split('\n')
        .map((l) => l.replace(/\s+#.*$/, '').trim())
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => [b.where, l] as const),
    );
  const scripts = Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: object }).scripts);
  const help = new Map<string, string>();
  const helpOf = (sub: string) => {
    if (!help.has(sub)) help.set(sub, spawnSync(process.execPath, [cliBin, sub, '--help'], { encoding: 'utf8' }).stdout);
    return help.get(sub)!;
  };

  test.each(lines)('%s: %s', (_where, line) => {
    for (const command of line.split(/\s*(?:&&|;)\s*/)) {
      const words = command.split(/\s+/);
      const [first, second] = words;
      if (first === 'waitables') {
        const usage = helpOf(second!);
        expect(usage, `waitables ${second} is a subcommand`).toMatch(/^Usage: waitables /);
        const options = words.slice(2, words.includes('--') ? words.indexOf('--') : undefined).filter((w) => w.startsWith('-'));
        for (const option of options) expect(usage, `waitables ${second} has ${option}`).toMatch(new RegExp(`(^|[ ,])${option}\\b`, 'm'));
      } else if (first === 'npm' && second === 'run') {
        expect(scripts).toContain(words[2]);
      } else if (first === 'npm') {
        expect(['test', 'install'], `npm ${second}`).toContain(second);
      } else if (first === 'node') {
        expect(existsSync(join(root, words[1]!)), `${words[1]} exists`).toBe(true);
      } else {
        // A line of another program: only what the READMEs explain (Wine's set-up).
        expect(['sudo', 'apt-get', 'echo'], `a known program: ${command}`).toContain(first);
      }
    }
  });
});
