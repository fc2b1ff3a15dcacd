import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DayTableCache, dayTable, nextQuotaReset, quotaDayAt } from './quota-day.ts';

const H = 3_600_000;
const at = (iso: string) => Date.parse(iso);

const pacificClock = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/Los_Angeles',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

describe('quota day (midnight America/Los_Angeles)', () => {
  it('is PST (UTC-8) in winter and PDT (UTC-7) in summer', () => {
    expect(quotaDayAt(at('2026-01-15T12:00:00Z'))).toEqual({
      label: '2026-01-15',
      start: at('2026-01-15T08:00:00Z'),
      end: at('2026-01-16T08:00:00Z'),
    });
    expect(quotaDayAt(at('2026-07-04T12:00:00Z'))).toEqual({
      label: '2026-07-04',
      start: at('2026-07-04T07:00:00Z'),
      end: at('2026-07-05T07:00:00Z'),
    });
  });

  it('2026-03-08, spring forward: a 23-hour day', () => {
    const d = quotaDayAt(at('2026-03-08T12:00:00Z'));
    expect(d).toEqual({
      label: '2026-03-08',
      start: at('2026-03-08T08:00:00Z'),
      end: at('2026-03-09T07:00:00Z'),
    });
    expect(d.end - d.start).toBe(23 * H);
    // 07:30Z is still 2026-03-07 23:30 PST.
    expect(quotaDayAt(at('2026-03-08T07:30:00Z')).label).toBe('2026-03-07');
  });

  it('2026-11-01, fall back: a 25-hour day, and 07:00-08:00Z on Nov 2 is still Nov 1', () => {
    const d = quotaDayAt(at('2026-11-01T12:00:00Z'));
    expect(d).toEqual({
      label: '2026-11-01',
      start: at('2026-11-01T07:00:00Z'),
      end: at('2026-11-02T08:00:00Z'),
    });
    expect(d.end - d.start).toBe(25 * H);
    expect(quotaDayAt(at('2026-11-02T07:30:00Z')).label).toBe('2026-11-01');
    expect(nextQuotaReset(at('2026-11-02T07:59:59.999Z'))).toBe(at('2026-11-02T08:00:00Z'));
  });

  it('boundaries belong to the day they start', () => {
    expect(quotaDayAt(at('2026-03-09T07:00:00Z')).label).toBe('2026-03-09');
    expect(quotaDayAt(at('2026-03-09T06:59:59.999Z')).label).toBe('2026-03-08');
    expect(nextQuotaReset(at('2026-03-09T07:00:00Z'))).toBe(at('2026-03-10T07:00:00Z'));
  });

  it('property: start <= t < end, start is local midnight of the label, days last 23-25 h', () => {
    fc.assert(
      fc.property(fc.integer({ min: at('2000-01-01T00:00:00Z'), max: at('2060-01-01T00:00:00Z') }), (t) => {
        const d = quotaDayAt(t);
        expect(d.start).toBeLessThanOrEqual(t);
        expect(t).toBeLessThan(d.end);
        expect([23 * H, 24 * H, 25 * H]).toContain(d.end - d.start);
        expect(pacificClock.format(d.start)).toBe(`${d.label}, 00:00`);
        expect(pacificClock.format(d.start - 1)).not.toContain(d.label);
        expect(quotaDayAt(d.end).start).toBe(d.end);
      }),
      { numRuns: 500 },
    );
  });

  it('day table covers yesterday, today and tomorrow, contiguously', () => {
    const t = at('2026-11-01T20:00:00Z');
    expect(dayTable(t)).toEqual([
      String(at('2026-10-31T07:00:00Z')),
      '2026-10-31',
      String(at('2026-11-01T07:00:00Z')),
      '2026-11-01',
      String(at('2026-11-02T08:00:00Z')),
      '2026-11-02',
      String(at('2026-11-03T08:00:00Z')),
    ]);
  });

  it('the cache recomputes when the clock leaves the day', () => {
    const cache = new DayTableCache();
    const a = cache.get(at('2026-03-08T12:00:00Z'));
    expect(cache.get(at('2026-03-09T06:59:59.999Z'))).toBe(a);
    expect(cache.get(at('2026-03-09T07:00:00Z'))).toEqual(dayTable(at('2026-03-09T07:00:00Z')));
    expect(cache.get(at('2026-03-09T07:00:00Z'))[3]).toBe('2026-03-09');
  });
});
