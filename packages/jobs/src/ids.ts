import { randomBytes } from 'node:crypto';

// BullMQ job ids must not be all digits and must not contain ':' (it separates key parts).
const SAFE_ID = /^[A-Za-z0-9_-]+$/;

export class InvalidRunIdError extends Error {
  readonly code = 'INVALID_RUN_ID';
  constructor(runId: string) {
    super(`run id "${runId}" must be letters, digits, '-' or '_' (1-64 characters)`);
    this.name = new.target.name;
  }
}

export function assertRunId(runId: string): string {
  if (!SAFE_ID.test(runId) || runId.length > 64) throw new InvalidRunIdError(runId);
  return runId;
}

export function isRunId(runId: string): boolean {
  return SAFE_ID.test(runId) && runId.length <= 64;
}

/** The nightly run's id: the calendar date in `timeZone` (e.g. `2026-11-29`). */
export function runIdForDate(date: Date, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(date);
}

/** A manual run gets its own id, sortable by time: `manual-20261129-101500-3fa2`. */
export function manualRunId(now: Date, suffix = randomBytes(2).toString('hex')): string {
  const iso = now.toISOString(); // 2026-11-29T10:15:00.000Z
  return `manual-${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}-${suffix}`;
}

/** Deterministic per-user job id of a run: enqueuing the same run twice adds nobody twice. */
export function userJobId(runId: string, tgid: number): string {
  return `recs-${assertRunId(runId)}-${tgid}`;
}

/** Deterministic batch job id: one batch job per run id. */
export function batchJobId(runId: string): string {
  return `batch-${assertRunId(runId)}`;
}

/** Deduplication id of on-demand (refresh / cache-miss) jobs: one pending per user. */
export function refreshDedupId(tgid: number): string {
  return `refresh-${tgid}`;
}
