import { createHash } from 'node:crypto';
import type { UserStats } from '@mealwise/stats';

/** Canonical JSON (sorted keys) so equal statistics always hash the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A short hash of a user's statistics. The worker skips a user whose statistics did not change
 * since a still-fresh record was generated — quiet days cost no quota.
 */
export function statsHash(stats: UserStats): string {
  return createHash('sha256').update(canonical(stats)).digest('hex').slice(0, 16);
}
