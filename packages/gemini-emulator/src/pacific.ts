// Google resets requests-per-day quotas at midnight America/Los_Angeles (DST-aware), not 24 h
// after first use. Formatting a date in that zone is the only portable way to find the day, and
// Intl is slow per call, so the current day's bounds are cached and recomputed only when the
// clock leaves them.

const formatter = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/Los_Angeles',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The Pacific calendar day of `ms` as `YYYY-MM-DD`. */
export function pacificDayOf(ms: number): string {
  return formatter.format(ms);
}

/** Start (inclusive) and end (exclusive) in epoch ms of the Pacific day containing `ms`. */
export function pacificDayBounds(ms: number): { day: string; start: number; end: number } {
  const day = pacificDayOf(ms);
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return { day, start: midnightOf(y, m, d), end: midnightOf(y, m, d + 1) };
}

// Midnight Pacific is 07:00 or 08:00 UTC (DST switches at 02:00 local, never at midnight), so one
// of the two candidates is the first instant of the day.
function midnightOf(y: number, m: number, d: number): number {
  const target = pacificDayOf(Date.UTC(y, m - 1, d, 12));
  for (const offsetHours of [7, 8]) {
    const t = Date.UTC(y, m - 1, d, offsetHours);
    if (pacificDayOf(t) === target && pacificDayOf(t - 1) !== target) return t;
  }
  throw new Error(`no Pacific midnight found for ${y}-${m}-${d}`);
}

/** Caches the bounds of the current Pacific day for hot paths. */
export class PacificDayCache {
  #bounds = { day: '', start: 0, end: 0 };

  at(ms: number): { day: string; start: number; end: number } {
    if (ms < this.#bounds.start || ms >= this.#bounds.end) this.#bounds = pacificDayBounds(ms);
    return this.#bounds;
  }
}
