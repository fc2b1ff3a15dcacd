import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { type Logger, Redactor } from '@mealwise/logging';
import type { Queue } from 'bullmq';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { z } from 'zod';
import { Authenticator, type AuthenticatorOptions, authorize } from './auth/authenticator.ts';
import { BasicCredentials } from './auth/basic.ts';
import { BadRequestError, HttpError, MethodNotAllowedError, NotFoundError } from './errors.ts';
import { Cors } from './http/cors.ts';
import { API_HELMET, captureHelmetHeaders, PAGE_HELMET } from './http/headers.ts';
import { contextOf, RequestLifecycle } from './http/lifecycle.ts';
import { errorBody, sendJson } from './http/respond.ts';
import { ApiMetrics } from './metrics/metrics.ts';
import { buildOpenApiDocument } from './openapi/document.ts';
import type {
  JobProducer,
  PoolStatusReader,
  ReadinessCheck,
  RecordReader,
  RunSummaryReader,
  StatsReader,
} from './ports.ts';
import { serveRecommendations } from './recommendations/http.ts';
import { RecommendationsService } from './recommendations/service.ts';
import { BULL_BOARD_PATH, bullBoardRouter } from './routes/bull-board.ts';
import { docsRouter } from './routes/docs.ts';
import { buildHandlers, type HandlerInput } from './routes/handlers.ts';
import { Readiness } from './routes/readiness.ts';
import { type HandledRoute, ROUTES } from './routes/spec.ts';
import { parseTgid } from './tgid.ts';

export interface ApiDeps {
  logger: Logger;
  auth: AuthenticatorOptions;
  corsOrigins: readonly string[];
  records: RecordReader;
  stats: StatsReader;
  producer: JobProducer;
  runs: RunSummaryReader;
  /** Absent when GEMINI_API_KEYS is not configured for the API. */
  keyPool?: PoolStatusReader | undefined;
  /** recs-batch and recs-user: Bull Board and the queue metrics. */
  queues: readonly Queue[];
  readinessChecks: readonly ReadinessCheck[];
  /** Bound on each readiness probe (ms). */
  dependencyTimeoutMs: number;
  /** `RECS_MIN_ORDERS` / `RECS_DAYS`. */
  recs: { minOrders: number; days: number };
  /** Bull Board is mounted only with credentials. */
  bullBoard?: { user: string; password: string; readOnly: boolean } | undefined;
  /** Values masked wherever Bull Board shows job contents. */
  secrets?: readonly string[];
  /** Serve the cache-hit route before Express (default true); false routes it through Express. */
  hotPath?: boolean;
  /** Process metrics in /metrics (default true). */
  defaultMetrics?: boolean;
  version?: string;
}

export interface ApiApp {
  /** The request listener: `http.createServer(app.listener)`, or `supertest(app.listener)`. */
  listener: RequestListener;
  readiness: Readiness;
  metrics: ApiMetrics;
}

const BODY_LIMIT = '16kb';
/** Bodies announced larger than this are not even drained (see the middleware before express.json). */
const DRAIN_LIMIT_BYTES = 1024 * 1024;
const HOT_ROUTE = /^\/v1\/users\/([1-9][0-9]{0,15})\/recommendations(?:\?|$)/;

export function createApp(deps: ApiDeps): ApiApp {
  const logger = deps.logger.child({ module: 'http' });
  const metrics = new ApiMetrics({
    logger,
    keyPool: deps.keyPool,
    queues: deps.queues,
    defaultMetrics: deps.defaultMetrics ?? true,
  });
  const cors = new Cors(deps.corsOrigins);
  const lifecycle = new RequestLifecycle({
    logger,
    headers: captureHelmetHeaders(API_HELMET),
    cors,
    observer: metrics,
  });
  const pageHeaders = captureHelmetHeaders(PAGE_HELMET);
  // The HTML pages replace the API's deny-all CSP with one that lets them load their own assets.
  const page =
    (route: string): RequestHandler =>
    (req, res, next) => {
      contextOf(req).route = route;
      for (const [name, value] of pageHeaders) res.setHeader(name, value);
      next();
    };
  const authenticator = new Authenticator(deps.auth);
  const readiness = new Readiness(deps.readinessChecks, deps.dependencyTimeoutMs);
  const recommendations = new RecommendationsService({
    records: deps.records,
    stats: deps.stats,
    producer: deps.producer,
    minOrders: deps.recs.minOrders,
    days: deps.recs.days,
  });
  const handlers = buildHandlers({
    recommendations,
    producer: deps.producer,
    runs: deps.runs,
    keyPool: deps.keyPool,
    readiness,
    metrics,
    openApiJson: JSON.stringify(buildOpenApiDocument({ version: deps.version ?? '0.1.0' })),
  });

  const app = express();
  app.disable('x-powered-by');
  // ETags are ours (a hash of the stored record), not Express's hash of every body.
  app.set('etag', false);

  app.use((req, res, next) => {
    // Behind Express, responses are written by code that knows nothing of pending headers.
    lifecycle.applyHeaders(lifecycle.begin(req, res), res);
    if (!cors.isPreflight(req)) return next();
    if (cors.preflight(req, res)) {
      res.statusCode = 204;
      res.end();
    } else {
      sendJson(res, 403, errorBody('CORS_ORIGIN_NOT_ALLOWED', 'origin not allowed'), {
        'cache-control': 'no-store',
      });
    }
  });
  // A body announced far larger than any route accepts is refused at once and the connection
  // closed: express.json would first read and discard all of it (body-parser drains a refused body
  // before answering 413), so a client claiming 10 GB held the connection until the request
  // timeout. Up to DRAIN_LIMIT_BYTES the drain is cheap and lets a client that sends its whole body
  // before reading (most do) see the 413 rather than a connection reset.
  app.use((req, res, next) => {
    const length = req.headers['content-length'];
    if (length === undefined || !(Number(length) > DRAIN_LIMIT_BYTES)) return next();
    res.setHeader('connection', 'close');
    lifecycle.fail(contextOf(req), res, new HttpError(413, 'PAYLOAD_TOO_LARGE', 'request body is too large'));
  });
  app.use(express.json({ limit: BODY_LIMIT }));
  app.use('/docs', page('/docs'));
  app.use(docsRouter());
  if (deps.bullBoard) {
    const board = bullBoardRouter({
      queues: deps.queues,
      credentials: new BasicCredentials(deps.bullBoard.user, deps.bullBoard.password),
      readOnly: deps.bullBoard.readOnly,
      redactor: new Redactor(deps.secrets ?? []),
    });
    app.use(BULL_BOARD_PATH, page(BULL_BOARD_PATH), board.auth, board.router);
  }

  const register = <R extends HandledRoute>(route: R, handler: (input: HandlerInput<never>) => unknown) => {
    const run: RequestHandler = async (req, res) => {
      const ctx = contextOf(req);
      ctx.route = route.path;
      try {
        // Authenticate first (401 before anything about the input is revealed), then validate,
        // then authorize against the validated tgid.
        const principal =
          route.access === 'public' ? null : authenticator.authenticate(req.headers.authorization);
        const params = 'params' in route ? parse(route.params, req.params) : {};
        if ('body' in route) parse(route.body, req.body);
        if (principal) authorize(route.access, principal, (params as { tgid?: number }).tgid);
        await handler({ ctx, req, res, params: params as never, principal });
      } catch (err) {
        lifecycle.fail(ctx, res, err);
      }
    };
    app[route.method](route.path, run);
  };
  const handled = ROUTES.filter((r): r is HandledRoute => r.mount === 'handler');
  for (const route of handled) register(route, handlers[route.id] as (input: HandlerInput<never>) => unknown);

  // A known path with another method: 405 with Allow, rather than a misleading 404.
  for (const path of new Set(handled.map((r) => r.path))) {
    const allowed = handled
      .filter((r) => r.path === path)
      .flatMap((r) => (r.method === 'get' ? ['GET', 'HEAD'] : [r.method.toUpperCase()]));
    app.all(path, (req, res) => {
      const ctx = contextOf(req);
      ctx.route = path;
      lifecycle.fail(ctx, res, new MethodNotAllowedError(allowed));
    });
  }
  app.use((req, res) => lifecycle.fail(contextOf(req), res, new NotFoundError()));
  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    lifecycle.fail(contextOf(req), res, err);
  };
  app.use(onError);

  // The hot path: a plausible cache-hit request is served here, before Express's router and
  // prototype swapping, by the same code the Express route uses (lifecycle, authentication,
  // serveRecommendations) — same headers, same answers. Anything unusual (a body, odd casing,
  // an encoded or invalid tgid) goes to Express.
  const hot = (req: IncomingMessage, res: ServerResponse, tgid: number) => {
    const ctx = lifecycle.begin(req, res);
    ctx.route = '/v1/users/:tgid/recommendations';
    try {
      authorize('reader', authenticator.authenticate(req.headers.authorization), tgid);
    } catch (err) {
      lifecycle.fail(ctx, res, err);
      return;
    }
    serveRecommendations(recommendations, ctx, req, res, tgid).catch((err: unknown) =>
      lifecycle.fail(ctx, res, err),
    );
  };
  const useHotPath = deps.hotPath ?? true;
  const listener: RequestListener = (req, res) => {
    if (
      useHotPath &&
      (req.method === 'GET' || req.method === 'HEAD') &&
      req.headers['content-length'] === undefined &&
      req.headers['transfer-encoding'] === undefined
    ) {
      const match = HOT_ROUTE.exec(req.url ?? '');
      const tgid = match ? parseTgid(match[1]!) : null;
      if (tgid !== null) {
        hot(req, res, tgid);
        return;
      }
    }
    app(req, res);
  };
  return { listener, readiness, metrics };
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? `${issue.path.map(String).join('.')}: ` : '';
  throw new BadRequestError(`${where}${issue?.message ?? 'invalid input'}`, 'INVALID_INPUT');
}
