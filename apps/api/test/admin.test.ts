import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@mealwise/db/testing';
import { fingerprint, KeyPool, parseKeyList } from '@mealwise/key-pool';
import { closeRedis, createRedis } from '@mealwise/redis';
import { deleteByPrefix, TEST_REDIS_URL, uniquePrefix } from '@mealwise/testing';
import request from 'supertest';
import type { PoolStatusReader } from '../src/ports.ts';
import {
  ADMIN_TOKEN,
  admin,
  BOARD_PASSWORD,
  BOARD_USER,
  type Harness,
  leakedSecrets,
  service,
  startHarness,
} from './support/harness.ts';

const MODEL = 'gemini-2.5-flash-lite';
// Fake keys: generated, never shaped like Google's.
const KEY_A = `test-key-${randomUUID()}`;
const KEY_B = `test-key-${randomUUID()}`;

let t: MigratedTestDatabase;
let h: Harness;
let bare: Harness;
let pool: KeyPool;
let statusCalls = 0;
let usedFingerprint: string;
let invalidFingerprint: string;

beforeAll(async () => {
  t = await createMigratedTestDatabase();
  const poolRedis = createRedis(TEST_REDIS_URL, { role: 'command' });
  const poolPrefix = `${uniquePrefix('api-pool')}:`;
  pool = new KeyPool({
    redis: poolRedis,
    keys: parseKeyList(`proj-a:${KEY_A},${KEY_B}`).keys,
    limits: { requestsPerMinute: 10, requestsPerDay: 195 },
    models: [MODEL],
    prefix: poolPrefix,
  });
  // Real pool state: one admission that succeeded, one key Google called invalid.
  const first = await pool.acquire(MODEL);
  await pool.report(first, { kind: 'success' });
  const second = await pool.acquire(MODEL);
  await pool.report(second, { kind: 'invalid_key', reason: 'API_KEY_INVALID' });
  usedFingerprint = first.fingerprint;
  invalidFingerprint = second.fingerprint;
  const counted: PoolStatusReader = {
    status: () => {
      statusCalls++;
      return pool.status();
    },
  };
  h = await startHarness({
    db: t.db,
    overrides: {
      keyPool: counted,
      bullBoard: { user: BOARD_USER, password: BOARD_PASSWORD, readOnly: true },
    },
  });
  bare = await startHarness({ db: t.db });
  closePool = async () => {
    await deleteByPrefix(poolRedis, poolPrefix);
    await closeRedis(poolRedis);
  };
});
let closePool = async () => {};

afterAll(async () => {
  expect(leakedSecrets([...h.logs, ...bare.logs])).toEqual([]);
  await h.close();
  await bare.close();
  await closePool();
  await t.dispose();
});

describe('admin routes', () => {
  it.each([
    ['get', '/v1/admin/key-pool'],
    ['post', '/v1/admin/batches'],
    ['get', '/v1/admin/batches/2026-11-29'],
  ] as const)('%s %s: 401 without a token, 403 with a service token', async (method, path) => {
    const none = await request(h.app.listener)[method](path);
    expect(none.status).toBe(401);
    const svc = await request(h.app.listener)[method](path).set(service);
    expect(svc.status).toBe(403);
    expect(svc.body.error.code).toBe('FORBIDDEN');
  });

  it('reports the key pool by fingerprint, never by key', async () => {
    const res = await request(h.app.listener).get('/v1/admin/key-pool').set(admin);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(usedFingerprint).not.toBe(invalidFingerprint);
    expect(res.body.keys.map((k: { fingerprint: string }) => k.fingerprint).sort()).toEqual(
      [fingerprint(KEY_A), fingerprint(KEY_B)].sort(),
    );
    const byFp = Object.fromEntries(res.body.keys.map((k: { fingerprint: string }) => [k.fingerprint, k]));
    expect(byFp[invalidFingerprint]).toMatchObject({
      state: 'invalid',
      invalid: { reason: 'API_KEY_INVALID' },
    });
    expect(byFp[usedFingerprint]).toMatchObject({
      state: 'available',
      models: [{ model: MODEL, usedToday: 1 }],
    });
    expect(res.body.limits).toEqual({ requestsPerMinute: 10, requestsPerDay: 195 });
    expect(res.text).not.toContain(KEY_A);
    expect(res.text).not.toContain(KEY_B);
  });

  it('says 404 when the key pool is not configured for the API', async () => {
    const res = await request(bare.app.listener).get('/v1/admin/key-pool').set(admin);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('KEY_POOL_NOT_CONFIGURED');
  });

  it('starts a batch (202 {run_id}) whose job is on recs-batch', async () => {
    const res = await request(h.app.listener).post('/v1/admin/batches').set(admin);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ run_id: expect.stringMatching(/^manual-\d{8}-\d{6}-[0-9a-f]{4}$/) });
    const job = await h.producer.batchQueue.getJob(`batch-${res.body.run_id}`);
    expect(job?.data).toEqual({ runId: res.body.run_id, trigger: 'manual' });
  });

  it('returns a run summary, 404 for an unknown run and 400 for a malformed run id', async () => {
    await h.runs.begin('2026-11-29', { total: 3, trigger: 'schedule' });
    await h.runs.recordOutcome('2026-11-29', 1, 'succeeded');
    const res = await request(h.app.listener).get('/v1/admin/batches/2026-11-29').set(admin);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      run_id: '2026-11-29',
      trigger: 'schedule',
      total: 3,
      succeeded: 1,
      failed: 0,
    });

    const unknown = await request(h.app.listener).get('/v1/admin/batches/2026-01-01').set(admin);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('RUN_NOT_FOUND');

    const bad = await request(h.app.listener).get('/v1/admin/batches/bad%3Aid').set(admin);
    expect(bad.status).toBe(400);
  });

  it('lets the admin token refresh a user as well', async () => {
    const res = await request(h.app.listener).post('/v1/users/77/recommendations/refresh').set(admin);
    expect(res.status).toBe(202);
  });
});

describe('Bull Board', () => {
  const basic = (user: string, password: string) => ({
    Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
  });

  it('is not mounted without credentials configured', async () => {
    const res = await request(bare.app.listener).get('/admin/queues').auth(BOARD_USER, BOARD_PASSWORD);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('answers 401 with a Basic challenge without (or with wrong) credentials', async () => {
    for (const headers of [
      {},
      basic(BOARD_USER, 'wrong-password'),
      { Authorization: `Bearer ${ADMIN_TOKEN}` },
    ]) {
      const res = await request(h.app.listener).get('/admin/queues').set(headers);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic /);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
    }
  });

  it('serves the board and its API for recs-batch and recs-user with credentials', async () => {
    const page = await request(h.app.listener).get('/admin/queues').set(basic(BOARD_USER, BOARD_PASSWORD));
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const api = await request(h.app.listener)
      .get('/admin/queues/api/queues')
      .set(basic(BOARD_USER, BOARD_PASSWORD));
    expect(api.status).toBe(200);
    // Bull Board's own Express app must not announce itself (found by the chaos fuzz).
    expect(page.headers['x-powered-by']).toBeUndefined();
    expect(api.headers['x-powered-by']).toBeUndefined();
    expect(api.body.queues.map((q: { name: string }) => q.name).sort()).toEqual(['recs-batch', 'recs-user']);
    for (const q of api.body.queues) expect(q.readOnlyMode).toBe(true);
  });

  it('is read-only: pausing a queue is refused', async () => {
    const res = await request(h.app.listener)
      .put('/admin/queues/api/queues/recs-user/pause')
      .set(basic(BOARD_USER, BOARD_PASSWORD));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(await h.producer.userQueue.isPaused()).toBe(false);
  });

  it('never shows a secret that slipped into job data or a failure reason', async () => {
    const googleShaped = `AIza${'Q'.repeat(35)}`;
    const job = await h.producer.userQueue.add('generate', {
      tgid: 5,
      reason: 'miss',
      ...({ note: `token ${ADMIN_TOKEN}`, apiKey: 'whatever-key-value' } as object),
    });
    await job.moveToFailed(new Error(`upstream rejected ${googleShaped}`), '0', false).catch(() => {});
    const res = await request(h.app.listener)
      .get('/admin/queues/api/queues?activeQueue=recs-user&status=latest&page=1&jobsPerPage=50')
      .set(basic(BOARD_USER, BOARD_PASSWORD));
    expect(res.status).toBe(200);
    const text = JSON.stringify(res.body);
    expect(text).toContain('[REDACTED]');
    expect(text).not.toContain(ADMIN_TOKEN);
    expect(text).not.toContain(googleShaped);
    expect(text).not.toContain('whatever-key-value');
  });
});

describe('/metrics', () => {
  it('exposes request durations by route, key-pool gauges and both queues’ counts', async () => {
    await request(h.app.listener).get('/healthz');
    await request(h.app.listener).get('/v1/users/1/recommendations');
    const res = await request(h.app.listener).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.text;
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/healthz",status_code="200"\} \d+/,
    );
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/v1\/users\/:tgid\/recommendations",status_code="401"\} 1/,
    );
    expect(text).toContain('mealwise_key_pool_up 1');
    const usedProject = usedFingerprint === fingerprint(KEY_A) ? 'proj-a' : `key-${usedFingerprint}`;
    const invalidProject = invalidFingerprint === fingerprint(KEY_A) ? 'proj-a' : `key-${invalidFingerprint}`;
    expect(text).toContain(
      `mealwise_key_pool_requests_today{fingerprint="${usedFingerprint}",project="${usedProject}",model="${MODEL}"} 1`,
    );
    expect(text).toMatch(
      new RegExp(`mealwise_key_pool_usage_ratio\\{fingerprint="${usedFingerprint}",[^}]*\\} 0\\.005`),
    );
    expect(text).toContain(
      `mealwise_key_pool_key_state{fingerprint="${invalidFingerprint}",project="${invalidProject}",model="${MODEL}",state="invalid"} 1`,
    );
    expect(text).toContain(
      `mealwise_key_pool_key_state{fingerprint="${usedFingerprint}",project="${usedProject}",model="${MODEL}",state="available"} 1`,
    );
    expect(text).toMatch(new RegExp(`mealwise_key_pool_capacity_left_today\\{model="${MODEL}"\\} \\d+`));
    expect(text).toMatch(/mealwise_key_pool_seconds_to_reset \d+/);
    expect(text).not.toContain(KEY_A);
    expect(text).toMatch(/bullmq_job_count\{queue="recs-batch", state="waiting"\} \d+/);
    expect(text).toMatch(/bullmq_job_count\{queue="recs-user", state="waiting"\} \d+/);
    expect(text.match(/^# TYPE bullmq_job_count gauge$/gm)).toHaveLength(1);
    expect(text).toContain('mealwise_queue_metrics_up 1');
  });

  it('reads the key pool at most once per cache period, however often it is scraped', async () => {
    await request(h.app.listener).get('/metrics');
    const before = statusCalls;
    await Promise.all([1, 2, 3].map(() => request(h.app.listener).get('/metrics')));
    expect(statusCalls).toBe(before);
  });
});
