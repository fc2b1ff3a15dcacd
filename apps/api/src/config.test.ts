import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '@mealwise/config';
import { loadApiEnv, secretsOf } from './config.ts';

const TOKEN = 'svc-0123456789abcdef';

describe('loadApiEnv', () => {
  it('applies the documented defaults', () => {
    const env = loadApiEnv({ API_TOKENS: TOKEN });
    expect(env).toMatchObject({
      API_PORT: 3000,
      API_TOKENS: [TOKEN],
      BULL_BOARD_READ_ONLY: true,
      CORS_ORIGINS: [],
      TELEGRAM_INIT_DATA_MAX_AGE_SECONDS: 86_400,
      RECS_MIN_ORDERS: 5,
      RECS_DAYS: 30,
      API_DEPENDENCY_TIMEOUT_MS: 1_000,
      API_SHUTDOWN_TIMEOUT_MS: 10_000,
      LOG_LEVEL: 'info',
    });
  });

  const issues = (env: Record<string, string>) => {
    try {
      loadApiEnv(env);
      return [];
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as ConfigError).issues.map((i) => `${i.variable} ${i.message}`);
    }
  };

  it('needs a way for someone to read recommendations', () => {
    expect(issues({})).toEqual([
      'API_TOKENS or TELEGRAM_BOT_TOKEN is required (otherwise nobody can read recommendations)',
    ]);
    expect(issues({ TELEGRAM_BOT_TOKEN: '123456:AAbbccddeeffgghhiijjkkllmmnn' })).toEqual([]);
  });

  it('wants Bull Board credentials in pairs and tokens distinct and long enough, never echoing them', () => {
    expect(issues({ API_TOKENS: TOKEN, BULL_BOARD_USER: 'ops' })).toEqual([
      'BULL_BOARD_PASSWORD is required with BULL_BOARD_USER',
    ]);
    expect(issues({ API_TOKENS: TOKEN, BULL_BOARD_PASSWORD: 'long-enough-password' })).toEqual([
      'BULL_BOARD_USER is required with BULL_BOARD_PASSWORD',
    ]);
    expect(issues({ API_TOKENS: TOKEN, ADMIN_TOKEN: TOKEN })).toEqual([
      'ADMIN_TOKEN must differ from every API_TOKENS entry',
    ]);
    const short = issues({ API_TOKENS: 'short-secret' });
    expect(short).toEqual([
      'API_TOKENS must be at least 16 characters (a guessable API token is no protection)',
    ]);
    expect(short.join()).not.toContain('short-secret');
  });

  it('rejects malformed origins and bot tokens by name', () => {
    expect(
      issues({ API_TOKENS: TOKEN, CORS_ORIGINS: 'https://ok.example.com,https://bad.example.com/' }),
    ).toEqual([
      'CORS_ORIGINS entries must be origins like https://app.example.com (no path, no trailing slash) (got "https://ok.example.com,https://bad.example.com/")',
    ]);
    expect(issues({ TELEGRAM_BOT_TOKEN: 'nope' })[0]).toMatch(
      /^TELEGRAM_BOT_TOKEN must look like a bot token/,
    );
  });

  it('lists every secret for the log redactor, URL passwords included', () => {
    const env = loadApiEnv({
      API_TOKENS: `${TOKEN},svc-fedcba9876543210`,
      ADMIN_TOKEN: 'adm-0123456789abcdef',
      REDIS_URL: 'redis://:redis-pass@127.0.0.1:6379',
      GEMINI_API_KEYS: 'proj-a:key-aaaaaaaaaaaa, key-bbbbbbbbbbbb',
    });
    expect(secretsOf(env).sort()).toEqual(
      [
        'svc-0123456789abcdef',
        'svc-fedcba9876543210',
        'adm-0123456789abcdef',
        'redis-pass',
        'key-aaaaaaaaaaaa',
        'key-bbbbbbbbbbbb',
      ].sort(),
    );
  });
});
