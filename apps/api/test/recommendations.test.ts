import { once } from 'node:events';
import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@mealwise/db/testing';
import { recommendationMissSchema } from '@mealwise/recs';
import { sampleRecord } from '@mealwise/recs/testing';
import { initDataFor } from '@mealwise/testing';
import request from 'supertest';
import { seedUser } from './support/fixtures.ts';
import { BOT_TOKEN, type Harness, leakedSecrets, service, startHarness } from './support/harness.ts';

const ACTIVE = 1001;
const INACTIVE = 1002;
const NEWCOMER = 1003;
const RECS = (tgid: number | string) => `/v1/users/${tgid}/recommendations`;

let t: MigratedTestDatabase;
let h: Harness;
let express: Harness;

beforeAll(async () => {
  t = await createMigratedTestDatabase();
  await seedUser(t.db, ACTIVE, { orders: 6 });
  await seedUser(t.db, INACTIVE, { orders: 2 });
  await seedUser(t.db, NEWCOMER, { orders: 9, isActive: false });
  h = await startHarness({ db: t.db });
  // The same app with the hot path off: every request goes through Express.
  express = await startHarness({ db: t.db, overrides: { hotPath: false } });
});

afterAll(async () => {
  expect(leakedSecrets([...h.logs, ...express.logs])).toEqual([]);
  await h.close();
  await express.close();
  await t.dispose();
});

const pendingJobs = async (harness: Harness) =>
  (await harness.producer.userQueue.getJobs(['waiting', 'prioritized', 'delayed'])).map((j) => j.data);

describe.each([
  ['hot path', () => h],
  ['Express route', () => express],
])('GET recommendations (%s)', (_label, harness) => {
  it('serves a cached record byte for byte, with ETag and Cache-Control', async () => {
    const stored = await harness().cache.put(42, sampleRecord());
    const res = await request(harness().app.listener).get(RECS(42)).set(service);
    expect(res.status).toBe(200);
    expect(res.text).toBe(stored);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers.etag).toMatch(/^"[\w-]{27}"$/);
    expect(res.headers['cache-control']).toBe('private, max-age=60, must-revalidate');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 304 to If-None-Match with the current ETag, 200 once the record changed', async () => {
    await harness().cache.put(43, sampleRecord());
    const first = await request(harness().app.listener).get(RECS(43)).set(service);
    const etag = first.headers.etag as string;
    const again = await request(harness().app.listener)
      .get(RECS(43))
      .set(service)
      .set('If-None-Match', `W/${etag}`);
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers.etag).toBe(etag);

    await harness().cache.put(43, sampleRecord({ summary: 'Новый итог.' }));
    const changed = await request(harness().app.listener)
      .get(RECS(43))
      .set(service)
      .set('If-None-Match', etag);
    expect(changed.status).toBe(200);
    expect(changed.body.summary).toBe('Новый итог.');
    expect(changed.headers.etag).not.toBe(etag);
  });

  it('serves a stale record (kept after a failed generation) with stale: true', async () => {
    await harness().cache.put(44, sampleRecord({ stale: true }));
    const res = await request(harness().app.listener).get(RECS(44)).set(service);
    expect(res.status).toBe(200);
    expect(res.body.stale).toBe(true);
    expect(res.body.summary).toBe(sampleRecord().summary);
  });

  it('keeps a sane incoming x-request-id and replaces an insane one', async () => {
    await harness().cache.put(45, sampleRecord());
    const kept = await request(harness().app.listener)
      .get(RECS(45))
      .set(service)
      .set('X-Request-Id', 'req-abc.123');
    expect(kept.headers['x-request-id']).toBe('req-abc.123');
    const replaced = await request(harness().app.listener)
      .get(RECS(45))
      .set(service)
      .set('X-Request-Id', `bad id ${'x'.repeat(200)}`);
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('GET recommendations on a miss', () => {
  it('answers live statistics and queues a job for an active user, joined by the next miss', async () => {
    const res = await request(h.app.listener).get(RECS(ACTIVE)).set(service);
    expect(res.status).toBe(200);
    expect(recommendationMissSchema.parse(res.body)).toEqual(res.body);
    expect(res.body).toMatchObject({ summary: null, tips: [], generated_at: null });
    expect(res.body.stats).toMatchObject({
      orders_count: 6,
      categories: { soup: 0.5, salad: 0, main: 0.5, extra: 0 },
      unique_dishes: 2,
      total_dishes_available: 4,
      favorite_dishes: [
        { name: 'Борщ', count: 6 },
        { name: 'Котлета с пюре', count: 6 },
      ],
    });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.etag).toBeUndefined();
    await request(h.app.listener).get(RECS(ACTIVE)).set(service).expect(200);
    expect(await pendingJobs(h)).toEqual([{ tgid: ACTIVE, reason: 'miss' }]);
  });

  it('queues nothing for a user below RECS_MIN_ORDERS or marked inactive', async () => {
    const before = await pendingJobs(h);
    for (const tgid of [INACTIVE, NEWCOMER]) {
      const res = await request(h.app.listener).get(RECS(tgid)).set(service);
      expect(res.status).toBe(200);
      expect(res.body.summary).toBeNull();
    }
    expect(await pendingJobs(h)).toEqual(before);
  });

  it('answers 404 for a user the orders database does not know (and no cached record)', async () => {
    const res = await request(h.app.listener).get(RECS(999_999)).set(service);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'USER_NOT_FOUND', message: 'no user with tgid 999999' } });
  });

  it('treats a corrupt cached record as a miss and logs it with the request id', async () => {
    await h.redis.set(h.cache.key(INACTIVE), '{"summary": "truncated', 'EX', 60);
    const res = await request(h.app.listener)
      .get(RECS(INACTIVE))
      .set(service)
      .set('X-Request-Id', 'corrupt-1');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ summary: null, tips: [], generated_at: null });
    const line = h.logs
      .map((l) => JSON.parse(l))
      .find((l) => l.message === 'corrupt cached record served as a miss');
    expect(line).toMatchObject({
      level: 'warn',
      requestId: 'corrupt-1',
      tgid: INACTIVE,
      problem: 'not JSON',
    });

    // Valid JSON, wrong shape: also a miss.
    await h.redis.set(h.cache.key(INACTIVE), JSON.stringify({ summary: 'x', tips: [] }), 'EX', 60);
    const wrongShape = await request(h.app.listener).get(RECS(INACTIVE)).set(service);
    expect(wrongShape.body.summary).toBeNull();
  });
});

describe('tgid validation', () => {
  it.each([
    ['0'],
    ['-5'],
    ['abc'],
    ['1.5'],
    ['01'],
    ['4503599627370496'], // 2^52
    ['99999999999999999999'],
    ['1e3'],
  ])('answers 400 for tgid %s', async (tgid) => {
    const res = await request(h.app.listener).get(RECS(tgid)).set(service);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_INPUT');
  });

  it('accepts the largest tgid, 2^52 - 1', async () => {
    await h.cache.put(2 ** 52 - 1, sampleRecord());
    const res = await request(h.app.listener).get(RECS('4503599627370495')).set(service);
    expect(res.status).toBe(200);
    expect(res.body.summary).toBe(sampleRecord().summary);
  });
});

describe('end users (Telegram initData)', () => {
  it('lets a user read his own recommendations and nobody else’s', async () => {
    await h.cache.put(ACTIVE, sampleRecord());
    const own = await request(h.app.listener)
      .get(RECS(ACTIVE))
      .set('Authorization', `tma ${initDataFor(ACTIVE, BOT_TOKEN)}`);
    expect(own.status).toBe(200);
    expect(own.body.summary).toBe(sampleRecord().summary);

    const other = await request(h.app.listener)
      .get(RECS(42))
      .set('Authorization', `tma ${initDataFor(ACTIVE, BOT_TOKEN)}`);
    expect(other.status).toBe(403);
    expect(other.body).toEqual({
      error: { code: 'FORBIDDEN', message: 'a user may only read his own recommendations' },
    });
  });

  it.each([
    ['expired', () => initDataFor(ACTIVE, BOT_TOKEN, { authDate: Math.floor(Date.now() / 1_000) - 7_200 })],
    ['signed with another bot token', () => initDataFor(ACTIVE, `987654321:${'x'.repeat(35)}`)],
    ['forged user', () => initDataFor(ACTIVE, BOT_TOKEN).replace(`%22id%22%3A${ACTIVE}`, '%22id%22%3A42')],
    ['without hash', () => initDataFor(ACTIVE, BOT_TOKEN).replace(/&hash=[0-9a-f]+/, '')],
  ])('rejects initData %s with 401', async (_label, make) => {
    const res = await request(h.app.listener).get(RECS(ACTIVE)).set('Authorization', `tma ${make()}`);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
    expect(res.headers['www-authenticate']).toContain('Bearer');
  });

  it('does not let an end user trigger a refresh', async () => {
    const res = await request(h.app.listener)
      .post(`${RECS(ACTIVE)}/refresh`)
      .set('Authorization', `tma ${initDataFor(ACTIVE, BOT_TOKEN)}`);
    expect(res.status).toBe(403);
  });
});

describe('service tokens', () => {
  it.each([
    ['no Authorization', undefined],
    ['an unknown token', 'Bearer not-a-real-token-at-all'],
    ['an empty bearer', 'Bearer '],
    ['another scheme', 'Token abc'],
    ['Basic credentials', `Basic ${Buffer.from('a:b').toString('base64')}`],
  ])('answers 401 to %s', async (_label, authorization) => {
    await h.cache.put(46, sampleRecord());
    const req = request(h.app.listener).get(RECS(46));
    const res = await (authorization === undefined ? req : req.set('Authorization', authorization));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
  });

  it('accepts every token of API_TOKENS (rotation) and a lower-case scheme', async () => {
    await h.cache.put(47, sampleRecord());
    const [, second] = (await import('./support/harness.ts')).SECRETS;
    await request(h.app.listener).get(RECS(47)).set('Authorization', `bearer ${second}`).expect(200);
  });
});

describe('refresh', () => {
  it('queues a job (202) and reports when a second request joined it', async () => {
    const first = await request(h.app.listener)
      .post(`${RECS(2001)}/refresh`)
      .set(service);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ job_id: expect.any(String), joined: false });
    const second = await request(h.app.listener)
      .post(`${RECS(2001)}/refresh`)
      .set(service);
    expect(second.status).toBe(202);
    expect(second.body).toEqual({ job_id: first.body.job_id, joined: true });
    const job = await h.producer.userQueue.getJob(first.body.job_id);
    expect(job?.data).toEqual({ tgid: 2001, reason: 'refresh' });
  });

  it('rejects a body with unknown fields (400) and malformed JSON (400)', async () => {
    const extra = await request(h.app.listener)
      .post(`${RECS(2002)}/refresh`)
      .set(service)
      .send({ force: true });
    expect(extra.status).toBe(400);
    const malformed = await request(h.app.listener)
      .post(`${RECS(2002)}/refresh`)
      .set(service)
      .set('Content-Type', 'application/json')
      .send('{"force":');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('MALFORMED_JSON');
  });
});

describe('one set of headers on every path', () => {
  const volatile = new Set(['date', 'x-request-id', 'etag', 'content-length', 'connection', 'keep-alive']);
  const stable = (headers: Record<string, string>) =>
    Object.fromEntries(Object.entries(headers).filter(([k]) => !volatile.has(k)));

  it('the hot path answers with exactly the headers of the Express route', async () => {
    await h.cache.put(48, sampleRecord());
    await express.cache.put(48, sampleRecord());
    const origin = { Origin: 'https://app.example.com' };
    const hot = await request(h.app.listener).get(RECS(48)).set(service).set(origin);
    const viaExpress = await request(express.app.listener).get(RECS(48)).set(service).set(origin);
    expect(hot.status).toBe(200);
    expect(stable(hot.headers)).toEqual(stable(viaExpress.headers));
    expect(hot.text).toBe(viaExpress.text);
    expect(hot.headers['access-control-allow-origin']).toBe('https://app.example.com');
  });

  it.each([
    ['a 304', { ...service, 'If-None-Match': '*' }, 304],
    ['a 401', { Authorization: 'Bearer wrong-token-wrong-token' }, 401],
    ['a 403', { Authorization: `tma ${initDataFor(ACTIVE, BOT_TOKEN)}` }, 403],
    ['a HEAD', service, 200],
  ] as const)(
    'the hot path answers %s with the headers of the Express route',
    async (_label, headers, status) => {
      await h.cache.put(49, sampleRecord());
      await express.cache.put(49, sampleRecord());
      const method = _label === 'a HEAD' ? 'head' : 'get';
      const hot = await request(h.app.listener)[method](RECS(49)).set(headers);
      const viaExpress = await request(express.app.listener)[method](RECS(49)).set(headers);
      expect(hot.status).toBe(status);
      expect(viaExpress.status).toBe(status);
      expect(stable(hot.headers)).toEqual(stable(viaExpress.headers));
      expect(hot.text).toEqual(viaExpress.text);
    },
  );

  it('sends the same security headers on hits, errors and other routes, and never x-powered-by', async () => {
    const security = (headers: Record<string, string>) =>
      Object.fromEntries(
        Object.entries(headers).filter(([k]) =>
          /^(content-security|strict-transport|x-frame|x-content-type|referrer|cross-origin)/.test(k),
        ),
      );
    const hit = await request(h.app.listener).get(RECS(48)).set(service);
    const denied = await request(h.app.listener).get(RECS(48));
    const health = await request(h.app.listener).get('/healthz');
    const missing = await request(h.app.listener).get('/nope');
    expect(Object.keys(security(hit.headers)).length).toBeGreaterThanOrEqual(6);
    for (const res of [denied, health, missing]) expect(security(res.headers)).toEqual(security(hit.headers));
    for (const res of [hit, denied, health, missing]) expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('answers a CORS preflight for an allowed origin only', async () => {
    const ok = await request(h.app.listener)
      .options(RECS(48))
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'authorization');
    expect(ok.status).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(ok.headers['access-control-allow-headers']).toContain('Authorization');
    const evil = await request(h.app.listener)
      .options(RECS(48))
      .set('Origin', 'https://evil.example.com')
      .set('Access-Control-Request-Method', 'GET');
    expect(evil.status).toBe(403);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const get = await request(h.app.listener)
      .get(RECS(48))
      .set(service)
      .set('Origin', 'https://evil.example.com');
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('errors', () => {
  it('answers JSON 404 for unknown routes and 405 with Allow for a wrong method', async () => {
    const missing = await request(h.app.listener).get('/v2/whatever');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { code: 'NOT_FOUND', message: 'no such route' } });
    const wrongMethod = await request(h.app.listener).delete(RECS(42)).set(service);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('GET, HEAD');
  });

  it('caps request bodies (413)', async () => {
    const res = await request(h.app.listener)
      .post(`${RECS(2003)}/refresh`)
      .set(service)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ pad: 'x'.repeat(20_000) }));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a body announced over the cap at once and closes, without reading it (10 GB claimed)', async () => {
    // Found by the chaos suite: body-parser drains a refused body before answering, so a client
    // claiming 10 GB held the connection until the request timeout.
    const server = createServer(h.app.listener).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
      await once(socket, 'connect');
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      const closed = once(socket, 'close');
      socket.write(
        `POST ${RECS(2003)}/refresh HTTP/1.1\r\nHost: x\r\nAuthorization: ${service.Authorization}\r\n` +
          'Content-Type: application/json\r\nContent-Length: 10737418240\r\n\r\n{"a":',
      );
      await Promise.race([
        closed,
        new Promise((_, reject) => setTimeout(() => reject(new Error('connection left open')), 3_000)),
      ]);
      const text = Buffer.concat(chunks).toString();
      expect(text).toMatch(/^HTTP\/1\.1 413 /);
      expect(text.toLowerCase()).toContain('connection: close');
      expect(text).toContain('{"error":{"code":"PAYLOAD_TOO_LARGE","message":"request body is too large"}}');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('turns an unexpected failure into a logged 500 without a stack trace', async () => {
    const broken = await startHarness({
      db: t.db,
      stats: {
        getUserStats: () => Promise.reject(new Error('stats bug: division by zero')),
        isActiveUser: () => Promise.resolve(false),
      },
    });
    try {
      const res = await request(broken.app.listener)
        .get(RECS(3001))
        .set(service)
        .set('X-Request-Id', 'boom-1');
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } });
      expect(res.text).not.toContain('division');
      const line = broken.logs.map((l) => JSON.parse(l)).find((l) => l.level === 'error');
      expect(line).toMatchObject({ requestId: 'boom-1', message: 'request failed' });
      expect(JSON.stringify(line)).toContain('stats bug: division by zero');
    } finally {
      await broken.close();
    }
  });

  it('writes an access-log line per request with its id, route and status', async () => {
    await request(h.app.listener).get(RECS(48)).set(service).set('X-Request-Id', 'access-1');
    const line = h.logs
      .map((l) => JSON.parse(l))
      .find((l) => l.requestId === 'access-1' && l.message === 'request');
    expect(line).toMatchObject({
      level: 'http',
      route: '/v1/users/:tgid/recommendations',
      status: 200,
      method: 'GET',
    });
  });
});
