import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@mealwise/logging';
import { toHttpError } from '../errors.ts';
import type { Cors } from './cors.ts';
import { type HeaderList, saneRequestId } from './headers.ts';
import { errorBody, sendJson } from './respond.ts';

/** Route label of requests that matched no route (one label, so junk paths add no series). */
export const UNMATCHED = 'unmatched';

export interface RequestObserver {
  observe(method: string, route: string, status: number, seconds: number): void;
}

/** Per-request state, shared by the Express routes and the hot path. */
export class RequestContext {
  readonly id: string;
  readonly start: number;
  /** Route template for metrics and logs, e.g. `/v1/users/:tgid/recommendations`. */
  route = UNMATCHED;
  /**
   * Headers every response carries (security, request id, CORS), as a flat name/value list, until
   * they are put on the response: the hot path passes them to writeHead together with its own;
   * everything else gets them through setHeader (see RequestLifecycle.applyHeaders).
   */
  pendingHeaders: string[] | null = null;
  readonly #logger: Logger;
  #log: Logger | undefined;

  constructor(id: string, logger: Logger) {
    this.id = id;
    this.start = performance.now();
    this.#logger = logger;
  }

  /** A child logger carrying the request id, created only when something is logged. */
  get log(): Logger {
    this.#log ??= this.#logger.child({ requestId: this.id });
    return this.#log;
  }
}

const CONTEXT = Symbol('mealwise.requestContext');
type WithContext = IncomingMessage & { [CONTEXT]?: RequestContext };

export function contextOf(req: IncomingMessage): RequestContext {
  const ctx = (req as WithContext)[CONTEXT];
  if (!ctx) throw new Error('request has no context (begin() was not called)');
  return ctx;
}

export interface LifecycleOptions {
  logger: Logger;
  /** Security headers (helmet's, precomputed). */
  headers: HeaderList;
  cors: Cors;
  observer: RequestObserver;
}

/**
 * What happens to every request, whichever path serves it: a request id (kept from the client
 * when sane), security and CORS headers, one duration observation and an access-log line at
 * `http` level when the response is done, and errors rendered as JSON and logged with the id.
 */
export class RequestLifecycle {
  readonly #logger: Logger;
  /** The security headers as a flat name/value list. */
  readonly #flat: string[];
  readonly #cors: Cors;
  readonly #observer: RequestObserver;
  readonly #accessLog: boolean;

  constructor(options: LifecycleOptions) {
    this.#logger = options.logger;
    this.#flat = options.headers.flat();
    this.#cors = options.cors;
    this.#observer = options.observer;
    this.#accessLog = options.logger.isLevelEnabled('http');
  }

  get cors(): Cors {
    return this.#cors;
  }

  /**
   * Starts a request: its context, and the headers every response carries, kept pending on the
   * context. Routes whose responses other code writes (Express, static files, Bull Board) call
   * applyHeaders at once; the hot path writes them with its own in one writeHead.
   */
  begin(req: IncomingMessage, res: ServerResponse): RequestContext {
    const ctx = new RequestContext(saneRequestId(req.headers['x-request-id']) ?? randomUUID(), this.#logger);
    (req as WithContext)[CONTEXT] = ctx;
    const headers = this.#flat.slice();
    headers.push('x-request-id', ctx.id);
    this.#cors.headersFor(req, headers);
    ctx.pendingHeaders = headers;
    res.once('close', () => this.#finish(ctx, req, res));
    return ctx;
  }

  /** Puts the pending headers on the response with setHeader (once). */
  applyHeaders(ctx: RequestContext, res: ServerResponse): void {
    const headers = ctx.pendingHeaders;
    if (headers === null) return;
    ctx.pendingHeaders = null;
    for (let i = 0; i < headers.length; i += 2) res.setHeader(headers[i]!, headers[i + 1]!);
  }

  #finish(ctx: RequestContext, req: IncomingMessage, res: ServerResponse): void {
    const seconds = (performance.now() - ctx.start) / 1_000;
    // A response that never finished was cut off (client gone, or shutdown): nginx's 499.
    const status = res.writableFinished ? res.statusCode : 499;
    const method = req.method ?? 'GET';
    this.#observer.observe(method, ctx.route, status, seconds);
    if (this.#accessLog) {
      ctx.log.http('request', {
        method,
        route: ctx.route,
        // Express rewrites req.url inside mounted routers; originalUrl is the request's.
        path: ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').split('?', 1)[0],
        status,
        durationMs: Math.round(seconds * 1e5) / 100,
      });
    }
  }

  /** Renders any thrown value as the JSON error; unexpected ones are 500 and logged with the id. */
  fail(ctx: RequestContext, res: ServerResponse, err: unknown): void {
    const http = toHttpError(err);
    if (http === null) {
      ctx.log.error('request failed', { route: ctx.route, error: err });
    } else if (http.status >= 500) {
      const cause = http.cause instanceof Error ? http.cause.message : undefined;
      ctx.log.warn(http.message, { route: ctx.route, code: http.code, cause });
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    this.applyHeaders(ctx, res);
    const status = http?.status ?? 500;
    const body = http ? errorBody(http.code, http.message) : errorBody('INTERNAL', 'internal error');
    sendJson(res, status, body, { 'cache-control': 'no-store', ...http?.headers });
  }
}
