import { ForbiddenError, UnauthorizedError } from '../errors.ts';
import { digest, SecretSet } from './secret-compare.ts';
import { InitDataError, InitDataVerifier } from './telegram.ts';

/** Who is calling. */
export type Principal =
  | { kind: 'service' }
  | { kind: 'admin' }
  /** An end user from the Telegram Mini App: may read his own tgid only. */
  | { kind: 'user'; tgid: number };

/**
 * Who may call a route:
 * - `public`: anyone;
 * - `reader`: a service or admin token, or the user of the route's `:tgid` (Telegram initData);
 * - `operator`: a service or admin token (refresh);
 * - `admin`: the admin token.
 */
export type AccessPolicy = 'public' | 'reader' | 'operator' | 'admin';

export interface AuthenticatorOptions {
  apiTokens: readonly string[];
  adminToken?: string | undefined;
  telegramBotToken?: string | undefined;
  initDataMaxAgeSeconds: number;
  /** Seconds since the epoch (tests). */
  now?: () => number;
}

// Credentials longer than this are refused before any hashing (a token is < 100 characters,
// a Mini App's initData well under 2 kB).
const MAX_CREDENTIAL_LENGTH = 4_096;

export class Authenticator {
  readonly #service: SecretSet;
  readonly #admin: SecretSet;
  readonly #initData: InitDataVerifier | null;

  constructor(options: AuthenticatorOptions) {
    this.#service = new SecretSet(options.apiTokens);
    this.#admin = new SecretSet(options.adminToken ? [options.adminToken] : []);
    this.#initData = options.telegramBotToken
      ? new InitDataVerifier(options.telegramBotToken, {
          maxAgeSeconds: options.initDataMaxAgeSeconds,
          ...(options.now ? { now: options.now } : {}),
        })
      : null;
  }

  /** The caller of an `Authorization` header value; 401 when absent or not valid. */
  authenticate(header: string | undefined): Principal {
    if (header === undefined || header === '') throw new UnauthorizedError('missing Authorization header');
    const space = header.indexOf(' ');
    if (space <= 0 || header.length > MAX_CREDENTIAL_LENGTH) {
      throw new UnauthorizedError('Authorization must be "Bearer <token>" or "tma <initData>"');
    }
    // Auth schemes are case-insensitive (RFC 9110 §11.1).
    const scheme = header.slice(0, space).toLowerCase();
    const credential = header.slice(space + 1).trim();
    if (scheme === 'bearer') {
      // Both sets are always checked: the timing says nothing about which kind of token it was.
      const hashed = digest(credential);
      const isAdmin = this.#admin.hasDigest(hashed);
      const isService = this.#service.hasDigest(hashed);
      if (isAdmin) return { kind: 'admin' };
      if (isService) return { kind: 'service' };
      throw new UnauthorizedError('invalid token');
    }
    if (scheme === 'tma') {
      if (!this.#initData) throw new UnauthorizedError('Telegram Mini App login is not enabled');
      try {
        return { kind: 'user', tgid: this.#initData.verify(credential).userId };
      } catch (err) {
        if (err instanceof InitDataError) throw new UnauthorizedError(err.message);
        throw err;
      }
    }
    throw new UnauthorizedError('Authorization must be "Bearer <token>" or "tma <initData>"');
  }
}

/** 403 unless `principal` satisfies `policy` (`tgid` is the route's user, for `reader`). */
export function authorize(policy: AccessPolicy, principal: Principal, tgid?: number): void {
  switch (policy) {
    case 'public':
      return;
    case 'admin':
      if (principal.kind !== 'admin') throw new ForbiddenError('this route needs the admin token');
      return;
    case 'operator':
      if (principal.kind === 'user') throw new ForbiddenError('this route needs a service or admin token');
      return;
    case 'reader':
      if (principal.kind === 'user' && principal.tgid !== tgid) {
        throw new ForbiddenError('a user may only read his own recommendations');
      }
      return;
  }
}
