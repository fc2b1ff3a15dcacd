import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@mealwise/db/testing';
import { sampleRecord } from '@mealwise/recs/testing';
import { initDataFor, send } from '@mealwise/testing';
import fc from 'fast-check';
import { seedUser } from './support/fixtures.ts';
import {
  ADMIN_TOKEN,
  BOT_TOKEN,
  type Harness,
  leakedSecrets,
  SERVICE_TOKEN,
  startHarness,
} from './support/harness.ts';

let t: MigratedTestDatabase;
let h: Harness;
let server: Server;
let port: number;

beforeAll(async () => {
  t = await createMigratedTestDatabase();
  await seedUser(t.db, 7, { orders: 6 });
  h = await startHarness({ db: t.db });
  await h.cache.put(42, sampleRecord());
  server = createServer(h.app.listener).listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  expect(leakedSecrets(h.logs)).toEqual([]);
  await h.close();
  await t.dispose();
});

const segment = fc.oneof(
  fc.constantFrom(
    'v1',
    'users',
    'recommendations',
    'refresh',
    'admin',
    'key-pool',
    'batches',
    'queues',
    'healthz',
    'readyz',
    'openapi.json',
    '42',
    '7',
    '0',
    '-1',
    '..',
    '.',
    '%2e%2e',
    '%00',
    '%ZZ',
    '%E0%A4%A',
    '%2F',
    'V1',
    'Users',
    '',
    '4503599627370495',
    '4503599627370496',
    '1e3',
    '0x2a',
    ' ',
    '%20',
  ),
  fc.nat().map(String),
  fc.stringMatching(/^[A-Za-z0-9._~%:@!$&'()*+,;=-]{0,24}$/),
);
const randomPath = fc
  .tuple(
    fc.array(segment, { minLength: 1, maxLength: 6 }),
    fc.option(fc.stringMatching(/^[A-Za-z0-9=&%._-]{0,30}$/), { nil: undefined }),
  )
  .map(([segments, query]) => `/${segments.join('/')}${query === undefined ? '' : `?${query}`}`);
// Real routes with a fuzzed parameter, so most requests reach a handler rather than the 404.
const routePath = fc
  .tuple(
    fc.constantFrom(
      '/v1/users/{}/recommendations',
      '/v1/users/{}/recommendations/refresh',
      '/v1/admin/batches/{}',
      '/v1/admin/key-pool',
      '/v1/admin/batches',
      '/healthz',
      '/readyz',
      '/openapi.json',
      '/admin/queues/{}',
    ),
    segment,
  )
  .map(([template, s]) => template.replace('{}', s));
const path = fc.oneof(routePath, randomPath).map((p) => p.replaceAll(' ', '%20'));
const authorization = fc.option(
  fc.oneof(
    fc.constant(`Bearer ${SERVICE_TOKEN}`),
    fc.constant(`Bearer ${ADMIN_TOKEN}`),
    fc.constant(`tma ${initDataFor(7, BOT_TOKEN)}`),
    fc.constant(`tma ${initDataFor(42, BOT_TOKEN)}`),
    fc.constantFrom('Bearer', 'Bearer ', 'tma', 'tma hash=00', 'Basic Og==', 'Basic !!', 'tma %%%&&&==='),
    fc.stringMatching(/^[\x21-\x7e ]{0,80}$/),
  ),
  { nil: undefined },
);
const printable = fc.stringMatching(/^[\x20-\x7e]{0,60}$/);
const headers = fc.record(
  {
    authorization,
    'if-none-match': printable,
    'x-request-id': printable,
    origin: fc.constantFrom('https://app.example.com', 'https://evil.example.com', 'null'),
    'content-type': fc.constantFrom(
      'application/json',
      'text/plain',
      'application/json; charset=latin1',
      'application/x-www-form-urlencoded',
    ),
    'access-control-request-method': fc.constantFrom('GET', 'POST', 'DELETE'),
  },
  { requiredKeys: [] },
);
const method = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS');
const body = fc.option(
  fc.oneof(fc.json(), printable, fc.constant('{"a":'), fc.constant('x'.repeat(20_000))),
  { nil: undefined },
);

// Non-JSON by design: Prometheus text, the docs page and its assets, its redirect.
const NOT_JSON = /^\/(metrics|docs)(\/|$|\?)/;

describe('fuzzed requests', () => {
  it('never answer 5xx (Redis and PostgreSQL up) and always answer JSON', async () => {
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(method, path, headers, body, async (m, p, hs, b) => {
        const clean = Object.fromEntries(Object.entries(hs).filter(([, v]) => v !== undefined)) as Record<
          string,
          string
        >;
        const payload = m === 'GET' || m === 'HEAD' ? undefined : b;
        const res = await send(`http://127.0.0.1:${port}`, m, p, clean, payload, 10_000);
        seen.add(res.status);
        expect(res.status).toBeLessThan(500);
        expect(res.headers['x-request-id']).toBeDefined();
        expect(res.headers['x-powered-by']).toBeUndefined();
        if (m === 'HEAD' || res.status === 204 || res.status === 304 || NOT_JSON.test(p)) return;
        expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
        const parsed = JSON.parse(res.body);
        if (res.status >= 400) {
          expect(Object.keys(parsed)).toEqual(['error']);
          expect(typeof parsed.error.code).toBe('string');
          expect(typeof parsed.error.message).toBe('string');
          expect(res.body).not.toMatch(/\bat .+\.(ts|js):\d+/);
        }
      }),
      { numRuns: 400 },
    );
    // The generators reach handlers, not just the 404: successes and each kind of refusal occur.
    for (const status of [200, 400, 401, 404]) expect(seen).toContain(status);
  }, 120_000);
});
