// The benchmark suite: every scenario against its baselines in the same run, as ratios.
//   node bench/run.mjs            the full suite, Linux then Windows Node under Wine;
//                                 report in bench/results/<stamp>.md (+ .json, charts)
//   node bench/run.mjs --quick    a reduced set (at most about 90 s), report in bench/results/quick/
// Options: --no-wine, --only=id,id. A scenario that throws fails the run; a missed
// target does not (these machines are shared and noisy).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { barChart, lineChart } from './lib/svg.mjs';
import { fmt } from './lib/stats.mjs';
import { killDescendants, withBudget } from './lib/watchdog.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const noWine = args.includes('--no-wine');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const jsonOut = args.find((a) => a.startsWith('--json-out='))?.slice(11);
const ALL = [
  'wake-latency',
  'handoff',
  'throughput',
  'contended',
  'scale',
  'abandon-latency',
  'crash-safe',
  'cold-start',
  'ticks',
  'names',
  'c-baselines',
  'scale-out',
  'etcd-scale-out',
];
const WINE = quick ? ['wake-latency', 'throughput'] : ['wake-latency', 'handoff', 'throughput', 'crash-safe', 'ticks', 'names'];
// Per scenario: the quick set takes seconds to a minute each, the full one minutes.
const budgetMs = (quick ? 5 : 40) * 60_000;
const platform = process.platform === 'win32' ? 'windows (Node under Wine)' : `${process.platform} (native)`;

async function runScenarios(ids) {
  const results = [];
  let broken = 0;
  for (const [i, id] of ids.entries()) {
    const started = performance.now();
    const progress = (what) => process.stderr.write(`[${platform}] [${i + 1}/${ids.length}] ${id}: ${what}\n`);
    try {
      const { run } = await import(`./scenarios/${id}.mjs`);
      const result = await withBudget(run({ quick, progress }), budgetMs, `scenario ${id}`).catch((error) => {
        if (/past its budget/.test(error.message)) progress(`over budget: killed ${killDescendants()} processes it left`);
        throw error;
      });
      result.seconds = (performance.now() - started) / 1000;
      results.push(result);
      progress(`done in ${result.seconds.toFixed(1)} s: ${result.met ? 'target met' : 'target NOT met'}: ${result.headline}`);
    } catch (error) {
      broken++;
      progress(`BROKEN: ${error.stack ?? error}`);
      results.push({ id, broken: String(error.stack ?? error) });
    }
  }
  return { platform, results, broken };
}

function table({ columns, rows }) {
  const cell = (v) => (typeof v === 'number' ? fmt(v, Math.abs(v) >= 100 ? 0 : 2) : String(v).replaceAll('|', '\\|'));
  return [
    `| ${columns.join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

function report(runs, stamp, dir) {
  const lines = [`# waitables benchmark, ${stamp}${quick ? ' (quick mode)' : ''}`, ''];
  lines.push(
    `Machine: ${process.arch}, ${await_cpus()} CPUs, Node ${process.version}. Each figure comes from this one run; ratios compare contenders measured side by side.`,
    '',
  );
  lines.push('## Targets', '', '| platform | scenario | target | met | measured |', '| --- | --- | --- | --- | --- |');
  for (const run of runs)
    for (const r of run.results)
      lines.push(
        `| ${run.platform} | ${r.title ?? r.id} | ${r.target ?? ''} | ${r.broken ? 'BROKEN' : r.met ? 'yes' : 'no'} | ${r.headline ?? ''} |`,
      );
  lines.push('');
  for (const run of runs) {
    lines.push(`## ${run.platform}`, '');
    for (const r of run.results) {
      lines.push(`### ${r.title ?? r.id}`, '');
      if (r.broken) {
        lines.push('```', r.broken, '```', '');
        continue;
      }
      lines.push(`Target: ${r.target}. **${r.met ? 'Met' : 'Not met'}**: ${r.headline}.`, '', table(r.table), '');
      for (const chart of r.charts ?? []) {
        const file = `${run.platform.startsWith('windows') ? 'windows-' : ''}${chart.file}`;
        writeFileSync(join(dir, file), chart.kind === 'bar' ? barChart(chart.spec) : lineChart(chart.spec));
        lines.push(`![${chart.spec.title}](${relative(join(dir, '..'), join(dir, file))})`, '');
      }
    }
  }
  return lines.join('\n');
}

function await_cpus() {
  return JSON.parse(execFileSync(process.execPath, ['-e', 'console.log(require("os").cpus().length)']).toString());
}

const ids = (only ?? ALL).filter((id) => ALL.includes(id));

// On Linux the run has a namespace of its own (its scenarios and their child processes
// inherit it), as the tests do: the user's own namespace, and a file left there by
// another version, neither disturb the figures nor are disturbed. WAITABLES_SHM_DIR, if
// set, is used as it is.
if (process.platform === 'linux' && !process.env.WAITABLES_SHM_DIR) {
  const dir = mkdtempSync('/dev/shm/waitables-bench-');
  process.env.WAITABLES_SHM_DIR = dir;
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
}
if (jsonOut) {
  // The Windows half, run under Wine by the Linux half.
  const run = await runScenarios(ids);
  writeFileSync(
    jsonOut,
    JSON.stringify(run, (k, v) => (k === 'charts' ? v : v)),
  );
  process.exit(run.broken ? 1 : 0);
}

const runs = [await runScenarios(ids)];
let broken = runs[0].broken;
if (!noWine && process.platform === 'linux') {
  const wineIds = ids.filter((id) => WINE.includes(id));
  const out = join(root, '.cache', `bench-wine-${process.pid}.json`);
  process.stderr.write(`[bench] Windows Node under Wine: ${wineIds.join(', ')}\n`);
  try {
    execFileSync(
      process.execPath,
      ['scripts/wine.mjs', 'node', 'bench/run.mjs', ...(quick ? ['--quick'] : []), `--only=${wineIds.join(',')}`, `--json-out=${out}`],
      {
        cwd: root,
        stdio: 'inherit',
      },
    );
  } catch {
    broken++;
  }
  try {
    const wine = JSON.parse(readFileSync(out, 'utf8'));
    runs.push(wine);
  } catch {
    process.stderr.write('[bench] the Windows run produced no results\n');
    broken++;
  }
}
const stamp = new Date().toISOString().slice(0, 16).replace(':', '');
const base = quick ? join(here, 'results', 'quick') : join(here, 'results');
const dir = join(base, stamp);
mkdirSync(dir, { recursive: true });
const markdown = report(runs, stamp, dir);
writeFileSync(join(base, `${stamp}.md`), markdown);
writeFileSync(join(base, `${stamp}.json`), JSON.stringify({ stamp, quick, node: process.version, runs }, null, 1));
copyFileSync(join(base, `${stamp}.md`), join(base, 'latest.md'));
process.stderr.write(`[bench] report: ${relative(root, join(base, `${stamp}.md`))}${broken ? ` (${broken} broken)` : ''}\n`);
for (const run of runs)
  for (const r of run.results)
    console.log(`${run.platform} ${r.id}: ${r.broken ? 'BROKEN' : r.met ? 'met' : 'not met'} ${r.headline ?? ''}`);
process.exit(broken ? 1 : 0);
