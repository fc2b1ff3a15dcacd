// What every scenario asserts after its run (issue 8): every active user ends with a record —
// `gemini` from this run, or `stale`/`rules` where Gemini truly failed —, the run summary adds up
// and agrees with the records, no user was generated twice for the run, the emulator saw no
// overrun. `problems` lists every violation in words (empty = all good), so one
// `expect(inv.problems).toEqual([])` shows everything that went wrong at once.
import type { EmulatorStats } from '@mealwise/gemini-emulator';
import type { RunSummary, RunSummaryStore } from '@mealwise/jobs';
import type { Redis } from '@mealwise/redis';

export interface Invariants {
  runId: string;
  /** Active users (all seeded users). */
  users: number;
  /** Users whose record is a Gemini record written by this run. */
  gemini: number;
  /** Users who kept an earlier record marked stale. */
  stale: number;
  /** Users with rules-based advice. */
  rules: number;
  /** Users with a fresh Gemini record not written by this run (skipped as unchanged, or generated
   * on demand — an API miss or refresh — before the batch reached them). */
  fresh: number;
  /** Users with a record that is none of the above (unknown source): must be 0. */
  other: number;
  /** Users without any record. */
  missing: number;
  /** The run summary's failed count (users whose generation failed for good). */
  failed: number;
  /** Users generated and stored more than once for this run (per-run markers in the worker logs). */
  duplicates: number;
  duplicateTgids: number[];
  /** Gemini records stored by this run (`recommendation cached` markers across every worker). */
  generations: number;
  /** Jobs that found their user's record already stored by this run (`recommendation recovered`). */
  recovered: number;
  /**
   * Users with a Gemini record of this run and neither marker: stored by nobody the logs know of.
   * A crash may swallow a `recommendation cached` line, but the re-run job then logs `recovered`.
   */
  unaccountedTgids: number[];
  /** Answers the Gemini client accepted for this run (`recommendation generated`): ≥ generations, the
   * difference being answers lost when a worker died before storing them. */
  acceptedAnswers: number;
  /** generateContent requests answered 200 `ok` at the emulator (all runs of the stack). */
  okCalls: number;
  /** Day-quota 429s at the emulator (expected only where a scenario exhausts a quota). */
  rateLimitedDay: number;
  /** Per-minute (request or token) 429s plus admissions over RPM in a rolling 60 s window. */
  overruns: number;
  summaryAddsUp: boolean;
  summary: RunSummary | null;
  problems: string[];
}

interface Record_ {
  source?: string;
  stale?: boolean;
  run_id?: string;
}

/**
 * Per-run markers: tgid → count of JSON log lines with `message` and this `runId`, across every
 * worker process of the stack (killed ones included).
 * - `recommendation cached` (the worker, after the Gemini record is stored): two for one user and
 *   run = the user was generated and stored twice — a duplicate.
 * - `recommendation generated` (the Gemini client, on an accepted answer): includes answers lost
 *   when a worker was killed before storing them.
 */
export function runMarkers(
  workerLines: readonly (readonly string[])[],
  runId: string,
  message = 'recommendation cached',
): Map<number, number> {
  const counts = new Map<number, number>();
  const needle = `"${message}"`;
  for (const lines of workerLines) {
    for (const line of lines) {
      if (!line.includes(needle) || !line.includes(runId)) continue;
      try {
        const l = JSON.parse(line) as { message?: string; runId?: string; tgid?: number };
        if (l.message !== message || l.runId !== runId) continue;
        const t = Number(l.tgid);
        counts.set(t, (counts.get(t) ?? 0) + 1);
      } catch {
        // a line cut by a SIGKILL
      }
    }
  }
  return counts;
}

/**
 * Overruns at the emulator — the pool's own pacing failing: per-minute and per-minute-token 429s,
 * plus admissions over RPM in any rolling 60 s window. Day-quota 429s (`RATE_LIMIT_DAY`) are not
 * overruns: a quota used up behind the pool's back is discovered that way (scenario 5).
 */
export function overrunsOf(
  stats: EmulatorStats,
  rpmOf: (project: string, model: string) => number | undefined,
) {
  let over = 0;
  for (const [project, models] of Object.entries(stats.quotas)) {
    for (const [model, q] of Object.entries(models)) {
      const rpm = rpmOf(project, model);
      if (rpm !== undefined) over += Math.max(0, q.maxAdmittedPerMinute - rpm);
    }
  }
  return over + (stats.byReason.RATE_LIMIT_MINUTE ?? 0) + (stats.byReason.RATE_LIMIT_TOKENS ?? 0);
}

export async function checkInvariants(o: {
  runId: string;
  tgids: number[];
  redis: Redis;
  runs: RunSummaryStore;
  /** Every worker process's output lines (killed ones included). */
  workerLogs: readonly (readonly string[])[];
  emulatorStats: () => Promise<EmulatorStats>;
  /** Key prefix of records (RECS_REDIS_NAMESPACE + `recommendations:user:`). */
  recordPrefix?: string;
  /** The emulator's RPM per project+model (for overruns; without it only 429s count). */
  rpmOf?: (project: string, model: string) => number | undefined;
}): Promise<Invariants> {
  const { runId, tgids } = o;
  const prefix = o.recordPrefix ?? 'recommendations:user:';
  const problems: string[] = [];
  let gemini = 0;
  let stale = 0;
  let rules = 0;
  let fresh = 0;
  let missing = 0;
  const missingTgids: number[] = [];
  let unknown = 0;
  const storedThisRun: number[] = [];
  for (let i = 0; i < tgids.length; i += 500) {
    const chunk = tgids.slice(i, i + 500);
    const values = await o.redis.mget(...chunk.map((t) => `${prefix}${t}`));
    values.forEach((v, j) => {
      if (v === null) {
        missing++;
        missingTgids.push(chunk[j]!);
        return;
      }
      const r = JSON.parse(v) as Record_;
      if (r.stale) stale++;
      else if (r.source === 'rules') rules++;
      else if (r.source === 'gemini' && r.run_id === runId) {
        gemini++;
        storedThisRun.push(chunk[j]!);
      } else if (r.source === 'gemini') fresh++;
      else unknown++;
    });
  }
  if (missing)
    problems.push(`${missing} users without a record (e.g. ${missingTgids.slice(0, 5).join(', ')})`);
  if (unknown) problems.push(`${unknown} users with a record of unknown source`);

  const summary = await o.runs.get(runId);
  let summaryAddsUp = false;
  if (!summary) problems.push(`no run summary for ${runId}`);
  else {
    const s = summary;
    const checks: [boolean, string][] = [
      [s.finished_at !== null, 'run not finished'],
      [s.total === tgids.length, `total ${s.total} ≠ ${tgids.length} active users`],
      [s.enqueued === s.total, `enqueued ${s.enqueued} ≠ total ${s.total}`],
      [
        s.succeeded + s.skipped + s.failed === s.enqueued,
        `succeeded ${s.succeeded} + skipped ${s.skipped} + failed ${s.failed} ≠ enqueued ${s.enqueued}`,
      ],
      [
        s.fallback === s.fallback_stale + s.fallback_rules,
        `fallback ${s.fallback} ≠ stale ${s.fallback_stale} + rules ${s.fallback_rules}`,
      ],
      [s.failed === s.fallback, `${s.failed - s.fallback} failed users got no fallback record`],
    ];
    for (const [ok, msg] of checks) if (!ok) problems.push(`summary: ${msg}`);
    summaryAddsUp = checks.every(([ok]) => ok);
    // The summary agrees with the records.
    if (s.succeeded + s.skipped !== gemini)
      problems.push(
        `summary says ${s.succeeded} succeeded + ${s.skipped} skipped, records show ${gemini} gemini`,
      );
    if (s.fallback_stale !== stale)
      problems.push(`summary says ${s.fallback_stale} stale, records show ${stale}`);
    if (s.fallback_rules !== rules)
      problems.push(`summary says ${s.fallback_rules} rules, records show ${rules}`);
  }

  const markers = runMarkers(o.workerLogs, runId, 'recommendation cached');
  const answers = runMarkers(o.workerLogs, runId, 'recommendation generated');
  const duplicateTgids = [...markers.entries()].filter(([, n]) => n > 1).map(([t]) => t);
  if (duplicateTgids.length)
    problems.push(
      `${duplicateTgids.length} users generated more than once (e.g. ${duplicateTgids.slice(0, 5).join(', ')})`,
    );
  const recoveredMarkers = runMarkers(o.workerLogs, runId, 'recommendation recovered');
  const unaccountedTgids = storedThisRun.filter((t) => !markers.has(t) && !recoveredMarkers.has(t));
  if (unaccountedTgids.length)
    problems.push(
      `${unaccountedTgids.length} records of this run that no worker logged storing (e.g. ${unaccountedTgids.slice(0, 5).join(', ')})`,
    );
  const sum = (m: Map<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const generations = sum(markers);
  const acceptedAnswers = sum(answers);

  const stats = await o.emulatorStats();
  const overruns = overrunsOf(stats, o.rpmOf ?? (() => undefined));
  if (overruns) problems.push(`${overruns} overruns at the emulator`);

  return {
    runId,
    users: tgids.length,
    gemini,
    stale,
    rules,
    fresh,
    other: unknown,
    missing,
    failed: summary?.failed ?? 0,
    duplicates: duplicateTgids.length,
    duplicateTgids,
    generations,
    recovered: sum(recoveredMarkers),
    unaccountedTgids,
    acceptedAnswers,
    okCalls: stats.byReason.ok ?? 0,
    rateLimitedDay: stats.byReason.RATE_LIMIT_DAY ?? 0,
    overruns,
    summaryAddsUp,
    summary,
    problems,
  };
}
