import crypto from 'node:crypto';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { ForbiddenError, UnauthorizedError } from '../errors.ts';
import { Authenticator, authorize } from './authenticator.ts';
import { BasicCredentials } from './basic.ts';

const SERVICE = 'service-token-aaaaaaaaaaaaaaaa';
const ADMIN = 'admin-token-bbbbbbbbbbbbbbbbbbbb';
const auth = new Authenticator({
  apiTokens: [SERVICE, 'service-token-rotated-cccccccc'],
  adminToken: ADMIN,
  initDataMaxAgeSeconds: 60,
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('Authenticator', () => {
  it('tells service and admin tokens apart, scheme case-insensitively', () => {
    expect(auth.authenticate(`Bearer ${SERVICE}`)).toEqual({ kind: 'service' });
    expect(auth.authenticate('bearer service-token-rotated-cccccccc')).toEqual({ kind: 'service' });
    expect(auth.authenticate(`BEARER ${ADMIN}`)).toEqual({ kind: 'admin' });
  });

  it.each([
    undefined,
    '',
    'Bearer',
    `Bearer ${SERVICE}x`,
    `Bearer ${SERVICE.slice(0, -1)}`,
    `Token ${SERVICE}`,
    `tma x`,
  ])('answers 401 to %p', (header) => {
    expect(() => auth.authenticate(header)).toThrow(UnauthorizedError);
  });

  it('compares tokens in constant time: hashed to 32 bytes, every token compared, whatever the length', () => {
    const spy = jest.spyOn(crypto, 'timingSafeEqual');
    const attempt = (token: string) => {
      try {
        return auth.authenticate(`Bearer ${token}`).kind;
      } catch {
        return 'rejected';
      }
    };
    for (const [candidate, outcome] of [
      ['x', 'rejected'],
      [SERVICE, 'service'],
      ['y'.repeat(500), 'rejected'],
      [ADMIN.slice(0, -1), 'rejected'],
    ] as const) {
      spy.mockClear();
      expect(attempt(candidate)).toBe(outcome);
      // Whatever the candidate (1 or 500 characters, right or nearly right), one comparison per
      // configured secret (1 admin + 2 service tokens), each over two 32-byte digests.
      expect(spy).toHaveBeenCalledTimes(3);
      for (const [a, b] of spy.mock.calls) {
        expect((a as Buffer).length).toBe(32);
        expect((b as Buffer).length).toBe(32);
      }
    }
  });

  it('compares basic credentials in constant time, user and password both', () => {
    const creds = new BasicCredentials('ops', 'correct horse battery');
    const spy = jest.spyOn(crypto, 'timingSafeEqual');
    const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
    expect(creds.check(basic('ops', 'correct horse battery'))).toBe(true);
    expect(creds.check(basic('ops', 'wrong'))).toBe(false);
    expect(creds.check(basic('someone', 'correct horse battery'))).toBe(false);
    expect(creds.check(basic('ops', 'correct horse battery:extra'))).toBe(false);
    expect(creds.check(undefined)).toBe(false);
    expect(creds.check('Basic !!!')).toBe(false);
    // Two comparisons (user and password) for each of the four well-formed attempts.
    expect(spy).toHaveBeenCalledTimes(8);
  });
});

describe('authorize', () => {
  it('applies the route policies', () => {
    const user = { kind: 'user', tgid: 7 } as const;
    expect(() => authorize('reader', user, 7)).not.toThrow();
    expect(() => authorize('reader', user, 8)).toThrow(ForbiddenError);
    expect(() => authorize('reader', { kind: 'service' }, 8)).not.toThrow();
    expect(() => authorize('operator', user)).toThrow(ForbiddenError);
    expect(() => authorize('operator', { kind: 'admin' })).not.toThrow();
    expect(() => authorize('admin', { kind: 'service' })).toThrow(ForbiddenError);
    expect(() => authorize('admin', { kind: 'admin' })).not.toThrow();
  });
});
