import { safeEqual } from './secret-compare.ts';

/**
 * HTTP Basic credentials (Bull Board). User and password are both compared in constant time,
 * and both always, so a right user name with a wrong password takes as long as anything else.
 */
export class BasicCredentials {
  readonly #user: string;
  readonly #password: string;

  constructor(user: string, password: string) {
    this.#user = user;
    this.#password = password;
  }

  check(header: string | undefined): boolean {
    if (header === undefined || header.length > 1_024) return false;
    const match = /^basic +([A-Za-z0-9+/=]+)$/i.exec(header.trim());
    if (!match) return false;
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const userOk = safeEqual(decoded.slice(0, colon), this.#user);
    const passwordOk = safeEqual(decoded.slice(colon + 1), this.#password);
    return userOk && passwordOk;
  }
}
