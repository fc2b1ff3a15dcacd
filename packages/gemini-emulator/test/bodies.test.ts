import { afterEach, describe, expect, it } from '@jest/globals';
import { type EmulatorHandle, startEmulator } from '../src/index.ts';
import { call, generateBody, MODEL, newKey, SCHEMA } from './helpers.ts';

// Verbatim from shared/reference/gemini-api.md.
const REFERENCE_INVALID_KEY =
  '{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com","metadata":{"service":"generativelanguage.googleapis.com"}}]}}';
const REFERENCE_QUOTA =
  '{"error":{"code":429,"message":"You exceeded your current quota ... Please retry in 26.5s.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaMetric":"generativelanguage.googleapis.com/generate_content_free_tier_requests","quotaId":"GenerateRequestsPerDayPerProjectPerModel-FreeTier","quotaDimensions":{"location":"global","model":"gemini-2.5-flash"},"quotaValue":"250"}]},{"@type":"type.googleapis.com/google.rpc.Help","links":[{"description":"Learn more about Gemini API quotas","url":"https://ai.google.dev/gemini-api/docs/rate-limits"}]},{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"26s"}]}}';

let emulator: EmulatorHandle | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

describe('error bodies match Google’s byte for byte', () => {
  it('400 API_KEY_INVALID is the reference body exactly', async () => {
    emulator = await startEmulator({});
    const r = await call(emulator.url, newKey());
    expect(r.status).toBe(400);
    expect(r.contentType).toBe('application/json; charset=UTF-8');
    expect(r.text).toBe(REFERENCE_INVALID_KEY);
  });

  it('429 per day is the reference body, apart from the prose message', async () => {
    const key = newKey();
    // Pacific midnight in 26.5 s: the same retryDelay as the reference.
    const now = Date.UTC(2026, 10, 29, 8) - 26_500;
    emulator = await startEmulator(
      { keys: { [key]: { project: 'p' } }, models: { 'gemini-2.5-flash': { rpm: 10, rpd: 250 } } },
      { clock: () => now },
    );
    emulator.configure({ exhaust: [{ project: 'p', model: 'gemini-2.5-flash', window: 'day' }] });
    const r = await call(emulator.url, key, { model: 'gemini-2.5-flash' });
    expect(r.status).toBe(429);
    const reference = JSON.parse(REFERENCE_QUOTA);
    reference.error.message = r.json.error.message;
    expect(r.text).toBe(JSON.stringify(reference));
    expect(r.json.error.message).toMatch(
      /^You exceeded your current quota.*limit: 250, model: gemini-2\.5-flash\nPlease retry in 26\.500000s\.$/s,
    );
  });

  it('403 variants, 401, 404, FAILED_PRECONDITION: status, reason and JSON content type', async () => {
    const keys = Object.fromEntries(
      [
        'suspended',
        'service_blocked',
        'service_disabled',
        'leaked',
        'unauthenticated',
        'location_unsupported',
      ].map((s) => [s, newKey()]),
    );
    emulator = await startEmulator({
      keys: Object.fromEntries(
        Object.entries(keys).map(([state, key]) => [key, { project: 'p', state: state as never }]),
      ),
    });
    const expectations: [string, number, string, string | undefined][] = [
      ['suspended', 403, 'PERMISSION_DENIED', 'CONSUMER_SUSPENDED'],
      ['service_blocked', 403, 'PERMISSION_DENIED', 'API_KEY_SERVICE_BLOCKED'],
      ['service_disabled', 403, 'PERMISSION_DENIED', 'SERVICE_DISABLED'],
      ['leaked', 403, 'PERMISSION_DENIED', undefined],
      ['unauthenticated', 401, 'UNAUTHENTICATED', 'ACCESS_TOKEN_TYPE_UNSUPPORTED'],
      ['location_unsupported', 400, 'FAILED_PRECONDITION', undefined],
    ];
    for (const [state, code, status, reason] of expectations) {
      const r = await call(emulator.url, keys[state]);
      expect([state, r.status, r.json.error.code, r.json.error.status]).toEqual([state, code, code, status]);
      expect(r.contentType).toContain('application/json');
      expect(r.json.error.details?.[0]?.reason).toBe(reason);
      expect(r.text).not.toContain(keys[state]);
    }
    const leaked = await call(emulator.url, keys.leaked);
    expect(leaked.text).toBe(
      '{"error":{"code":403,"message":"Your API key was reported as leaked. Please use another API key.","status":"PERMISSION_DENIED"}}',
    );
    const noKey = await call(emulator.url, undefined);
    expect(noKey.status).toBe(403);
  });

  it('404 for an unknown model, worded per API version', async () => {
    const key = newKey();
    emulator = await startEmulator({ keys: { [key]: { project: 'p' } } });
    const r = await call(emulator.url, key, { model: 'gemini-2.0-flash-exp', version: 'v1' });
    expect(r.status).toBe(404);
    expect(r.text).toBe(
      '{"error":{"code":404,"message":"models/gemini-2.0-flash-exp is not found for API version v1, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.","status":"NOT_FOUND"}}',
    );
  });

  it('500 and 503 bodies', async () => {
    const key = newKey();
    emulator = await startEmulator({
      keys: { [key]: { project: 'p' } },
      faults: { script: ['internal', 'unavailable'] },
    });
    expect((await call(emulator.url, key)).json).toEqual({
      error: {
        code: 500,
        message:
          'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
        status: 'INTERNAL',
      },
    });
    expect((await call(emulator.url, key)).text).toBe(
      '{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}',
    );
  });

  it('unknown fields are rejected as Google does (400 INVALID_ARGUMENT)', async () => {
    const key = newKey();
    emulator = await startEmulator({ keys: { [key]: { project: 'p' } } });
    const r = await call(emulator.url, key, { body: generateBody({ automaticContinuation: false }) });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toBe(
      'Invalid JSON payload received. Unknown name "automaticContinuation" at \'generation_config\': Cannot find field.',
    );
    expect((await call(emulator.url, key, { body: { contents: [] } })).status).toBe(400);
    const budget = await call(emulator.url, key, {
      body: generateBody({ thinkingConfig: { thinkingBudget: 100_000 } }),
    });
    expect([budget.status, budget.json.error.status]).toEqual([400, 'INVALID_ARGUMENT']);
    const temperature = await call(emulator.url, key, { body: generateBody({ temperature: 3 }) });
    expect(temperature.json.error.message).toContain('temperature value of 3');
    expect(emulator.stats().quotas).toEqual({}); // rejected before any quota was spent
  });
});

describe('success bodies', () => {
  it('are shaped like Google’s, follow the prompt’s numbers and the requested schema, and carry no continuationToken', async () => {
    const key = newKey();
    emulator = await startEmulator({ keys: { [key]: { project: 'p' } } });
    const r = await call(emulator.url, key);
    expect(r.status).toBe(200);
    expect(r.contentType).toContain('application/json');
    expect(r.text).not.toContain('continuationToken');
    const c = r.json.candidates[0];
    expect(c).toMatchObject({ finishReason: 'STOP', index: 0, content: { role: 'model' } });
    expect(r.json).toMatchObject({ modelVersion: MODEL, responseId: expect.stringMatching(/^\w{22}$/) });
    const u = r.json.usageMetadata;
    expect(u.totalTokenCount).toBe(u.promptTokenCount + u.candidatesTokenCount);
    const answer = JSON.parse(c.content.parts[0].text);
    expect(Object.keys(answer).sort()).toEqual(['summary', 'tips']);
    expect(answer.summary).toContain('18 заказов');
    expect(answer.summary).toContain('основных блюд (40 %)');
    expect(answer.tips).toHaveLength(3);
    expect(answer.tips[0]).toContain('15 %');
    expect(answer.tips[1]).toContain('«Борщ с курицей»');
    expect(answer.tips[2]).toContain('«Греческий салат»');
    for (const t of answer.tips) expect(t.length).toBeLessThanOrEqual(300);
  });

  it('prompt token counts grow with the prompt; thinking tokens appear when thinking is left on', async () => {
    const key = newKey();
    emulator = await startEmulator({ keys: { [key]: { project: 'p' } } });
    const small = await call(emulator.url, key, {
      body: { contents: [{ parts: [{ text: 'Всего заказов: 1' }] }] },
    });
    const big = await call(emulator.url, key, {
      body: { contents: [{ parts: [{ text: 'Всего заказов: 1 '.repeat(50) }] }] },
    });
    expect(big.json.usageMetadata.promptTokenCount).toBeGreaterThan(
      small.json.usageMetadata.promptTokenCount * 20,
    );
    expect(small.json.usageMetadata.thoughtsTokenCount).toBeGreaterThan(0);
  });

  it('maxItems of the schema is respected', async () => {
    const key = newKey();
    emulator = await startEmulator({ keys: { [key]: { project: 'p' } } });
    const schema = {
      ...SCHEMA,
      properties: { ...SCHEMA.properties, tips: { ...SCHEMA.properties.tips, maxItems: 2 } },
    };
    const r = await call(emulator.url, key, { body: generateBody({ responseJsonSchema: schema }) });
    expect(JSON.parse(r.json.candidates[0].content.parts[0].text).tips).toHaveLength(2);
  });

  it('GET /{version}/models lists the known models without spending quota; a bad key is refused', async () => {
    const key = newKey();
    emulator = await startEmulator({
      keys: { [key]: { project: 'p' } },
      models: { [MODEL]: { rpm: 1, rpd: 1 } },
    });
    for (let i = 0; i < 3; i++) {
      const r = await call(emulator.url, key, { method: 'GET', path: '/v1beta/models' });
      expect(r.status).toBe(200);
      expect(r.json.models.map((m: { name: string }) => m.name)).toEqual([`models/${MODEL}`]);
    }
    expect((await call(emulator.url, key)).status).toBe(200);
    expect((await call(emulator.url, newKey(), { method: 'GET', path: '/v1/models' })).status).toBe(400);
  });
});
