import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@mealwise/db/testing';
import { deleteByPrefix, type Spawned, spawnNodeTs, TEST_REDIS_URL, uniquePrefix } from '@mealwise/testing';
import { Redis } from 'ioredis';
import { metricFamilies, seriesIsExported } from '../src/exposition.ts';
import { containers } from '../src/k8s.ts';
import { renderKustomization } from '../src/kustomize.ts';
import { parsePromQL, selectors } from '../src/promql.ts';
import { readJson, readText, readYaml, repoPath } from '../src/repo.ts';

// Every metric the Grafana dashboard and the alert rules query must be one the api or the worker
// really exports: both are started here as real processes and scraped.

interface Panel {
  title: string;
  type: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}
interface Rule {
  alert: string;
  expr: string;
  annotations: Record<string, string>;
}

const dashboard = readJson<{ panels: Panel[]; templating: { list: { name: string }[] } }>(
  'infra/grafana/dashboards/mealwise.json',
);
const rules = readYaml<{ groups: { name: string; rules: Rule[] }[] }>('infra/prometheus/alerts.yml');
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
const queries = [
  ...panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, expr: t.expr }))),
  ...rules.groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }))),
];

const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
const prefix = uniquePrefix('obs');
let db: MigratedTestDatabase;
let worker: Spawned;
let api: Spawned;
let workerUrl = '';
let apiUrl = '';
const scraped: Record<'api' | 'worker', string> = { api: '', worker: '' };

const jsonField = (line: string, field: string) => (JSON.parse(line) as Record<string, unknown>)[field];

beforeAll(async () => {
  db = await createMigratedTestDatabase();
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    BULL_PREFIX: prefix,
    GEMINI_KEY_POOL_PREFIX: `${prefix}:gemini:`,
    GEMINI_API_KEYS: `project-a:test-key-${randomUUID()},project-b:test-key-${randomUUID()}`,
    LOG_LEVEL: 'info',
  };
  worker = spawnNodeTs(repoPath('apps/worker/src/main.ts'), [], {
    env: { ...env, WORKER_METRICS_PORT: '0', RECS_SCHEDULER_ENABLED: 'false' },
  });
  api = spawnNodeTs(repoPath('apps/api/src/main.ts'), [], {
    env: {
      ...env,
      API_PORT: '0',
      API_HOST: '127.0.0.1',
      API_TOKENS: randomBytes(16).toString('hex'),
      ADMIN_TOKEN: randomBytes(16).toString('hex'),
    },
  });
  const [w, a] = await Promise.all([
    worker.waitForLine('"worker started"', 60_000),
    api.waitForLine('"listening"', 60_000),
  ]);
  workerUrl = `http://127.0.0.1:${String(jsonField(w, 'metricsPort'))}`;
  apiUrl = `http://127.0.0.1:${String(jsonField(a, 'port'))}`;
  // One request first, so the API's request histogram has a series.
  await fetch(`${apiUrl}/healthz`);
  scraped.worker = await (await fetch(`${workerUrl}/metrics`)).text();
  scraped.api = await (await fetch(`${apiUrl}/metrics`)).text();
}, 90_000);

afterAll(async () => {
  worker?.kill('SIGTERM');
  api?.kill('SIGTERM');
  await Promise.all([worker?.exited, api?.exited]);
  await deleteByPrefix(redis, `${prefix}:`);
  await redis.quit();
  await db?.dispose();
});

describe('dashboard and alert queries', () => {
  it('are valid PromQL (Prometheus’ own grammar) and each selects at least one metric', () => {
    expect(queries.length).toBeGreaterThan(20);
    for (const q of queries) {
      const parsed = parsePromQL(q.expr);
      expect({ where: q.where, errors: parsed.errors }).toEqual({ where: q.where, errors: [] });
      expect({ where: q.where, metrics: parsed.metrics.length > 0 }).toEqual({
        where: q.where,
        metrics: true,
      });
    }
  });

  it('only use metrics that a running api or worker exports', () => {
    const families = new Map([...metricFamilies(scraped.worker), ...metricFamilies(scraped.api)]);
    expect(families.size).toBeGreaterThan(20);
    const missing = queries.flatMap((q) =>
      parsePromQL(q.expr)
        .metrics.filter((m) => !seriesIsExported(m, families))
        .map((m) => `${q.where}: ${m}`),
    );
    expect(missing).toEqual([]);
  });

  it('cover what operators watch: batch, latency, Gemini calls, key pool vs limit, reset, queue depth', () => {
    const used = new Set(queries.flatMap((q) => parsePromQL(q.expr).metrics));
    for (const m of [
      'mealwise_batch_users',
      'mealwise_batch_finished_timestamp_seconds',
      'mealwise_generation_duration_seconds_bucket',
      'mealwise_gemini_calls_total',
      'mealwise_key_pool_requests_today',
      'mealwise_key_pool_limit_requests_per_day',
      'mealwise_key_pool_seconds_to_reset',
      'mealwise_key_pool_key_state',
      'bullmq_job_count',
    ]) {
      expect(used.has(m)).toBe(true);
    }
    const alerts = rules.groups.flatMap((g) => g.rules.map((r) => r.alert));
    for (const a of [
      'MealwiseAllGeminiKeysInvalid',
      'MealwiseGeminiQuotaExhaustedBeforeBatchFinished',
      'MealwiseBatchNotFinishedBy0700',
      'MealwiseGeminiErrorRate',
    ]) {
      expect(alerts).toContain(a);
    }
  });

  it('select label values the exporters really produce (queue states, queues, limit windows, ...)', () => {
    // For every `label="v"` / `label=~"a|b"` matcher on a series the scrape has samples of with that
    // label, each value must occur — `state="wait"` (BullMQ says "waiting") would select nothing.
    const text = `${scraped.worker}\n${scraped.api}`;
    const exported = (metric: string, label: string) =>
      new Set(
        [...text.matchAll(new RegExp(`^${metric}\\{[^}]*\\b${label}="([^"]*)"`, 'gm'))].map(
          (m) => m[1] as string,
        ),
      );
    let checked = 0;
    const wrong: string[] = [];
    for (const q of queries) {
      for (const sel of selectors(q.expr)) {
        for (const m of sel.matchers) {
          if ((m.op !== '=' && m.op !== '=~') || !/^[\w-]+(\|[\w-]+)*$/.test(m.value)) continue;
          const values = exported(sel.metric, m.label);
          if (values.size === 0) continue; // no sample carries this label yet (e.g. no job has run)
          checked++;
          for (const v of m.value.split('|'))
            if (!values.has(v)) wrong.push(`${q.where}: ${sel.metric}{${m.label}="${v}"}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(4);
  });

  it('link every alert to a section of the runbook that exists', () => {
    const anchors = new Set(
      [...readText('docs/operations.md').matchAll(/^#{2,4} (.+)$/gm)].map((m) =>
        (m[1] as string)
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    for (const g of rules.groups) {
      for (const r of g.rules) {
        const anchor = /docs\/operations\.md#(\S+)/.exec(r.annotations.runbook ?? '')?.[1];
        expect({ alert: r.alert, anchor, exists: anchors.has(anchor ?? '') }).toEqual({
          alert: r.alert,
          anchor,
          exists: true,
        });
      }
    }
  });
});

describe('health routes used by probes and healthchecks', () => {
  it('answer 200 on the running processes (k8s probes, compose and Dockerfile healthchecks)', async () => {
    const probes: { app: 'api' | 'worker'; path: string; where: string }[] = [];
    for (const o of renderKustomization('infra/k8s/base')) {
      for (const c of containers(o)) {
        const app = c.image.includes('api') ? 'api' : c.image.includes('worker') ? 'worker' : null;
        for (const p of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
          if (app && p?.httpGet) probes.push({ app, path: p.httpGet.path, where: `k8s ${c.image}` });
        }
      }
    }
    const compose = readYaml<{ services: Record<string, { healthcheck?: { test: string[] } }> }>(
      'infra/docker-compose.yml',
    );
    for (const app of ['api', 'worker'] as const) {
      const test = compose.services[app]?.healthcheck?.test ?? [];
      probes.push({ app, path: test[test.length - 1] as string, where: `compose ${app}` });
    }
    for (const m of readText('infra/docker/Dockerfile').matchAll(
      /healthcheck\.mjs", "(\w+)", "\d+", "(\S+)"/g,
    )) {
      if (m[1] === 'API_PORT') probes.push({ app: 'api', path: m[2] as string, where: 'Dockerfile api' });
      if (m[1] === 'WORKER_METRICS_PORT')
        probes.push({ app: 'worker', path: m[2] as string, where: 'Dockerfile worker' });
    }
    expect(probes.length).toBeGreaterThanOrEqual(9);
    for (const p of probes) {
      const res = await fetch(`${p.app === 'api' ? apiUrl : workerUrl}${p.path}`);
      expect({ ...p, status: res.status }).toEqual({ ...p, status: 200 });
    }
  });
});
