import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { fingerprint, KeyPool, type Lease, parseKeyList } from '@mealwise/key-pool';
import { createRedis } from '@mealwise/redis';
import { deleteByPrefix, spawnNodeTs, TEST_REDIS_URL, uniquePrefix } from '@mealwise/testing';
import { formatDuration } from '../src/commands/pool.ts';
import { run } from './run.ts';

const redis = createRedis(TEST_REDIS_URL, { role: 'command' });
const prefixes: string[] = [];
afterAll(async () => {
  for (const p of prefixes) await deleteByPrefix(redis, p);
  await redis.quit();
});

const k = () => `test-key-${randomUUID()}`;

/** A pool environment with its own Redis prefix: projA (2 keys), projB, and one unlabelled key. */
function poolEnv() {
  const raw = [k(), k(), k(), k()];
  const prefix = `${uniquePrefix('cli-pool')}:`;
  prefixes.push(prefix);
  return {
    raw,
    env: {
      REDIS_URL: TEST_REDIS_URL,
      GEMINI_API_KEYS: `projA:${raw[0]},projA:${raw[1]},projB:${raw[2]},${raw[3]}`,
      GEMINI_KEY_POOL_PREFIX: prefix,
      GEMINI_MAX_REQUESTS_PER_MINUTE: '3',
      GEMINI_MAX_REQUESTS_PER_KEY: '50',
      GEMINI_FALLBACK_MODELS: 'gemini-2.5-flash',
    } as Record<string, string>,
    prefix,
  };
}

describe('mealwise pool', () => {
  it('status --json lists every key by fingerprint with its project, state and usage per model', async () => {
    const { env, raw } = poolEnv();
    const r = await run(['pool', 'status', '--json'], env);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.keys.map((x: { fingerprint: string }) => x.fingerprint)).toEqual(raw.map(fingerprint));
    expect(s.keys.map((x: { project: string }) => x.project)).toEqual([
      'projA',
      'projA',
      'projB',
      `key-${fingerprint(raw[3]!)}`,
    ]);
    expect(s.models).toEqual(['gemini-2.5-flash-lite', 'gemini-2.5-flash']);
    expect(s.capacityLeftToday).toEqual({ 'gemini-2.5-flash-lite': 150, 'gemini-2.5-flash': 150 });
    expect(s.keys.every((x: { state: string }) => x.state === 'available')).toBe(true);
    expect(s.lastKey).toBeNull();
    for (const key of raw) expect(r.stdout).not.toContain(key);
  });

  it('status explains a busy pool at a glance: states, usage, why keys are out, totals, recent events', async () => {
    const { env, raw, prefix } = poolEnv();
    const keys = parseKeyList(env.GEMINI_API_KEYS!).keys;
    const pool = new KeyPool({ redis, keys, prefix, limits: { requestsPerMinute: 3, requestsPerDay: 50 } });
    const leases: Lease[] = [];
    // Three per project: every window is full.
    for (let i = 0; i < 9; i++) leases.push(await pool.acquire('gemini-2.5-flash-lite'));
    const byProject = (p: string) => leases.find((l) => l.project.startsWith(p))!;
    await pool.report(byProject('projB'), { kind: 'rate_limited', scope: 'day' });
    await pool.report(byProject('key-'), { kind: 'invalid_key', reason: 'API_KEY_INVALID' });
    // A retry delay beyond the window's own end, so the cooldown is the later of projA's two blocks
    // whatever the random jitter: the 'why' column lists the blocks latest first.
    await pool.report(byProject('projA'), { kind: 'rate_limited', scope: 'minute', retryDelayMs: 90_000 });

    const r = await run(['pool', 'status'], env);
    expect(r.code).toBe(0);
    const out = r.stdout;
    // "resets in 7h 05m", or "41m 49s" within the last hour before Pacific midnight.
    expect(out).toMatch(
      /quota day \d{4}-\d\d-\d\d \(America\/Los_Angeles\), resets in (\d+h \d\dm|\d+m \d\ds|\d+s) \(/,
    );
    expect(out).toContain('Limits per project and model: 3/rolling 60 s, 50/day');
    for (const col of [
      'fingerprint',
      'project',
      'state',
      'today',
      'last 60 s',
      'cooldown',
      'back in',
      'why',
    ]) {
      expect(out).toContain(col);
    }
    const row = (fp: string, model = 'gemini-2.5-flash-lite') =>
      out.split('\n').find((l) => l.includes(fp) && l.includes(`${model} `))!;
    const [a0, , b, c] = raw.map(fingerprint);
    expect(row(a0!)).toMatch(/projA .*cooling .*3\/50 .*3\/3 .*\d+s .*cooldown, window_full/);
    expect(row(b!)).toMatch(/projB .*exhausted .*3\/50 .*3\/3 .*daily_quota, window_full/);
    expect(row(b!, 'gemini-2.5-flash')).toMatch(/available .*0\/50 .*now/);
    expect(row(c!)).toMatch(/invalid .*invalid: API_KEY_INVALID since/);
    expect(out).toContain('4 keys in 3 projects (2 with a valid key)');
    expect(out).toContain('Capacity left today for gemini-2.5-flash-lite: 47 of 150 requests');
    expect(out).toMatch(/Last key handed out: [0-9a-f]{12} \(marked \*\)/);
    expect(out).toMatch(/projA\/gemini-2.5-flash-lite cooling: minute until/);
    expect(out).toMatch(/projB\/gemini-2.5-flash-lite exhausted: daily_quota until/);
    expect(out).toContain(`key ${c} (key-${c}) invalid: API_KEY_INVALID`);
    for (const key of raw) expect(out).not.toContain(key);
  });

  it('reset-invalid puts one key or every key back in rotation', async () => {
    const { env, prefix, raw } = poolEnv();
    const keys = parseKeyList(env.GEMINI_API_KEYS!).keys;
    const pool = new KeyPool({
      redis,
      keys,
      prefix,
      limits: { requestsPerMinute: 10, requestsPerDay: 50 },
      models: ['gemini-2.5-flash-lite'],
    });
    for (let i = 0; i < 3; i++) {
      const lease = await pool.acquire('gemini-2.5-flash-lite');
      await pool.report(lease, { kind: 'invalid_key', reason: 'CONSUMER_SUSPENDED' });
    }
    const invalid = (await pool.status()).keys.filter((x) => x.state === 'invalid').map((x) => x.fingerprint);
    expect(invalid).toHaveLength(3);
    const one = await run(['pool', 'reset-invalid', invalid[0]!, '--json'], env);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout)).toEqual({ reset: [invalid[0]] });
    const all = await run(['pool', 'reset-invalid'], env);
    expect(all.stdout.trim()).toBe(
      `back in rotation: ${raw
        .map(fingerprint)
        .filter((f) => invalid.slice(1).includes(f))
        .join(', ')}`,
    );
    expect((await run(['pool', 'reset-invalid'], env)).stdout.trim()).toBe('no key was marked invalid');
  });

  it('reset-invalid rejects a malformed or unknown fingerprint as bad usage (exit 2)', async () => {
    const { env } = poolEnv();
    const bad = await run(['pool', 'reset-invalid', 'xyz'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('fingerprint must be 12 lowercase hex digits');
    const unknown = await run(['pool', 'reset-invalid', '0123456789ab'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no key in GEMINI_API_KEYS has fingerprint 0123456789ab');
  });

  it('a bad GEMINI_API_KEYS is a configuration error naming the variable, never the key', async () => {
    const { env } = poolEnv();
    const key = k();
    await expect(run(['pool', 'status'], { ...env, GEMINI_API_KEYS: `p1:${key},p2:${key}` })).rejects.toThrow(
      `Invalid configuration: GEMINI_API_KEYS entries 1 and 2 list key ${fingerprint(key)} under two projects (p1, p2)`,
    );
    await expect(run(['pool', 'status'], { ...env, GEMINI_API_KEYS: 'short' })).rejects.toThrow(
      'Invalid configuration: GEMINI_API_KEYS entry 1 is not a valid API key',
    );
  });

  it('the real command logs duplicate keys once, by fingerprint, and exits 0 (78 for bad config)', async () => {
    const { env, raw } = poolEnv();
    const main = new URL('../src/main.ts', import.meta.url).pathname;
    const dup = spawnNodeTs(main, ['pool', 'status', '--json'], {
      env: { ...env, GEMINI_API_KEYS: `${env.GEMINI_API_KEYS},projA:${raw[0]}` },
    });
    expect(await dup.exited).toBe(0);
    const output = dup.lines.join('\n');
    expect(output).toContain(
      `GEMINI_API_KEYS entry 5 repeats key ${fingerprint(raw[0]!)} (entry 1); counted once`,
    );
    for (const key of raw) expect(output).not.toContain(key);

    const bad = spawnNodeTs(main, ['pool', 'status'], { env: { ...env, GEMINI_API_KEYS: ',' } });
    expect(await bad.exited).toBe(78);
    expect(bad.lines.join('\n')).toContain(
      'mealwise: Invalid configuration: GEMINI_API_KEYS lists no API keys',
    );
  }, 60_000);
});

describe('formatDuration', () => {
  it('is short and readable', () => {
    expect([0, 999, 45_000, 61_000, 3_600_000 + 5 * 60_000, 50 * 3_600_000].map(formatDuration)).toEqual([
      '0s',
      '1s',
      '45s',
      '1m 01s',
      '1h 05m',
      '2d 2h',
    ]);
  });
});
