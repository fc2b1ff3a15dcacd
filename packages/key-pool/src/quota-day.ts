// Gemini's per-day quotas reset at midnight America/Los_Angeles. The boundaries are computed here,
// from Node's ICU time-zone data (authoritative, DST-aware, updated with Node), and handed to the
// Lua scripts as a small table; the scripts pick the day that contains *Redis'* time, so a worker
// whose clock is off by minutes still counts against the right day. Computing DST rules inside
// Lua instead would freeze today's US rules into the script.

export const QUOTA_TIME_ZONE = 'America/Los_Angeles';

const HOUR = 3_600_000;

export interface QuotaDay {
  /** Pacific calendar date, `YYYY-MM-DD`: part of the usage counter's Redis key. */
  label: string;
  /** First ms of the day (Pacific midnight). */
  start: number;
  /** First ms of the next day: when the day's quota resets. 23, 24 or 25 h after `start`. */
  end: number;
}

const formatter = new Intl.DateTimeFormat('en-US', {
  timeZone: QUOTA_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallTime(ms: number): Wall {
  const parts: Record<string, number> = {};
  for (const p of formatter.formatToParts(ms)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** UTC offset (ms, negative west of Greenwich) in force at `ms`. */
function offsetAt(ms: number): number {
  const w = wallTime(ms);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/** Pacific midnight starting the calendar date `y-m-d` (Los Angeles switches at 02:00, never at midnight). */
function midnight(year: number, month: number, day: number): number {
  const guess = Date.UTC(year, month - 1, day);
  let t = guess - offsetAt(guess);
  // One correction covers a guess that landed on the other side of a DST switch.
  t = guess - offsetAt(t);
  return t;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The quota day containing `ms`. */
export function quotaDayAt(ms: number): QuotaDay {
  const w = wallTime(ms);
  const start = midnight(w.year, w.month, w.day);
  // Days last 23-25 h: 26 h after midnight is always inside the next day.
  const n = wallTime(start + 26 * HOUR);
  return {
    label: `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`,
    start,
    end: midnight(n.year, n.month, n.day),
  };
}

/** Next Pacific midnight strictly after `ms`. */
export function nextQuotaReset(ms: number): number {
  return quotaDayAt(ms).end;
}

/**
 * The quota days around `ms` (yesterday, today, tomorrow) as the scripts take them:
 * `[start0, label0, start1, label1, start2, label2, end2]` — day i spans [start_i, start_{i+1}).
 * Covering a day either side lets Redis' clock differ from ours by up to a day.
 */
export function dayTable(ms: number): string[] {
  const today = quotaDayAt(ms);
  const yesterday = quotaDayAt(today.start - 1);
  const tomorrow = quotaDayAt(today.end);
  return [
    String(yesterday.start),
    yesterday.label,
    String(today.start),
    today.label,
    String(tomorrow.start),
    tomorrow.label,
    String(tomorrow.end),
  ];
}

/** Caches `dayTable` while the clock stays inside the same quota day (one Intl call per day). */
export class DayTableCache {
  #from = 0;
  #to = -1;
  #table: string[] = [];

  get(ms: number): string[] {
    if (ms < this.#from || ms >= this.#to) {
      const today = quotaDayAt(ms);
      this.#from = today.start;
      this.#to = today.end;
      this.#table = dayTable(ms);
    }
    return this.#table;
  }
}
