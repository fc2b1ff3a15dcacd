// The workers' `mealwise_gemini_calls_total` counters, added up over processes as `status/reason`
// (e.g. `TRANSIENT/server`): what the product says each Gemini call ended as. (Helper B's file.)
import type { WorkerHandle } from '../../src/harness/index.ts';

export async function geminiCallCounts(workers: readonly WorkerHandle[]): Promise<Record<string, number>> {
  const counted: Record<string, number> = {};
  for (const w of workers) {
    const text = await fetch(`http://127.0.0.1:${w.metricsPort}/metrics`).then((res) => res.text());
    for (const line of text.split('\n')) {
      const m = /^mealwise_gemini_calls_total\{(.*)\} (\d+)$/.exec(line);
      if (!m) continue;
      const k = `${/status="(\w+)"/.exec(m[1]!)?.[1]}/${/reason="(\w+)"/.exec(m[1]!)?.[1]}`;
      counted[k] = (counted[k] ?? 0) + Number(m[2]);
    }
  }
  return counted;
}
