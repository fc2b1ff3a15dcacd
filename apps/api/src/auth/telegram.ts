import crypto from 'node:crypto';
import { isTgid } from '../tgid.ts';

export type InitDataProblem =
  | 'malformed'
  | 'missing hash'
  | 'bad signature'
  | 'missing auth_date'
  | 'expired'
  | 'issued in the future'
  | 'missing user';

export class InitDataError extends Error {
  readonly code = 'INIT_DATA_INVALID';
  readonly problem: InitDataProblem;

  constructor(problem: InitDataProblem) {
    super(`Telegram initData rejected: ${problem}`);
    this.name = new.target.name;
    this.problem = problem;
  }
}

export interface VerifiedInitData {
  /** The Telegram user id (`user.id`): the tgid this caller may read. */
  userId: number;
  /** When Telegram signed the data, seconds since the epoch. */
  authDate: number;
}

export interface InitDataVerifierOptions {
  /** Reject initData signed longer ago than this (seconds). */
  maxAgeSeconds: number;
  /** Tolerated clock difference for an `auth_date` slightly in the future (seconds). */
  clockSkewSeconds?: number;
  /** Seconds since the epoch; tests pin it. */
  now?: () => number;
}

const HEX_HASH = /^[0-9a-f]{64}$/i;
const AUTH_DATE = /^\d{1,12}$/;

/**
 * Verifies Telegram Mini App `initData` exactly as Telegram specifies
 * (core.telegram.org/bots/webapps, "Validating data received via the Mini App"):
 *   secret_key = HMAC_SHA256(key = "WebAppData", msg = bot_token)
 *   data_check_string = every received field except `hash`, sorted by key, `key=value`, joined by "\n"
 *   valid iff hex(HMAC_SHA256(key = secret_key, msg = data_check_string)) == hash
 * plus a maximum age on `auth_date`, since a signed initData never expires by itself.
 */
export class InitDataVerifier {
  readonly #secretKey: Buffer;
  readonly #maxAge: number;
  readonly #skew: number;
  readonly #now: () => number;

  constructor(botToken: string, options: InitDataVerifierOptions) {
    this.#secretKey = crypto.createHmac('sha256', 'WebAppData').update(botToken).digest();
    this.#maxAge = options.maxAgeSeconds;
    this.#skew = options.clockSkewSeconds ?? 60;
    this.#now = options.now ?? (() => Math.floor(Date.now() / 1_000));
  }

  verify(initData: string): VerifiedInitData {
    const fields = new Map<string, string>();
    for (const [key, value] of new URLSearchParams(initData)) {
      // A repeated field would make "the" value ambiguous between signer and reader.
      if (fields.has(key)) throw new InitDataError('malformed');
      fields.set(key, value);
    }
    const hash = fields.get('hash');
    if (hash === undefined) throw new InitDataError('missing hash');
    if (!HEX_HASH.test(hash)) throw new InitDataError('bad signature');
    fields.delete('hash');

    const dataCheckString = [...fields.keys()]
      .sort()
      .map((key) => `${key}=${fields.get(key)}`)
      .join('\n');
    const expected = crypto.createHmac('sha256', this.#secretKey).update(dataCheckString).digest();
    if (!crypto.timingSafeEqual(expected, Buffer.from(hash, 'hex'))) throw new InitDataError('bad signature');

    // Only signed data is looked at from here on.
    const authDateText = fields.get('auth_date');
    if (authDateText === undefined || !AUTH_DATE.test(authDateText))
      throw new InitDataError('missing auth_date');
    const authDate = Number(authDateText);
    const now = this.#now();
    if (authDate > now + this.#skew) throw new InitDataError('issued in the future');
    if (now - authDate > this.#maxAge) throw new InitDataError('expired');

    const userId = parseUserId(fields.get('user'));
    if (userId === null) throw new InitDataError('missing user');
    return { userId, authDate };
  }
}

function parseUserId(userJson: string | undefined): number | null {
  if (userJson === undefined) return null;
  try {
    const user: unknown = JSON.parse(userJson);
    const id = typeof user === 'object' && user !== null ? (user as { id?: unknown }).id : undefined;
    return typeof id === 'number' && isTgid(id) ? id : null;
  } catch {
    return null;
  }
}
