// bench/gemini: (1) emulator throughput at 200 connections with latency 0 and limits that never
// bind, against the rate a realistic key pool needs; (2) the client's overhead per call —
// RecommendationGenerator.generateRecommendation through @google/genai — against a raw fetch of
// the same request to the same emulator, interleaved in the same run.
//
// The emulator runs in its own process (the CLI, as in the demo) and the load generator
// (autocannon) in this one: on a 2-core machine each gets a core, so the figure is the emulator's
// capacity and not autocannon's cost on a shared event loop.
//
// Parameters (environment): BENCH_GEMINI_CONNECTIONS (200), BENCH_GEMINI_DURATION seconds (10),
// BENCH_GEMINI_CALLS per client variant (400), BENCH_GEMINI_PROJECTS (10), BENCH_GEMINI_PROJECT_RPM (60).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answerJsonSchema, buildPrompt, RecommendationGenerator } from '@mealwise/gemini';
import type { CallOutcome, KeySource, Lease } from '@mealwise/key-pool';
import { createLease, fingerprint } from '@mealwise/key-pool';
import { sampleStats } from '@mealwise/recs/testing';
import { freePort, spawnNodeTs } from '@mealwise/testing';
import autocannon from 'autocannon';
import { percentile, round, writeResult } from '../lib/result.ts';

const env = (name: string, fallback: number): number => {
  const v = process.env[name];
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${v}"`);
  return n;
};
const connections = env('BENCH_GEMINI_CONNECTIONS', 200);
const duration = env('BENCH_GEMINI_DURATION', 10);
const calls = env('BENCH_GEMINI_CALLS', 400);
const projects = env('BENCH_GEMINI_PROJECTS', 10);
const projectRpm = env('BENCH_GEMINI_PROJECT_RPM', 60);
const MODEL = 'gemini-2.5-flash-lite';

const keys = Array.from({ length: projects }, (_, i) => ({
  key: `bench-key-${randomUUID()}`,
  project: `p${i + 1}`,
}));
const dir = mkdtempSync(join(tmpdir(), 'bench-gemini-'));
const configFile = join(dir, 'emulator.json');
writeFileSync(
  configFile,
  JSON.stringify({
    keys: Object.fromEntries(keys.map((k) => [k.key, { project: k.project }])),
    models: { [MODEL]: { rpm: 1e9, rpd: 1e9 } },
    latency: { baseMs: 0, jitterMs: 0 },
  }),
);

const port = await freePort();
const emulatorProcess = spawnNodeTs(
  new URL('../../packages/gemini-emulator/src/cli.ts', import.meta.url).pathname,
  ['--port', String(port), '--config', configFile],
);
const base = `http://127.0.0.1:${port}`;

try {
  await emulatorProcess.waitForLine('listening on');
  const stats = sampleStats();
  // The request the generator sends, byte for byte the same fields, for the raw baseline.
  const body = JSON.stringify({
    contents: [{ parts: [{ text: buildPrompt(stats) }], role: 'user' }],
    generationConfig: {
      temperature: 0.4,
      maxOutputTokens: 512,
      responseMimeType: 'application/json',
      responseJsonSchema: answerJsonSchema(),
      thinkingConfig: { thinkingBudget: 0 },
    },
  });
  const path = `/v1beta/models/${MODEL}:generateContent`;

  // 1. Throughput.
  console.log(`throughput: ${connections} connections for ${duration} s...`);
  const load = await autocannon({
    url: base,
    connections,
    duration,
    requests: keys.map((k) => ({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', 'x-goog-api-key': k.key },
      body,
    })),
  });
  const rps = load.requests.average;
  const poolRps = (projects * projectRpm) / 60;
  console.log(
    `  ${round(rps, 0)} req/s, p50 ${load.latency.p50} ms, p99 ${load.latency.p99} ms, non-2xx ${load.non2xx}, errors ${load.errors}`,
  );

  // 2. Client overhead, raw fetch vs generateRecommendation, interleaved in blocks.
  let next = 0;
  const source: KeySource = {
    async acquire(model: string): Promise<Lease> {
      const k = keys[next++ % keys.length]!;
      return createLease(
        {
          fingerprint: fingerprint(k.key),
          project: k.project,
          model,
          admittedAt: Date.now(),
          id: randomUUID(),
          reservedTokens: 0,
        },
        k.key,
      );
    },
    async report(_lease: Lease, _outcome: CallOutcome): Promise<void> {},
  };
  const generator = new RecommendationGenerator({ keys: source, model: MODEL, baseUrl: base });
  const raw = async () => {
    const k = keys[next++ % keys.length]!;
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': k.key },
      body,
    });
    const json = (await res.json()) as { candidates: { content: { parts: { text: string }[] } }[] };
    if (res.status !== 200) throw new Error(`raw fetch got ${res.status}`);
    return JSON.parse(json.candidates[0]!.content.parts[0]!.text) as unknown;
  };
  const client = () => generator.generateRecommendation(stats);
  const time = async (fn: () => Promise<unknown>, out: number[]) => {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  };
  for (let i = 0; i < 50; i++) {
    await raw();
    await client();
  }
  const rawMs: number[] = [];
  const clientMs: number[] = [];
  const block = 25;
  console.log(`client overhead: ${calls} sequential calls each, interleaved in blocks of ${block}...`);
  for (let done = 0; done < calls; done += block) {
    for (let i = 0; i < block; i++) await time(raw, rawMs);
    for (let i = 0; i < block; i++) await time(client, clientMs);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rawMean = mean(rawMs);
  const clientMean = mean(clientMs);
  const overhead = clientMean - rawMean;
  console.log(
    `  raw fetch ${round(rawMean, 3)} ms, generateRecommendation ${round(clientMean, 3)} ms, overhead ${round(overhead, 3)} ms`,
  );

  writeResult(
    'gemini',
    { connections, durationS: duration, calls, projects, projectRpm, emulatorLatencyMs: 0 },
    [
      {
        metric: `emulator throughput, ${connections} connections`,
        value: round(rps, 0),
        unit: 'req/s',
        baseline: { label: `pool need (${projects} projects × ${projectRpm} RPM)`, value: round(poolRps, 2) },
        target: `≥ 20 × pool need (${round(20 * poolRps, 0)} req/s)`,
        met: rps >= 20 * poolRps && load.non2xx === 0 && load.errors === 0,
      },
      { metric: 'emulator latency p50 under that load', value: load.latency.p50, unit: 'ms' },
      { metric: 'emulator latency p99 under that load', value: load.latency.p99, unit: 'ms' },
      {
        metric: 'generateRecommendation per call (mean)',
        value: round(clientMean, 3),
        unit: 'ms',
        baseline: { label: 'raw fetch, same request', value: round(rawMean, 3) },
      },
      {
        metric: 'generateRecommendation per call (p95)',
        value: round(percentile(clientMs, 95), 3),
        unit: 'ms',
        baseline: { label: 'raw fetch p95', value: round(percentile(rawMs, 95), 3) },
      },
      {
        metric: 'client overhead per call (mean)',
        value: round(overhead, 3),
        unit: 'ms',
        target: '< 5 ms (Gemini itself answers in ~1 s)',
        met: overhead < 5,
      },
    ],
    [
      'Emulator in its own process (the CLI), autocannon in the bench process: each has a core of its own.',
      `Throughput run: ${load.requests.total} requests, ${load.non2xx} non-2xx, ${load.errors} errors, ${load.timeouts} timeouts; keys of ${projects} projects round-robin, limits set never to bind.`,
      'Client overhead = prompt building, SDK request/response mapping, zod validation, classification bookkeeping and a pool stub (no Redis); the raw baseline sends the same body and parses the answer JSON.',
    ],
  );
} finally {
  emulatorProcess.kill();
  await emulatorProcess.exited;
}
