import { afterEach, describe, expect, it } from '@jest/globals';
import { type EmulatorHandle, startEmulator } from '../src/index.ts';
import { call, type Json, MODEL, newKey } from './helpers.ts';

let emulator: EmulatorHandle | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

/** An emulator on a controllable clock with two keys of project p1 and one of p2. */
async function withClock(start: number, limits: { rpm: number; rpd: number; tpm?: number }) {
  const clock = { now: start };
  const keys = { a: newKey(), b: newKey(), c: newKey() };
  emulator = await startEmulator(
    {
      keys: { [keys.a]: { project: 'p1' }, [keys.b]: { project: 'p1' }, [keys.c]: { project: 'p2' } },
      models: { [MODEL]: limits },
    },
    { clock: () => clock.now },
  );
  return { clock, keys, url: emulator.url };
}

const retryDelay = (json: Json): string =>
  json.error.details.find((d: Json) => d['@type'].endsWith('RetryInfo')).retryDelay;
const quotaId = (json: Json): string =>
  json.error.details.find((d: Json) => d['@type'].endsWith('QuotaFailure')).violations[0].quotaId;

describe('per-minute quota: rolling 60 s per project and model', () => {
  it('admits rpm requests in any 60 s, shares the budget between keys of a project, not across projects', async () => {
    const t0 = Date.UTC(2026, 10, 20, 12);
    const { clock, keys, url } = await withClock(t0, { rpm: 3, rpd: 1000 });
    expect((await call(url, keys.a)).status).toBe(200);
    clock.now = t0 + 10_000;
    expect((await call(url, keys.b)).status).toBe(200);
    clock.now = t0 + 20_000;
    expect((await call(url, keys.a)).status).toBe(200);
    clock.now = t0 + 30_000;
    const limited = await call(url, keys.b);
    expect(limited.status).toBe(429);
    expect(quotaId(limited.json)).toBe('GenerateRequestsPerMinutePerProjectPerModel-FreeTier');
    expect(retryDelay(limited.json)).toBe('30s'); // the request at t0 leaves the window at t0+60 s
    expect((await call(url, keys.c)).status).toBe(200); // another project has its own budget
    // Not a fixed minute: at t0+59.999 s the window still holds 3 requests.
    clock.now = t0 + 59_999;
    expect((await call(url, keys.a)).status).toBe(429);
    clock.now = t0 + 60_000;
    expect((await call(url, keys.a)).status).toBe(200);
    expect((await call(url, keys.a)).status).toBe(429);
  });

  it('a 429 does not consume quota (rejected requests are not counted against the window)', async () => {
    const t0 = Date.UTC(2026, 10, 20, 12);
    const { clock, keys, url } = await withClock(t0, { rpm: 1, rpd: 1000 });
    expect((await call(url, keys.a)).status).toBe(200);
    for (let i = 1; i <= 5; i++) {
      clock.now = t0 + i * 10_000;
      expect((await call(url, keys.a)).status).toBe(429);
    }
    clock.now = t0 + 60_000;
    expect((await call(url, keys.a)).status).toBe(200);
  });

  it('input tokens per minute', async () => {
    const t0 = Date.UTC(2026, 10, 20, 12);
    const { clock, keys, url } = await withClock(t0, { rpm: 100, rpd: 1000, tpm: 150 });
    expect((await call(url, keys.a)).status).toBe(200); // ~90 tokens
    clock.now = t0 + 1_000;
    const limited = await call(url, keys.a);
    expect(limited.status).toBe(429);
    expect(quotaId(limited.json)).toBe('GenerateContentInputTokensPerModelPerMinute-FreeTier');
    expect(retryDelay(limited.json)).toBe('59s');
  });
});

describe('per-day quota: the Pacific day', () => {
  it('resets at Pacific midnight (08:00 UTC in winter), with RetryInfo up to it', async () => {
    const beforeMidnight = Date.UTC(2026, 10, 29, 7, 59, 58, 500); // 23:59:58.5 PST
    const { clock, keys, url } = await withClock(beforeMidnight, { rpm: 100, rpd: 2 });
    expect((await call(url, keys.a)).status).toBe(200);
    expect((await call(url, keys.b)).status).toBe(200);
    const limited = await call(url, keys.a);
    expect(limited.status).toBe(429);
    expect(quotaId(limited.json)).toBe('GenerateRequestsPerDayPerProjectPerModel-FreeTier');
    expect(retryDelay(limited.json)).toBe('1s'); // 1.5 s left, whole seconds like Google
    expect(limited.json.error.details[0].violations[0].quotaValue).toBe('2');
    clock.now = Date.UTC(2026, 10, 29, 8);
    expect((await call(url, keys.a)).status).toBe(200);
    const stats = emulator!.stats().quotas.p1![MODEL]!;
    expect(stats.days).toEqual({
      '2026-11-28': { requests: 3, admitted: 2, rateLimited: 1 },
      '2026-11-29': { requests: 1, admitted: 1, rateLimited: 0 },
    });
  });

  it('on the spring-forward day the quota day ends at 07:00 UTC (a 23-hour day)', async () => {
    const start = Date.UTC(2026, 2, 8, 8, 30); // 00:30 PST, 2026-03-08
    const { clock, keys, url } = await withClock(start, { rpm: 100, rpd: 1 });
    expect((await call(url, keys.a)).status).toBe(200);
    clock.now = Date.UTC(2026, 2, 9, 6, 59, 30); // 23:59:30 PDT, same quota day
    const limited = await call(url, keys.a);
    expect(limited.status).toBe(429);
    expect(retryDelay(limited.json)).toBe('30s');
    clock.now = Date.UTC(2026, 2, 9, 7);
    expect((await call(url, keys.a)).status).toBe(200);
  });

  it('on the fall-back day the quota day lasts 25 hours', async () => {
    const start = Date.UTC(2026, 10, 1, 7, 30); // 00:30 PDT, 2026-11-01
    const { clock, keys, url } = await withClock(start, { rpm: 100, rpd: 1 });
    expect((await call(url, keys.a)).status).toBe(200);
    clock.now = Date.UTC(2026, 10, 2, 7, 30); // 23:30 PST, still 2026-11-01
    expect((await call(url, keys.a)).status).toBe(429);
    clock.now = Date.UTC(2026, 10, 2, 8);
    expect((await call(url, keys.a)).status).toBe(200);
  });

  it('rpd 0 is a zero quota: quotaValue "0" and "limit: 0" in the message', async () => {
    const { keys, url } = await withClock(Date.UTC(2026, 10, 20, 12), { rpm: 10, rpd: 0 });
    const r = await call(url, keys.a);
    expect(r.status).toBe(429);
    expect(r.json.error.details[0].violations[0].quotaValue).toBe('0');
    expect(r.json.error.message).toContain('limit: 0, model: gemini-2.5-flash-lite');
  });
});

describe('stats: the most requests in any rolling 60 s window', () => {
  it('counts every request that reached the project (429s too), at the worst window', async () => {
    const t0 = Date.UTC(2026, 10, 20, 12);
    const { clock, keys, url } = await withClock(t0, { rpm: 3, rpd: 1000 });
    // Requests at 0, 30, 59.999, 60, 61 s: windows ending at 61 s hold 30..61 = 4 requests.
    for (const dt of [0, 30_000, 59_999, 60_000, 61_000]) {
      clock.now = t0 + dt;
      await call(url, keys.a);
    }
    const s = emulator!.stats();
    expect(s.quotas.p1![MODEL]).toMatchObject({ maxRequestsPerMinute: 4, maxAdmittedPerMinute: 3 });
    expect(s.byStatus).toEqual({ '200': 4, '429': 1 });
    // Invalid keys never reach a project.
    await call(url, newKey());
    expect(emulator!.stats().quotas.p1![MODEL]!.days['2026-11-20']!.requests).toBe(5);
    expect(emulator!.stats().byReason.API_KEY_INVALID).toBe(1);
  });
});
