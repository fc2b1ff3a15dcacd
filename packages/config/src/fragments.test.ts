import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { parseEnv } from './env.ts';
import { databaseEnv, geminiClientEnv, queueEnv, recsEnv } from './fragments.ts';

const schema = z.object({
  ...databaseEnv.shape,
  ...recsEnv.shape,
  ...queueEnv.shape,
  ...geminiClientEnv.shape,
});

describe('shared env fragments', () => {
  it('defaults match DESIGN §3', () => {
    expect(parseEnv(schema, {})).toEqual({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/mealwise',
      RECS_CRON: '0 3 * * *',
      RECS_TZ: 'UTC',
      RECS_MIN_ORDERS: 5,
      RECS_DAYS: 30,
      RECS_CACHE_TTL_SECONDS: 86_400,
      RECS_REDIS_NAMESPACE: '',
      BULL_PREFIX: 'bull',
      GEMINI_API_VERSION: 'v1beta',
      GEMINI_TIMEOUT_MS: 30_000,
      GEMINI_THINKING_BUDGET: 0,
    });
  });

  it('rejects a bad time zone, cron, window and prefix, naming each', () => {
    expect(() =>
      parseEnv(schema, {
        RECS_TZ: 'Mars/Olympus',
        RECS_CRON: 'every night',
        RECS_DAYS: '0',
        BULL_PREFIX: 'a:b',
      }),
    ).toThrow(
      /RECS_CRON must be a 5- or 6-field cron pattern[\s\S]*RECS_TZ must be an IANA time zone[\s\S]*RECS_DAYS must be an integer from 1 to 365[\s\S]*BULL_PREFIX/,
    );
  });
});
