import type { IncomingMessage, ServerResponse } from 'node:http';

const ALLOW_METHODS = 'GET, HEAD, POST';
const ALLOW_HEADERS = 'Authorization, Content-Type, If-None-Match, X-Request-Id';
const EXPOSE_HEADERS = 'ETag, X-Request-Id, Retry-After';

/**
 * CORS for the configured frontend origins only (exact match). No credentials mode: callers send
 * `Authorization` explicitly, cookies are never used. Small enough to run on the hot path.
 */
export class Cors {
  readonly #origins: ReadonlySet<string>;

  constructor(origins: readonly string[]) {
    this.#origins = new Set(origins);
  }

  get enabled(): boolean {
    return this.#origins.size > 0;
  }

  /** Appends the headers of an actual (non-preflight) request to a flat name/value list. */
  headersFor(req: IncomingMessage, headers: string[]): void {
    if (this.#origins.size === 0) return;
    // Responses differ by Origin whenever CORS is on: caches must key on it.
    headers.push('vary', 'Origin');
    const origin = req.headers.origin;
    if (origin !== undefined && this.#origins.has(origin)) {
      headers.push('access-control-allow-origin', origin, 'access-control-expose-headers', EXPOSE_HEADERS);
    }
  }

  /** A preflight (`OPTIONS` with `Access-Control-Request-Method`)? Answered here when it is. */
  isPreflight(req: IncomingMessage): boolean {
    return req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
  }

  /** Whether the preflight's origin is allowed; the caller answers 204 or 403. */
  preflight(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    if (origin === undefined || !this.#origins.has(origin)) return false;
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-allow-methods', ALLOW_METHODS);
    res.setHeader('access-control-allow-headers', ALLOW_HEADERS);
    res.setHeader('access-control-max-age', '600');
    res.setHeader('vary', 'Origin');
    return true;
  }
}
