import { createHmac } from 'node:crypto';

/**
 * Signs initData the way Telegram does (an independent implementation of the documented scheme,
 * so the verifier is checked against the spec, not against itself).
 */
export function signInitData(fields: Record<string, string>, botToken: string): string {
  const secret = createHmac('sha256', 'WebAppData').update(botToken).digest();
  const dataCheckString = Object.keys(fields)
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('\n');
  const hash = createHmac('sha256', secret).update(dataCheckString).digest('hex');
  return new URLSearchParams({ ...fields, hash }).toString();
}

export function initDataFor(
  tgid: number,
  botToken: string,
  options: { authDate?: number; extra?: Record<string, string> } = {},
): string {
  return signInitData(
    {
      auth_date: String(options.authDate ?? Math.floor(Date.now() / 1_000)),
      query_id: 'AAHdF6IQAAAAAN0XohDhrOrc',
      user: JSON.stringify({ id: tgid, first_name: 'Иван', language_code: 'ru' }),
      ...options.extra,
    },
    botToken,
  );
}
