import { z } from 'zod';
import type { AccessPolicy } from '../auth/authenticator.ts';
import {
  batchAccepted,
  emptyBody,
  errorResponse,
  healthResponse,
  poolStatusResponse,
  readinessResponse,
  recommendationMissResponse,
  recommendationRecordResponse,
  refreshAccepted,
  runIdParams,
  runSummaryResponse,
  tgidParams,
} from '../openapi/schemas.ts';

// Every route of the API, once: app.ts registers the `handler` routes from this table (access
// policy, param and body validation), the OpenAPI document is generated from it, and the routes
// served by other code (`external`: Bull Board, the docs page) are documented here too.

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Default `application/json`. */
  contentType?: string;
  headers?: z.ZodObject;
}

export interface RouteSpec {
  id: string;
  method: 'get' | 'post';
  /** Express syntax (`:tgid`); OpenAPI gets `{tgid}`. */
  path: string;
  summary: string;
  description?: string;
  tag: 'recommendations' | 'admin' | 'operations';
  access: AccessPolicy | 'basic';
  params?: z.ZodObject;
  body?: z.ZodType;
  responses: Readonly<Record<number, ResponseSpec>>;
  mount: 'handler' | 'external';
}

const error = (description: string): ResponseSpec => ({ description, schema: errorResponse });
const E400 = error('invalid parameter or body');
const E401 = error('missing or invalid credentials');
const E403 = error('authenticated, but not allowed to use this route (or to read this user)');
const E503 = error('a dependency (Redis, PostgreSQL) is unavailable; retry after `Retry-After` seconds');

const hitHeaders = z.object({
  ETag: z.string().meta({ description: 'hash of the stored record; send it back in If-None-Match' }),
  'Cache-Control': z
    .string()
    .meta({ description: '`private, max-age=60, must-revalidate` on a hit, `no-store` on a miss' }),
});

export const ROUTES = [
  {
    id: 'getRecommendations',
    method: 'get',
    path: '/v1/users/:tgid/recommendations',
    summary: "A user's recommendations",
    description:
      'The cached record as generated (with `stale: true` when the last generation failed and this is the previous one). ' +
      'On a miss: `summary: null`, no tips and live statistics — and, for an active user, a generation job is queued so the next visit hits. ' +
      'A service/admin token reads any user; a Telegram Mini App user (`Authorization: tma <initData>`) only himself.',
    tag: 'recommendations',
    access: 'reader',
    params: tgidParams,
    responses: {
      200: {
        description: 'the record (hit) or the fallback with live statistics (miss)',
        schema: z.union([recommendationRecordResponse, recommendationMissResponse]),
        headers: hitHeaders,
      },
      304: { description: 'If-None-Match matched the current record' },
      400: E400,
      401: E401,
      403: E403,
      404: error('no cached record and no such user in the orders database (`USER_NOT_FOUND`)'),
      503: E503,
    },
    mount: 'handler',
  },
  {
    id: 'refreshRecommendations',
    method: 'post',
    path: '/v1/users/:tgid/recommendations/refresh',
    summary: 'Regenerate a user’s recommendations now',
    description: 'Queues a high-priority job; while one is pending for this user, the request joins it.',
    tag: 'recommendations',
    access: 'operator',
    params: tgidParams,
    body: emptyBody,
    responses: {
      202: { description: 'queued', schema: refreshAccepted },
      400: E400,
      401: E401,
      403: E403,
      503: E503,
    },
    mount: 'handler',
  },
  {
    id: 'getKeyPoolStatus',
    method: 'get',
    path: '/v1/admin/key-pool',
    summary: 'Gemini key pool status',
    description:
      'Per key (by fingerprint, never the key): project, state, usage per model, limits, cooldown, invalid reason.',
    tag: 'admin',
    access: 'admin',
    responses: {
      200: { description: 'status', schema: poolStatusResponse },
      401: E401,
      403: E403,
      404: error('GEMINI_API_KEYS is not configured for the API'),
      503: E503,
    },
    mount: 'handler',
  },
  {
    id: 'startBatch',
    method: 'post',
    path: '/v1/admin/batches',
    summary: 'Run the batch now',
    tag: 'admin',
    access: 'admin',
    body: emptyBody,
    responses: {
      202: { description: 'queued', schema: batchAccepted },
      400: E400,
      401: E401,
      403: E403,
      503: E503,
    },
    mount: 'handler',
  },
  {
    id: 'getBatch',
    method: 'get',
    path: '/v1/admin/batches/:run_id',
    summary: 'A batch run’s summary',
    tag: 'admin',
    access: 'admin',
    params: runIdParams,
    responses: {
      200: { description: 'summary', schema: runSummaryResponse },
      400: E400,
      401: E401,
      403: E403,
      404: error('no such run'),
      503: E503,
    },
    mount: 'handler',
  },
  {
    id: 'healthz',
    method: 'get',
    path: '/healthz',
    summary: 'Liveness: the process answers',
    tag: 'operations',
    access: 'public',
    responses: { 200: { description: 'alive', schema: healthResponse } },
    mount: 'handler',
  },
  {
    id: 'readyz',
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: Redis and PostgreSQL answer in time',
    tag: 'operations',
    access: 'public',
    responses: {
      200: { description: 'ready', schema: readinessResponse },
      503: {
        description: 'not ready (or shutting down); `error.message` names what failed',
        schema: readinessResponse,
      },
    },
    mount: 'handler',
  },
  {
    id: 'metrics',
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    tag: 'operations',
    access: 'public',
    responses: {
      200: { description: 'Prometheus text format', schema: z.string(), contentType: 'text/plain' },
    },
    mount: 'handler',
  },
  {
    id: 'openapi',
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    tag: 'operations',
    access: 'public',
    responses: { 200: { description: 'OpenAPI 3.1', schema: z.record(z.string(), z.unknown()) } },
    mount: 'handler',
  },
  {
    id: 'docs',
    method: 'get',
    path: '/docs',
    summary: 'API documentation page (Swagger UI, served locally)',
    tag: 'operations',
    access: 'public',
    responses: { 200: { description: 'HTML', schema: z.string(), contentType: 'text/html' } },
    mount: 'external',
  },
  {
    id: 'bullBoard',
    method: 'get',
    path: '/admin/queues',
    summary: 'Bull Board (queues recs-batch and recs-user)',
    description:
      'Mounted only when BULL_BOARD_USER and BULL_BOARD_PASSWORD are set; read-only unless BULL_BOARD_READ_ONLY=false.',
    tag: 'operations',
    access: 'basic',
    responses: {
      200: { description: 'HTML', schema: z.string(), contentType: 'text/html' },
      401: error('missing or wrong basic credentials'),
      404: error('Bull Board is not configured'),
    },
    mount: 'external',
  },
] as const satisfies readonly RouteSpec[];

export type Route = (typeof ROUTES)[number];
export type HandledRoute = Extract<Route, { mount: 'handler' }>;
export type RouteId = Route['id'];

/** `/v1/users/:tgid/x` → `/v1/users/{tgid}/x`. */
export const openApiPath = (path: string): string => path.replace(/:(\w+)/g, '{$1}');

export function routeById(id: RouteId): Route {
  return ROUTES.find((r) => r.id === id)!;
}
