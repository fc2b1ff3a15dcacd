import type { ServerResponse } from 'node:http';

export const JSON_TYPE = 'application/json; charset=utf-8';

export type ExtraHeaders = Readonly<Record<string, string>>;

/** Sends a complete body (already serialized) with its length; HEAD requests get no body (node). */
export function sendBody(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  contentType: string,
  headers?: ExtraHeaders,
): void {
  res.statusCode = status;
  res.setHeader('content-type', contentType);
  res.setHeader('content-length', Buffer.byteLength(body));
  if (headers) for (const name in headers) res.setHeader(name, headers[name]!);
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers?: ExtraHeaders): void {
  sendBody(res, status, JSON.stringify(body), JSON_TYPE, headers);
}

/** The one error shape of the API (DESIGN §6). */
export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

/**
 * Writes a whole response. When the request's common headers are still pending (the hot path),
 * they go out with `headers` in one writeHead — no setHeader bookkeeping per header; otherwise
 * they are already on the response and `headers` are added with setHeader.
 */
export function writeResponse(
  ctx: { pendingHeaders: string[] | null },
  res: ServerResponse,
  status: number,
  headers: string[],
  body?: string,
): void {
  const pending = ctx.pendingHeaders;
  if (pending !== null) {
    ctx.pendingHeaders = null;
    for (const h of headers) pending.push(h);
    res.writeHead(status, pending);
  } else {
    res.statusCode = status;
    for (let i = 0; i < headers.length; i += 2) res.setHeader(headers[i]!, headers[i + 1]!);
  }
  res.end(body);
}
