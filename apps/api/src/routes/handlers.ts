import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { Principal } from '../auth/authenticator.ts';
import { DependencyUnavailableError, HttpError, NotFoundError } from '../errors.ts';
import type { RequestContext } from '../http/lifecycle.ts';
import { sendBody, sendJson } from '../http/respond.ts';
import type { ApiMetrics } from '../metrics/metrics.ts';
import type { JobProducer, PoolStatusReader, RunSummaryReader } from '../ports.ts';
import { serveRecommendations } from '../recommendations/http.ts';
import type { RecommendationsService } from '../recommendations/service.ts';
import type { Readiness } from './readiness.ts';
import { type HandledRoute, type RouteId, routeById } from './spec.ts';

type ParamsOf<R> = R extends { params: infer P extends z.ZodType } ? z.output<P> : Record<string, never>;

export interface HandlerInput<P> {
  ctx: RequestContext;
  req: Request;
  res: Response;
  /** Validated path parameters. */
  params: P;
  principal: Principal | null;
}

export type Handlers = {
  [R in HandledRoute as R['id']]: (input: HandlerInput<ParamsOf<R>>) => Promise<void> | void;
};

export interface HandlerServices {
  recommendations: RecommendationsService;
  producer: JobProducer;
  runs: RunSummaryReader;
  keyPool: PoolStatusReader | undefined;
  readiness: Readiness;
  metrics: ApiMetrics;
  /** The OpenAPI document, serialized once. */
  openApiJson: string;
}

const NO_STORE = { 'cache-control': 'no-store' } as const;

/** Sends a JSON body after checking it against the route's response schema (the documented contract). */
function reply(res: Response, id: RouteId, status: number, body: unknown): void {
  const spec = (routeById(id).responses as Record<number, { schema?: z.ZodType }>)[status];
  if (!spec?.schema) throw new Error(`route ${id} documents no ${status} body`);
  sendJson(res, status, spec.schema.parse(body), NO_STORE);
}

async function fromRedis<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw err instanceof HttpError ? err : new DependencyUnavailableError('redis', err);
  }
}

export function buildHandlers(s: HandlerServices): Handlers {
  return {
    getRecommendations: ({ ctx, req, res, params }) =>
      serveRecommendations(s.recommendations, ctx, req, res, params.tgid),

    refreshRecommendations: async ({ res, params }) => {
      const job = await s.recommendations.refresh(params.tgid);
      reply(res, 'refreshRecommendations', 202, { job_id: job.jobId, joined: !job.created });
    },

    getKeyPoolStatus: async ({ res }) => {
      const pool = s.keyPool;
      if (!pool)
        throw new NotFoundError('GEMINI_API_KEYS is not configured for the API', 'KEY_POOL_NOT_CONFIGURED');
      reply(res, 'getKeyPoolStatus', 200, await fromRedis(() => pool.status()));
    },

    startBatch: async ({ res }) => {
      const batch = await fromRedis(() => s.producer.enqueueBatch());
      reply(res, 'startBatch', 202, { run_id: batch.runId });
    },

    getBatch: async ({ res, params }) => {
      const summary = await fromRedis(() => s.runs.get(params.run_id));
      if (!summary) throw new NotFoundError(`no batch run "${params.run_id}"`, 'RUN_NOT_FOUND');
      reply(res, 'getBatch', 200, summary);
    },

    healthz: ({ res }) => reply(res, 'healthz', 200, { status: 'ok' }),

    readyz: async ({ res }) => {
      const report = await s.readiness.probe();
      reply(res, 'readyz', report.ready ? 200 : 503, {
        status: report.ready ? 'ready' : 'not_ready',
        checks: report.checks,
        ...(report.ready
          ? {}
          : { error: { code: 'NOT_READY', message: `not ready: ${report.failed.join(', ')}` } }),
      });
    },

    metrics: async ({ res }) => {
      sendBody(res, 200, await s.metrics.render(), s.metrics.contentType, NO_STORE);
    },

    openapi: ({ res }) => {
      sendBody(res, 200, s.openApiJson, 'application/json; charset=utf-8');
    },
  };
}
