import { describe, expect, it } from '@jest/globals';
import { batchJobId, InvalidRunIdError, manualRunId, runIdForDate, userJobId } from './ids.ts';
import { userJobDataSchema } from './payloads.ts';

describe('job ids', () => {
  it('names the nightly run by the date in RECS_TZ', () => {
    const t = new Date('2026-11-29T02:30:00Z');
    expect(runIdForDate(t, 'UTC')).toBe('2026-11-29');
    expect(runIdForDate(t, 'America/Los_Angeles')).toBe('2026-11-28');
    expect(runIdForDate(t, 'Asia/Novosibirsk')).toBe('2026-11-29');
  });

  it('builds BullMQ-safe deterministic ids (no ":" and never all digits)', () => {
    expect(userJobId('2026-11-29', 123456)).toBe('recs-2026-11-29-123456');
    expect(batchJobId('2026-11-29')).toBe('batch-2026-11-29');
    const manual = manualRunId(new Date('2026-11-29T10:15:00.123Z'), 'abcd');
    expect(manual).toBe('manual-20261129-101500-abcd');
    expect(userJobId(manual, 1)).not.toContain(':');
  });

  it('rejects run ids that would break keys', () => {
    expect(() => userJobId('2026:11', 1)).toThrow(InvalidRunIdError);
    expect(() => userJobId('', 1)).toThrow(InvalidRunIdError);
    expect(() => batchJobId('a b')).toThrow(InvalidRunIdError);
  });

  it('validates user job payloads', () => {
    expect(userJobDataSchema.parse({ tgid: 5, runId: '2026-11-29', reason: 'batch' })).toEqual({
      tgid: 5,
      runId: '2026-11-29',
      reason: 'batch',
    });
    expect(userJobDataSchema.safeParse({ tgid: -1, reason: 'batch' }).success).toBe(false);
    expect(userJobDataSchema.safeParse({ tgid: 1, runId: 'x:y', reason: 'batch' }).success).toBe(false);
  });
});
