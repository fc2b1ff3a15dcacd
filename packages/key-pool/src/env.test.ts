import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, parseEnv } from '@mealwise/config';
import { geminiPoolEnv, poolOptionsFromEnv } from './env.ts';
import { fingerprint } from './keys.ts';

const k = () => `test-key-${randomUUID()}`;

describe('geminiPoolEnv', () => {
  it('applies the documented defaults', () => {
    const key = k();
    const env = parseEnv(geminiPoolEnv, { GEMINI_API_KEYS: `projA:${key}` });
    expect(poolOptionsFromEnv(env)).toEqual({
      keys: [{ key, fingerprint: fingerprint(key), project: 'projA' }],
      limits: { requestsPerMinute: 10, requestsPerDay: 195 },
      models: ['gemini-2.5-flash-lite'],
      prefix: 'gemini:',
      windowGuardMs: 1_000,
    });
  });

  it('reads every variable', () => {
    const env = parseEnv(geminiPoolEnv, {
      GEMINI_API_KEYS: `${k()},${k()}`,
      GEMINI_MAX_REQUESTS_PER_KEY: '20',
      GEMINI_MAX_REQUESTS_PER_MINUTE: '5',
      GEMINI_MAX_TOKENS_PER_MINUTE: '250000',
      GEMINI_MODEL: 'gemini-2.5-flash',
      GEMINI_FALLBACK_MODELS: 'gemini-2.5-flash-lite, gemini-2.5-flash',
      GEMINI_KEY_POOL_PREFIX: '{gemini}:',
      GEMINI_RPM_WINDOW_GUARD_MS: '0',
    });
    const o = poolOptionsFromEnv(env);
    expect(o.keys).toHaveLength(2);
    expect(o.limits).toEqual({ requestsPerMinute: 5, requestsPerDay: 20, tokensPerMinute: 250000 });
    expect(o.models).toEqual(['gemini-2.5-flash', 'gemini-2.5-flash-lite']);
    expect(o.prefix).toBe('{gemini}:');
    expect(o.windowGuardMs).toBe(0);
  });

  it('names GEMINI_API_KEYS with the key list problem and never echoes a key', () => {
    const key = k();
    let error: unknown;
    try {
      parseEnv(geminiPoolEnv, { GEMINI_API_KEYS: `a:${key},b:${key}` });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `Invalid configuration: GEMINI_API_KEYS entries 1 and 2 list key ${fingerprint(key)} under two projects (a, b)`,
    );
    expect(() => parseEnv(geminiPoolEnv, {})).toThrow('GEMINI_API_KEYS is required');
  });

  it('keeps duplicate warnings for the app to log', () => {
    const key = k();
    const env = parseEnv(geminiPoolEnv, { GEMINI_API_KEYS: `${key},${key}` });
    expect(env.GEMINI_API_KEYS.warnings).toHaveLength(1);
  });

  it('rejects bad limits and model ids naming the variable', () => {
    expect(() =>
      parseEnv(geminiPoolEnv, {
        GEMINI_API_KEYS: k(),
        GEMINI_MAX_REQUESTS_PER_MINUTE: '0',
        GEMINI_MODEL: 'a b',
      }),
    ).toThrow(/GEMINI_MAX_REQUESTS_PER_MINUTE must be an integer >= 1[\s\S]*GEMINI_MODEL must be a model id/);
  });
});
