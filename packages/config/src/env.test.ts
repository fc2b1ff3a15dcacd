import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { envVar, parseEnv } from './env.ts';
import { ConfigError } from './errors.ts';

const schema = z.object({
  PORT: envVar.int({ min: 1, max: 65535 }).default(3000),
  REDIS_URL: envVar.url(['redis', 'rediss']).default('redis://127.0.0.1:6379'),
  READ_ONLY: envVar.bool().default(true),
  ORIGINS: envVar.list().default([]),
  ADMIN_TOKEN: envVar.string(),
});

describe('parseEnv', () => {
  it('applies defaults and treats empty strings as unset', () => {
    const cfg = parseEnv(schema, { PORT: '', ADMIN_TOKEN: 'tok-123456', ORIGINS: ' a.com, ,b.com ' });
    expect(cfg).toEqual({
      PORT: 3000,
      REDIS_URL: 'redis://127.0.0.1:6379',
      READ_ONLY: true,
      ORIGINS: ['a.com', 'b.com'],
      ADMIN_TOKEN: 'tok-123456',
    });
  });

  it('names the variable and the value in one clear message', () => {
    expect(() => parseEnv(schema, { PORT: 'abc', ADMIN_TOKEN: 'x' })).toThrow(
      'Invalid configuration: PORT must be an integer (got "abc")',
    );
  });

  it('lists every bad variable and never echoes secrets', () => {
    let error: unknown;
    try {
      parseEnv(schema, { PORT: '70000', REDIS_URL: 'http://x', READ_ONLY: 'maybe' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const ce = error as ConfigError;
    expect(ce.issues.map((i) => i.variable).sort()).toEqual([
      'ADMIN_TOKEN',
      'PORT',
      'READ_ONLY',
      'REDIS_URL',
    ]);
    expect(ce.message).toContain('ADMIN_TOKEN is required');
    expect(ce.message).toContain('PORT must be an integer from 1 to 65535 (got "70000")');
  });

  it('does not print the value of secret variables', () => {
    const s = z.object({ API_TOKENS: envVar.string().min(20, { error: 'must be at least 20 characters' }) });
    expect(() => parseEnv(s, { API_TOKENS: 'short-secret' })).toThrow(
      /^Invalid configuration: API_TOKENS must be at least 20 characters$/,
    );
  });
});
