import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

export type HeaderList = ReadonlyArray<readonly [name: string, value: string]>;

/**
 * The headers helmet sets, computed once. With static options (no CSP nonces) helmet writes the
 * same headers on every response, so running its twelve middlewares per request is pure overhead:
 * we run it once against a recorder and replay the result on every response — the Express routes
 * and the hot path alike, which is what keeps their headers identical.
 */
export function captureHelmetHeaders(options?: HelmetOptions): HeaderList {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader(name: string, value: unknown) {
      headers.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value));
      return recorder;
    },
    removeHeader(name: string) {
      headers.delete(name.toLowerCase());
    },
    getHeader: (name: string) => headers.get(name.toLowerCase()),
  };
  let called = false;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err;
    called = true;
  });
  if (!called) throw new Error('helmet did not complete synchronously; its headers cannot be precomputed');
  return [...headers];
}

/**
 * JSON responses: nothing in them is ever rendered, so the CSP forbids everything and no page may
 * frame them (OWASP REST Security: `default-src 'none'; frame-ancestors 'none'`, X-Frame-Options
 * DENY). Shorter than helmet's page defaults, too — these headers go out with every hit.
 */
export const API_HELMET: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  },
  frameguard: { action: 'deny' },
};

/** The HTML pages (/docs, Bull Board) get helmet's defaults: their own scripts and styles only. */
export const PAGE_HELMET: HelmetOptions = {};

/** `x-request-id` from the client is kept when it is short and plain; anything else is replaced. */
const SANE_REQUEST_ID = /^[\w.:@-]{1,128}$/;

export function saneRequestId(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && SANE_REQUEST_ID.test(value) ? value : undefined;
}
