// Telegram user ids "have at most 52 significant bits, so a 64-bit integer or double-precision
// float type are safe for storing" them (Telegram Bot API, User.id). We accept 1 .. 2^52 - 1:
// every such id is an exact JS number, and anything larger cannot be a Telegram user.
export const MAX_TGID = 2 ** 52 - 1;

/** Decimal digits of a tgid as it appears in a path: no sign, no leading zero, at most 16 digits. */
export const TGID_PATTERN = '^[1-9][0-9]{0,15}$';
const TGID_RE = new RegExp(TGID_PATTERN);

export function isTgid(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 1 && n <= MAX_TGID;
}

/** The tgid of a path segment, or null when it is not one. */
export function parseTgid(segment: string): number | null {
  if (!TGID_RE.test(segment)) return null;
  const n = Number(segment);
  return n <= MAX_TGID ? n : null;
}
