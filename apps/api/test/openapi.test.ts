import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@mealwise/db/testing';
import { Validator } from '@seriousme/openapi-schema-validator';
import request from 'supertest';
import { type Harness, startHarness } from './support/harness.ts';

// DESIGN §6, written out here independently of routes/spec.ts: the document must list each.
const DESIGN_ROUTES = [
  ['get', '/v1/users/{tgid}/recommendations'],
  ['post', '/v1/users/{tgid}/recommendations/refresh'],
  ['get', '/v1/admin/key-pool'],
  ['post', '/v1/admin/batches'],
  ['get', '/v1/admin/batches/{run_id}'],
  ['get', '/admin/queues'],
  ['get', '/healthz'],
  ['get', '/readyz'],
  ['get', '/metrics'],
  ['get', '/openapi.json'],
] as const;

let t: MigratedTestDatabase;
let h: Harness;
// biome-ignore lint/suspicious/noExplicitAny: a parsed JSON document, navigated freely by the assertions
let doc: Record<string, any>;

beforeAll(async () => {
  t = await createMigratedTestDatabase();
  h = await startHarness({ db: t.db });
  const res = await request(h.app.listener).get('/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
});

afterAll(async () => {
  await h.close();
  await t.dispose();
});

describe('/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(doc);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
    // The validator does reject a broken document (so the check above can fail).
    const broken = await new Validator().validate({
      ...doc,
      paths: { '/x': { get: { responses: 'nope' } } },
    });
    expect(broken.valid).toBe(false);
  });

  it.each(DESIGN_ROUTES)('lists %s %s', (method, path) => {
    expect(doc.paths[path]?.[method]).toBeDefined();
  });

  it('declares bearer, Telegram initData and basic security, and uses them per route', () => {
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual([
      'adminToken',
      'bearerAuth',
      'bullBoardBasic',
      'telegramInitData',
    ]);
    expect(doc.paths['/v1/users/{tgid}/recommendations'].get.security).toEqual([
      { bearerAuth: [] },
      { telegramInitData: [] },
    ]);
    expect(doc.paths['/v1/admin/batches'].post.security).toEqual([{ adminToken: [] }]);
    expect(doc.paths['/admin/queues'].get.security).toEqual([{ bullBoardBasic: [] }]);
    expect(doc.paths['/healthz'].get.security).toEqual([]);
  });

  it('describes the recommendation record and the miss from the shared zod schemas', () => {
    const schemas = doc.components.schemas;
    expect(Object.keys(schemas)).toEqual(
      expect.arrayContaining([
        'RecommendationRecord',
        'RecommendationMiss',
        'UserStats',
        'Error',
        'RunSummary',
        'PoolStatus',
      ]),
    );
    expect(schemas.RecommendationRecord.required).toEqual(
      expect.arrayContaining(['summary', 'tips', 'stats', 'generated_at', 'model', 'source']),
    );
    const tgid = doc.paths['/v1/users/{tgid}/recommendations'].get.parameters[0];
    expect(tgid).toMatchObject({
      in: 'path',
      name: 'tgid',
      required: true,
      schema: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' },
    });
    const ok = doc.paths['/v1/users/{tgid}/recommendations'].get.responses['200'];
    expect(JSON.stringify(ok.content['application/json'].schema)).toContain(
      '#/components/schemas/RecommendationMiss',
    );
    expect(Object.keys(ok.headers)).toEqual(['ETag', 'Cache-Control']);
  });

  it('serves the docs page and its assets from the package, offline', async () => {
    const redirect = await request(h.app.listener).get('/docs');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('/docs/');
    const page = await request(h.app.listener).get('/docs/');
    expect(page.status).toBe(200);
    // The page may run its own scripts (the API's JSON responses may not run anything).
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const json = await request(h.app.listener).get('/openapi.json');
    expect(json.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    expect(page.text).toContain('swagger-ui-bundle.js');
    expect(page.text).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    const bundle = await request(h.app.listener).get('/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers['content-type']).toMatch(/javascript/);
    const init = await request(h.app.listener).get('/docs/swagger-initializer.js');
    expect(init.text).toContain("url: '/openapi.json'");
    expect(init.text).toContain('validatorUrl: null');
  });
});
