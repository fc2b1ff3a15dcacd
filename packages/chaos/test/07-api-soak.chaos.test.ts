// Scenario 7 — API load and soak: the real API process (production settings) under 500
// connections for 60 s of mixed traffic — cache hits (service token and Telegram initData,
// revalidations), misses with live statistics from PostgreSQL, and bad requests of every kind —
// must answer no 5xx, no connection errors or timeouts, and keep its RSS flat over the last 30 s.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RecommendationCache } from '@mealwise/recs';
import { initDataFor } from '@mealwise/testing';
import autocannon from 'autocannon';
import { type ApiHandle, type Stack, startStack } from '../src/harness/index.ts';
import { recordScenario } from '../src/report.ts';
import { rssWindow, sampleRss } from './support/rss.ts';

const ID = '07-api-soak';
const CONNECTIONS = 500;
const DURATION_S = 60;
/** Load before the measured minute, so the window sees steady state rather than V8 warming up. */
const WARMUP_S = 10;
const WINDOW_S = 30;
/**
 * RSS growth over the last 30 s above this is a leak, below it noise. In steady state the API's
 * RSS moved by ≤ 4 MiB over 30 s in every trial run here; V8 grows its heap in steps of ~10-30
 * MiB while warming up (first ~20 s). 16 MiB is 4× the steady-state noise; at ~4,500 req/s it
 * still catches anything that keeps ≥ ~130 bytes per request.
 */
const NOISE_MIB = 16;

let stack: Stack;
let api: ApiHandle;

beforeAll(async () => {
  stack = await startStack({ name: ID, users: 200 });
  api = await stack.startApi({ NODE_ENV: 'production' });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

describe('API under 500 connections for 60 s', () => {
  it('answers no 5xx, drops no connection, keeps its RSS flat', async () => {
    const { tgids, tokens } = stack;
    const bearer = { authorization: `Bearer ${tokens.api}` };
    const hitUsers = tgids.slice(0, 100);
    const missUsers = tgids.slice(100);

    // Hits: a record per user of the first half, built from the API's own miss answer (live stats),
    // as the worker would store it.
    const cache = new RecommendationCache({ redis: stack.redis, ttlSeconds: 3_600 });
    for (const tgid of hitUsers) {
      const res = await fetch(`${api.url}/v1/users/${tgid}/recommendations`, { headers: bearer });
      expect(res.status).toBe(200);
      const miss = (await res.json()) as { stats: never };
      await cache.put(tgid, {
        summary: `Пользователь ${tgid} чаще всего берёт основные блюда.`,
        tips: ['Добавьте салат к обеду.', 'Попробуйте новый суп на этой неделе.'],
        stats: miss.stats,
        generated_at: new Date().toISOString(),
        model: 'gemini-2.5-flash-lite',
        source: 'gemini',
      });
    }
    const etag = (
      await fetch(`${api.url}/v1/users/${hitUsers[0]}/recommendations`, { headers: bearer })
    ).headers.get('etag');
    expect(etag).toMatch(/^".+"$/);

    const get = (path: string, headers: Record<string, string> = bearer) => ({
      method: 'GET' as const,
      path,
      headers,
    });
    const recs = (tgid: number | string) => `/v1/users/${tgid}/recommendations`;
    const unknownUser = Math.max(...tgids) + 1_000_003;
    // One connection's cycle: 12 hits (3 via Telegram initData, 1 revalidation → 304), 4 misses
    // (PostgreSQL stats + a deduplicated job), 7 bad requests. Every connection repeats it.
    const requests = [
      ...hitUsers.slice(0, 8).map((t) => get(recs(t))),
      ...hitUsers
        .slice(8, 11)
        .map((t) => get(recs(t), { authorization: `tma ${initDataFor(t, tokens.telegram)}` })),
      get(recs(hitUsers[0]!), { ...bearer, 'if-none-match': etag! }),
      ...missUsers.slice(0, 4).map((t) => get(recs(t))),
      get(recs('abc')), // 400
      get(recs('0')), // 400
      get(recs(hitUsers[1]!), {}), // 401 no credentials
      get(recs(hitUsers[1]!), { authorization: 'Bearer not-a-valid-token-at-all' }), // 401
      get(recs(hitUsers[2]!), { authorization: `tma ${initDataFor(hitUsers[3]!, tokens.telegram)}` }), // 403
      get(recs(unknownUser)), // 404 USER_NOT_FOUND (a PostgreSQL lookup)
      get('/v1/nope'), // 404 route
    ];

    const rss = sampleRss(api.pid);
    const warm = await autocannon({ url: api.url, connections: CONNECTIONS, duration: WARMUP_S, requests });
    const started = Date.now();
    const r = await autocannon({
      url: api.url,
      connections: CONNECTIONS,
      duration: DURATION_S,
      requests,
    });
    const durationMs = Date.now() - started;
    const samples = rss.stop();
    const window = rssWindow(samples, WINDOW_S);

    const codes = Object.fromEntries(
      Object.entries(r.statusCodeStats ?? {}).map(([code, s]) => [code, s.count ?? 0]),
    );
    const warmCodes = Object.keys(warm.statusCodeStats ?? {});
    const alive = await fetch(`${api.url}/healthz`).then((x) => x.status);
    stack.noteText('soak status codes', JSON.stringify(codes));

    const summary = {
      requests: r.requests.total,
      rps: Math.round(r.requests.average),
      p50: r.latency.p50,
      p99: r.latency.p99,
      max: r.latency.max,
      codes,
      errors: r.errors,
      timeouts: r.timeouts,
      rssFirstMiB: Math.round(samples[0]!.mib),
      rssMaxMiB: Math.round(Math.max(...samples.map((s) => s.mib))),
      rssWindow: window,
    };
    console.log(`${ID}: ${JSON.stringify(summary)}`);
    console.log(
      `${ID} RSS (s:MiB): ${samples.map((s) => `${s.t.toFixed(0)}:${s.mib.toFixed(0)}`).join(' ')}`,
    );

    const hits = await stack.scanSecrets({ throwOnHit: false });
    recordScenario({
      id: ID,
      title: 'API load and soak (500 connections × 60 s, mixed hits / misses / bad requests)',
      batch: false,
      users: CONNECTIONS,
      succeeded: r['2xx'] + r['3xx'],
      stale: 0,
      rules: 0,
      failed: r.errors + r.timeouts,
      missing: 0,
      duplicates: 0,
      overruns: 0,
      recoveryMs: null,
      fiveXx: r['5xx'],
      durationMs,
      secretHits: hits.length,
      extra: {
        connections: CONNECTIONS,
        requests: r.requests.total,
        rps: Math.round(r.requests.average),
        p50Ms: r.latency.p50,
        p99Ms: r.latency.p99,
        maxMs: r.latency.max,
        status: Object.entries(codes)
          .map(([c, n]) => `${c}:${n}`)
          .join(' '),
        rssStartMiB: Math.round(samples[0]!.mib),
        rssWindowStartMiB: Math.round(window.startMiB * 10) / 10,
        rssEndMiB: Math.round(window.endMiB * 10) / 10,
        rssGrowthLast30sMiB: Math.round(window.growthMiB * 10) / 10,
        rssSlopeMiBPerMin: Math.round(window.slopeMiBPerMin * 10) / 10,
        rssNoiseThresholdMiB: NOISE_MIB,
        warmupRequests: warm.requests.total,
        warmup5xx: warm['5xx'],
      },
      notes:
        `${WARMUP_S} s of the same load first (V8 warm-up, also asserted 5xx-free), then the measured ${DURATION_S} s; RSS window = its last ${WINDOW_S} s. ` +
        '`users` = connections; succeeded = 2xx + 3xx answers, failed = connection errors + timeouts; the 4xx (bad requests by design) are in `status`.',
    });

    expect(alive).toBe(200);
    expect(warm['5xx'] + warm.errors + warm.timeouts).toBe(0);
    expect(warmCodes.filter((c) => c >= '500')).toEqual([]);
    expect(r['5xx']).toBe(0);
    expect(r.errors).toBe(0);
    expect(r.timeouts).toBe(0);
    // The mix reached every intended answer: hits, revalidation, each refusal.
    for (const code of ['200', '304', '400', '401', '403', '404'])
      expect(codes[code] ?? 0).toBeGreaterThan(0);
    expect(Object.keys(codes).sort()).toEqual(['200', '304', '400', '401', '403', '404']);
    expect(window.samples).toBeGreaterThanOrEqual(WINDOW_S - 2);
    expect(window.growthMiB).toBeLessThan(NOISE_MIB);
    expect(hits).toEqual([]);
  }, 150_000);
});
