// No package has an import circle: a module graph with a circle makes a module's
// bindings undefined while the circle loads (which one depends on where loading enters
// it), and a change to one file reaches every other file of the circle. Counted over the
// sources, for what runs: `import type` / `export type` statements, erased by the
// compiler, are left out (postgres' objects name their Database type that way).
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const packagesDir = fileURLToPath(new URL('../../packages/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Each file's relative imports (static, dynamic and re-exports), as source paths. */
function importGraph(srcDir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(srcDir)) {
    const text = readFileSync(file, 'utf8');
    const runtime = text.replace(/^(?:import|export) type\b[^;]*;/gms, '');
    const targets = [...runtime.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) =>
      resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')),
    );
    graph.set(file, targets);
  }
  return graph;
}

/** The first circle found (a list of files, the first repeated at the end), or null. */
function findCircle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): string[] | null => {
    if (state.get(file) === 'done') return null;
    if (state.get(file) === 'open') return [...path.slice(path.indexOf(file)), file];
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      const circle = visit(next);
      if (circle) return circle;
    }
    path.pop();
    state.set(file, 'done');
    return null;
  };
  for (const file of graph.keys()) {
    const circle = visit(file);
    if (circle) return circle;
  }
  return null;
}

describe('the import graph', () => {
  const packages = readdirSync(packagesDir).filter((name) => readdirSync(join(packagesDir, name)).includes('src'));

  test('covers every package', () => {
    expect(packages).toEqual(expect.arrayContaining(['async', 'cli', 'common', 'core', 'postgres']));
  });

  test.each(packages)('of %s has no circle', (name) => {
    const src = join(packagesDir, name, 'src');
    const circle = findCircle(importGraph(src));
    expect(circle?.map((f) => relative(src, f)) ?? null).toBeNull();
  });

  test('reads static, dynamic and re-export imports, and leaves type-only ones out', () => {
    const graph = importGraph(join(packagesDir, 'async', 'src'));
    const of = (file: string) =>
      (graph.get(join(packagesDir, 'async', 'src', file)) ?? []).map((f) => relative(join(packagesDir, 'async', 'src'), f));
    expect(of('wait-thread-entry.ts')).toContain('wait-thread-main.ts'); // await import(...)
    expect(of('internal.ts')).toEqual(expect.arrayContaining(['pool.ts', 'default-pool.ts'])); // export ... from
    expect(of('lock.ts')).not.toContain('wait-thread.ts'); // import type only
  });

  test('finds a circle where there is one', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
    ]);
    expect(findCircle(graph)).toEqual(['a', 'b', 'c', 'a']);
  });
});
