import { afterEach, describe, expect, it } from '@jest/globals';
import { type EmulatorHandle, startEmulator } from '../src/index.ts';
import { call, type Json, MODEL, newKey } from './helpers.ts';

let emulator: EmulatorHandle | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const admin = async (url: string, path: string, body?: unknown) => {
  const res = await fetch(`${url}/_emulator/${path}`, {
    method: body === undefined && path === 'stats' ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Json };
};

describe('runtime control over HTTP', () => {
  it('POST /_emulator/config turns a key invalid, suspends a project, exhausts a day, sets fault rates', async () => {
    const a = newKey();
    const b = newKey();
    emulator = await startEmulator({ keys: { [a]: { project: 'p1' }, [b]: { project: 'p2' } } });
    const { url } = emulator;
    expect((await call(url, a)).status).toBe(200);

    const changed = await admin(url, 'config', { keys: { [a]: { project: 'p1', state: 'invalid' } } });
    expect(changed.status).toBe(200);
    expect(JSON.stringify(changed.json)).not.toContain(a); // keys are shown by fingerprint only
    expect((await call(url, a)).json.error.details[0].reason).toBe('API_KEY_INVALID');

    await admin(url, 'config', { projects: { p2: { state: 'suspended' } } });
    expect((await call(url, b)).json.error.details[0].reason).toBe('CONSUMER_SUSPENDED');
    await admin(url, 'config', { projects: { p2: { state: 'active' } } });
    expect((await call(url, b)).status).toBe(200);

    await admin(url, 'config', { exhaust: [{ project: 'p2', model: MODEL, window: 'day' }] });
    const day = await call(url, b);
    expect(day.status).toBe(429);
    expect(day.json.error.details[0].violations[0].quotaId).toBe(
      'GenerateRequestsPerDayPerProjectPerModel-FreeTier',
    );

    await admin(url, 'config', {
      projects: { p3: {} },
      keys: { [a]: { project: 'p3' } },
      faults: { rates: { unavailable: 1 } },
    });
    expect((await call(url, a)).status).toBe(503);

    const bad = await admin(url, 'config', { faults: { rates: { unavailable: 2 } } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain('faults.rates.unavailable');
  });

  it('GET /_emulator/stats and POST /_emulator/reset', async () => {
    const a = newKey();
    emulator = await startEmulator({
      keys: { [a]: { project: 'p1' } },
      models: { [MODEL]: { rpm: 1, rpd: 10 } },
    });
    await call(emulator.url, a);
    await call(emulator.url, a);
    const before = await admin(emulator.url, 'stats');
    expect(before.json).toMatchObject({
      requests: 2,
      byStatus: { '200': 1, '429': 1 },
      byReason: { ok: 1, RATE_LIMIT_MINUTE: 1 },
      quotas: {
        p1: { [MODEL]: { maxRequestsPerMinute: 2, maxAdmittedPerMinute: 1, requestsLastMinute: 2 } },
      },
    });
    expect(Object.keys(before.json.byKey)).toEqual([expect.stringMatching(/^[0-9a-f]{12}$/)]);
    expect((await admin(emulator.url, 'reset', {})).status).toBe(200);
    expect((await admin(emulator.url, 'stats')).json).toMatchObject({
      requests: 0,
      byStatus: {},
      quotas: {},
    });
    expect((await call(emulator.url, a)).status).toBe(200); // the quota state was reset too
  });

  it('is deterministic for a seed: the same fault sequence replays', async () => {
    const a = newKey();
    const run = async (seed: number) => {
      const e = await startEmulator({
        keys: { [a]: { project: 'p1' } },
        models: { [MODEL]: { rpm: 1000, rpd: 1000 } },
        seed,
        faults: { rates: { unavailable: 0.3, malformed: 0.3 } },
      });
      const statuses: string[] = [];
      for (let i = 0; i < 30; i++) {
        const r = await call(e.url, a);
        statuses.push(
          r.status === 200 ? r.json.candidates[0].content.parts[0].text.slice(0, 5) : String(r.status),
        );
      }
      await e.close();
      return statuses.join(',');
    };
    const first = await run(7);
    expect(await run(7)).toBe(first);
    expect(await run(8)).not.toBe(first);
    expect(first).toContain('503');
    expect(first).toContain('Вот');
  });

  it('latency base + jitter delays the answer', async () => {
    const a = newKey();
    emulator = await startEmulator({
      keys: { [a]: { project: 'p1' } },
      latency: { baseMs: 150, jitterMs: 50 },
    });
    const started = performance.now();
    expect((await call(emulator.url, a)).status).toBe(200);
    // Behaviour, not speed: the answer cannot come before the configured base latency.
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
  });
});

describe('concurrency', () => {
  it('serves 500 concurrent connections', async () => {
    const a = newKey();
    emulator = await startEmulator({
      keys: { [a]: { project: 'p1' } },
      models: { [MODEL]: { rpm: 100_000, rpd: 100_000 } },
      latency: { baseMs: 200, jitterMs: 0 },
    });
    const replies = await Promise.all(Array.from({ length: 500 }, () => call(emulator!.url, a)));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    const s = emulator.stats();
    expect(s.quotas.p1![MODEL]!.maxRequestsPerMinute).toBe(500);
  });
});
