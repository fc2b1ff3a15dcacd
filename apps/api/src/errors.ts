// Typed HTTP errors. Every failure a client can see is one of these, rendered as
// `{"error": {"code", "message"}}` by http/respond.ts — never HTML, never a stack trace.

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  /** Extra response headers (WWW-Authenticate, Allow, Retry-After). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: string,
    message: string,
    options?: { headers?: Record<string, string>; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.headers = options?.headers ?? {};
  }
}

export class BadRequestError extends HttpError {
  constructor(message: string, code = 'BAD_REQUEST') {
    super(400, code, message);
  }
}

export class UnauthorizedError extends HttpError {
  constructor(message = 'missing or invalid credentials', challenge = 'Bearer realm="mealwise", tma') {
    super(401, 'UNAUTHORIZED', message, { headers: { 'www-authenticate': challenge } });
  }
}

export class ForbiddenError extends HttpError {
  constructor(message: string) {
    super(403, 'FORBIDDEN', message);
  }
}

export class NotFoundError extends HttpError {
  constructor(message = 'no such route', code = 'NOT_FOUND') {
    super(404, code, message);
  }
}

export class MethodNotAllowedError extends HttpError {
  constructor(allowed: string[]) {
    super(405, 'METHOD_NOT_ALLOWED', `allowed: ${allowed.join(', ')}`, {
      headers: { allow: allowed.join(', ') },
    });
  }
}

export type Dependency = 'redis' | 'postgres' | 'key-pool';

/** A dependency did not answer in time or refused: 503, the client may retry shortly. */
export class DependencyUnavailableError extends HttpError {
  readonly dependency: Dependency;

  constructor(dependency: Dependency, cause?: unknown) {
    super(503, `${dependency.toUpperCase().replace('-', '_')}_UNAVAILABLE`, `${dependency} is unavailable`, {
      headers: { 'retry-after': '5' },
      cause,
    });
    this.dependency = dependency;
  }
}

interface BodyParserError {
  type?: string;
  status?: number;
}

/** Maps anything thrown to the HTTP error the client sees; unknown errors become null (→ 500). */
export function toHttpError(err: unknown): HttpError | null {
  if (err instanceof HttpError) return err;
  if (typeof err !== 'object' || err === null) return null;
  const e = err as BodyParserError & { code?: unknown; message?: unknown };
  // body-parser (express.json) errors: they carry a `type` and a 4xx `status`.
  switch (e.type) {
    case 'entity.parse.failed':
      return new HttpError(400, 'MALFORMED_JSON', 'request body is not valid JSON');
    case 'entity.too.large':
      return new HttpError(413, 'PAYLOAD_TOO_LARGE', 'request body is too large');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpError(415, 'UNSUPPORTED_ENCODING', 'unsupported request body encoding');
  }
  // Other 4xx errors of Express and its middleware (an undecodable path parameter, a refused
  // static path): keep the status, never their message.
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    const code = e.status === 403 ? 'FORBIDDEN' : e.status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST';
    return new HttpError(
      e.status,
      code,
      code === 'BAD_REQUEST' ? 'bad request' : code.toLowerCase().replace('_', ' '),
    );
  }
  // Typed errors of our packages (stats: INVALID_INPUT, USER_NOT_FOUND; jobs: INVALID_RUN_ID).
  const message = typeof e.message === 'string' ? e.message : undefined;
  if (e.code === 'INVALID_INPUT' || e.code === 'INVALID_RUN_ID') {
    return new BadRequestError(message ?? 'invalid input');
  }
  if (e.code === 'USER_NOT_FOUND') return new NotFoundError(message ?? 'no such user', 'USER_NOT_FOUND');
  return null;
}

// SQLSTATE classes meaning "the database is not there for us" rather than "the query is wrong":
// 08 connection exception, 53 insufficient resources, 57 operator intervention (57014 = our
// statement_timeout), 3D/28 (database missing / auth failed: misconfigured or being restored).
const PG_UNAVAILABLE = /^(08|53|57|3D|28)/;
const NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'EAI_AGAIN',
]);

/** Whether a PostgreSQL client error means the database is unreachable or too slow (→ 503). */
export function isPostgresUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (NET_CODES.has(code) || PG_UNAVAILABLE.test(code))) return true;
  if (err instanceof AggregateError) return err.errors.some(isPostgresUnavailable);
  return (
    typeof message === 'string' &&
    /timeout exceeded when trying to connect|timeout expired|Connection terminated|connect ECONNREFUSED|the database system is/i.test(
      message,
    )
  );
}
