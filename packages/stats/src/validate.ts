import { InvalidStatsInputError } from './errors.ts';

export const DEFAULT_DAYS = 30;
export const MAX_DAYS = 365;
export const DEFAULT_MIN_ORDERS = 5;
export const MAX_MIN_ORDERS = 100_000;
export const DEFAULT_PAGE_SIZE = 1000;
export const MAX_PAGE_SIZE = 10_000;

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** An integer in [min, max], or InvalidStatsInputError naming `field`. */
export function integerIn(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidStatsInputError(
      field,
      `${field} must be an integer from ${min} to ${max.toLocaleString('en-US')} (got ${describe(value)})`,
    );
  }
  return value;
}

/** Telegram ids are positive; ours stay below 2^53 (the int8 columns are read as numbers). */
export function validTgid(tgid: unknown, field = 'tgid'): number {
  return integerIn(field, tgid, 1, Number.MAX_SAFE_INTEGER);
}

export function validDays(days: unknown): number {
  return integerIn('days', days ?? DEFAULT_DAYS, 1, MAX_DAYS);
}

export function validMinOrders(minOrders: unknown): number {
  return integerIn('minOrders', minOrders ?? DEFAULT_MIN_ORDERS, 1, MAX_MIN_ORDERS);
}

export function validPageSize(pageSize: unknown): number {
  return integerIn('pageSize', pageSize ?? DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
}

/** Keyset cursor: the last tgid of the previous page; 0 starts from the beginning. */
export function validAfter(after: unknown): number {
  return integerIn('after', after ?? 0, 0, Number.MAX_SAFE_INTEGER);
}
