import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestContext } from '../http/lifecycle.ts';
import { JSON_TYPE, writeResponse } from '../http/respond.ts';
import { recommendationMissResponse } from '../openapi/schemas.ts';
import type { RecommendationsService } from './service.ts';

/**
 * A hit may be reused by the caller's own cache (`private`: personal data, never a shared cache or
 * CDN) for 60 s — the Mini App opens several screens in a row — and must then be revalidated
 * (`must-revalidate`): If-None-Match costs one Redis GET and an empty 304. Records change at most
 * nightly or after a refresh, so a minute of reuse hides nothing that matters.
 */
export const HIT_CACHE_CONTROL = 'private, max-age=60, must-revalidate';
/** A miss carries live statistics and a job may be about to fill the cache: never reuse it. */
export const MISS_CACHE_CONTROL = 'no-store';

/** If-None-Match uses the weak comparison (RFC 9110 §13.1.2): `W/` is ignored, `*` matches. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  for (const candidate of ifNoneMatch.split(',')) {
    const tag = candidate.trim();
    if ((tag.startsWith('W/') ? tag.slice(2) : tag) === etag) return true;
  }
  return false;
}

/** GET /v1/users/:tgid/recommendations, once authorized — the same code for both request paths. */
export function serveRecommendations(
  service: RecommendationsService,
  ctx: RequestContext,
  req: IncomingMessage,
  res: ServerResponse,
  tgid: number,
): Promise<void> {
  return service
    .read(tgid, () => ctx.log)
    .then((result) => {
      if (result.kind === 'miss') {
        const body = JSON.stringify(recommendationMissResponse.parse(result.body));
        const length = String(Buffer.byteLength(body));
        writeResponse(
          ctx,
          res,
          200,
          ['content-type', JSON_TYPE, 'content-length', length, 'cache-control', MISS_CACHE_CONTROL],
          body,
        );
        return;
      }
      if (etagMatches(req.headers['if-none-match'], result.etag)) {
        writeResponse(ctx, res, 304, ['etag', result.etag, 'cache-control', HIT_CACHE_CONTROL]);
        return;
      }
      // The stored JSON, byte for byte: validated once per record, never re-serialized.
      const headers = ['content-type', JSON_TYPE, 'content-length', String(result.bytes)];
      headers.push('etag', result.etag, 'cache-control', HIT_CACHE_CONTROL);
      writeResponse(ctx, res, 200, headers, result.raw);
    });
}
