// Regenerates the results table in bench/README.md from bench/results/*.json (run by `pnpm bench`
// after the suites; `node bench/report.ts` alone re-renders without measuring).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchResult } from './lib/result.ts';

const here = new URL('.', import.meta.url).pathname;
const resultsDir = join(here, 'results');
const readme = join(here, 'README.md');
const START = '<!-- results:start -->';
const END = '<!-- results:end -->';

const fmt = (n: number): string =>
  Number.isInteger(n) ? n.toLocaleString('en-US') : Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3);

export function renderTables(results: BenchResult[]): string {
  const out: string[] = [];
  for (const r of results.sort((a, b) => a.suite.localeCompare(b.suite))) {
    out.push(`### ${r.suite}`, '');
    out.push(
      `Run ${r.date.slice(0, 16).replace('T', ' ')} UTC on ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}. ` +
        `Parameters: ${Object.entries(r.params)
          .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
          .join(', ')}.`,
      '',
    );
    out.push('| metric | value | baseline (same run) | ratio | target | met |', '|---|---|---|---|---|---|');
    for (const row of r.rows) {
      out.push(
        `| ${row.metric} | ${fmt(row.value)} ${row.unit} | ${row.baseline ? `${row.baseline.label}: ${fmt(row.baseline.value)} ${row.unit}` : ''} | ${
          row.ratio === undefined ? '' : `${(row.ratio * 100).toFixed(1)} %`
        } | ${row.target ?? ''} | ${row.met === undefined ? '' : row.met ? 'yes' : '**no**'} |`,
      );
    }
    if (r.notes?.length) out.push('', ...r.notes.map((n) => `- ${n}`));
    out.push('');
  }
  return out.join('\n');
}

export function updateReadme(): void {
  const results = existsSync(resultsDir)
    ? readdirSync(resultsDir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => JSON.parse(readFileSync(join(resultsDir, f), 'utf8')) as Partial<BenchResult>)
        // reliability.json is the reliability suite's (pnpm test:chaos), rendered in docs/reliability.md.
        .filter((r): r is BenchResult => Array.isArray(r.rows) && r.params !== undefined)
    : [];
  const text = readFileSync(readme, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a === -1 || b === -1) throw new Error(`bench/README.md lacks the ${START} / ${END} markers`);
  const body = results.length ? renderTables(results) : '_No results yet: run `pnpm bench`._\n';
  writeFileSync(readme, `${text.slice(0, a + START.length)}\n${body}${text.slice(b)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) updateReadme();
