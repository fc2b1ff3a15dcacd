import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { InitDataError, InitDataVerifier } from './telegram.ts';

const BOT = '7000000001:AAFakeTokenForTestsOnly-0123456789ab';
const NOW = 1_800_000_000;

// Signed independently of the verifier, following Telegram's documented steps.
function sign(fields: [string, string][], bot = BOT): string {
  const secret = createHmac('sha256', 'WebAppData').update(bot).digest();
  const dcs = [...fields]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
  const hash = createHmac('sha256', secret).update(dcs).digest('hex');
  return new URLSearchParams([...fields, ['hash', hash]]).toString();
}

const user = (id: number) => JSON.stringify({ id, first_name: 'Anna', username: 'anna' });
const verifier = new InitDataVerifier(BOT, { maxAgeSeconds: 3_600, now: () => NOW });
const problem = (initData: string) => {
  try {
    verifier.verify(initData);
    return 'accepted';
  } catch (err) {
    expect(err).toBeInstanceOf(InitDataError);
    return (err as InitDataError).problem;
  }
};

describe('InitDataVerifier', () => {
  it('accepts initData signed as Telegram specifies and returns the user id', () => {
    const data = sign([
      ['query_id', 'AAHdF6IQAAAAAN0XohDhrOrc'],
      ['user', user(279058397)],
      ['auth_date', String(NOW - 60)],
      ['signature', 'ZmFrZS1lZDI1NTE5LXNpZ25hdHVyZQ'],
    ]);
    expect(verifier.verify(data)).toEqual({ userId: 279058397, authDate: NOW - 60 });
  });

  it('signs over every field but hash, including signature and unknown fields', () => {
    const fields: [string, string][] = [
      ['user', user(5)],
      ['auth_date', String(NOW)],
      ['signature', 'abc'],
      ['chat_type', 'sender'],
    ];
    const signed = sign(fields);
    expect(problem(signed)).toBe('accepted');
    expect(problem(signed.replace('chat_type=sender', 'chat_type=group'))).toBe('bad signature');
    expect(problem(signed.replace('signature=abc', 'signature=abd'))).toBe('bad signature');
  });

  it('rejects data signed with another bot token', () => {
    const data = sign(
      [
        ['user', user(5)],
        ['auth_date', String(NOW)],
      ],
      '7000000002:AAAnotherBotTokenForTests-0123456789',
    );
    expect(problem(data)).toBe('bad signature');
  });

  it('rejects a tampered user id', () => {
    const data = sign([
      ['user', user(5)],
      ['auth_date', String(NOW)],
    ]);
    expect(problem(data.replace('%22id%22%3A5', '%22id%22%3A6'))).toBe('bad signature');
  });

  it('rejects expired and future-dated data (after checking the signature)', () => {
    expect(
      problem(
        sign([
          ['user', user(5)],
          ['auth_date', String(NOW - 3_601)],
        ]),
      ),
    ).toBe('expired');
    expect(
      problem(
        sign([
          ['user', user(5)],
          ['auth_date', String(NOW - 3_600)],
        ]),
      ),
    ).toBe('accepted');
    expect(
      problem(
        sign([
          ['user', user(5)],
          ['auth_date', String(NOW + 3_600)],
        ]),
      ),
    ).toBe('issued in the future');
  });

  it('rejects missing hash, auth_date, user, repeated fields and garbage', () => {
    expect(problem(`user=${encodeURIComponent(user(5))}&auth_date=${NOW}`)).toBe('missing hash');
    expect(problem(sign([['user', user(5)]]))).toBe('missing auth_date');
    expect(problem(sign([['auth_date', String(NOW)]]))).toBe('missing user');
    expect(
      problem(
        sign([
          ['user', '{"id":"5"}'],
          ['auth_date', String(NOW)],
        ]),
      ),
    ).toBe('missing user');
    expect(
      problem(
        sign([
          ['user', user(2 ** 53)],
          ['auth_date', String(NOW)],
        ]),
      ),
    ).toBe('missing user');
    const once = sign([
      ['user', user(5)],
      ['auth_date', String(NOW)],
    ]);
    expect(problem(`${once}&auth_date=${NOW}`)).toBe('malformed');
    expect(problem('%%%')).toBe('missing hash');
    expect(problem(`hash=${'z'.repeat(64)}`)).toBe('bad signature');
  });
});
