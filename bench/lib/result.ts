import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

/**
 * Every suite writes bench/results/<suite>.json in this shape; bench/report.ts turns all of them
 * into the table in bench/README.md. A row compares a measurement with a baseline measured in the
 * same run (the machine is shared and noisy: absolute times drift, ratios hold) and/or a target.
 */
export interface BenchRow {
  /** What was measured, e.g. "getUserStats p95". */
  metric: string;
  value: number;
  unit: string;
  /** Same-run baseline, e.g. a bare INCR loop, when the metric is a comparison. */
  baseline?: { label: string; value: number };
  /** value / baseline.value (computed when a baseline is given). */
  ratio?: number;
  /** Human-readable target from the issue, e.g. "≥ 50 % of baseline", "< 5 ms". */
  target?: string;
  /** Whether the target was met (omitted when there is no target). */
  met?: boolean;
}

export interface BenchResult {
  suite: string;
  date: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string };
  /** Parameters of the run (users, connections, durations...). */
  params: Record<string, unknown>;
  rows: BenchRow[];
  notes?: string[];
}

export const resultsDir = new URL('../results/', import.meta.url).pathname;

export function writeResult(
  suite: string,
  params: Record<string, unknown>,
  rows: BenchRow[],
  notes: string[] = [],
): BenchResult {
  const result: BenchResult = {
    suite,
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    params,
    rows: rows.map((r) =>
      r.baseline && r.ratio === undefined ? { ...r, ratio: r.value / r.baseline.value } : r,
    ),
    notes,
  };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${suite}.json`), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

/** Percentile (nearest rank) of an unsorted list of numbers. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Samples this process's RSS every `intervalMs` until stopped; returns the samples in MiB. */
export function sampleRss(intervalMs = 100): { stop(): number[] } {
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(process.memoryUsage().rss / 2 ** 20), intervalMs);
  return {
    stop() {
      clearInterval(timer);
      samples.push(process.memoryUsage().rss / 2 ** 20);
      return samples;
    },
  };
}

export const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;
