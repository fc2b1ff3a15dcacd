// What every scenario file does around its faults: stop its stack, wait on the batch, find users
// by record, assert the invariants and the secrets scan, and fill the report row's common columns.
import { expect } from '@jest/globals';
import { waitFor } from '@mealwise/testing';
import { type Invariants, reapAll, type Stack } from '../../src/harness/index.ts';

/** For `afterAll`: stop the stack, then SIGKILL whatever survived (a hung child must not outlive Jest). */
export async function tearDown(stack: Stack | undefined): Promise<void> {
  await stack?.stop();
  await reapAll();
}

/**
 * Polls `check` every 100 ms until it holds. Errors count as "not yet": mid-fault (Redis
 * restarting, PostgreSQL cut) reading the state may fail, and that is what is being waited out.
 */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  await waitFor(check, { timeoutMs, intervalMs: 100 });
}

/** Until `fraction` (0..1) of the run's users are counted. */
export async function waitForProgress(stack: Stack, runId: string, fraction: number, timeoutMs: number) {
  await waitUntil(async () => (await stack.progress(runId)) >= fraction, timeoutMs);
}

const hasRecord = async (stack: Stack, tgid: number) =>
  (await stack.redis.exists(`${stack.recordPrefix}${tgid}`)) === 1;

/** A user whose record is already written: an API cache hit. */
export async function firstWithRecord(stack: Stack): Promise<number> {
  for (const t of stack.tgids) if (await hasRecord(stack, t)) return t;
  throw new Error('no record yet');
}

/** A user the batch has not reached yet: an API cache miss. */
export async function lastWithoutRecord(stack: Stack): Promise<number> {
  for (const t of [...stack.tgids].reverse()) if (!(await hasRecord(stack, t))) return t;
  throw new Error('every user has a record already');
}

/** The invariants every scenario holds to: no problem, every user there, none twice, no overrun. */
export function expectSound(inv: Invariants, users: number, more: Partial<Invariants> = {}): void {
  expect(inv.problems).toEqual([]);
  expect(inv).toMatchObject({ users, missing: 0, duplicates: 0, overruns: 0, ...more });
}

/** Scans every artifact, Redis and /metrics for the stack's secrets; none may be found. */
export async function expectNoSecrets(stack: Stack): Promise<number> {
  const hits = await stack.scanSecrets();
  expect(hits).toEqual([]);
  return hits.length;
}

/** The report row's columns that come straight from the invariants. */
export function invariantColumns(inv: Invariants) {
  const { stale, rules, failed, missing, duplicates, overruns } = inv;
  return { stale, rules, failed, missing, duplicates, overruns };
}

/**
 * The opening of the outage scenarios: the API and two workers up, a batch triggered and 10 % of
 * the way through, and a user it has already written (the API's cache hit through the outage).
 */
export async function batchUnderWay(stack: Stack) {
  const [api] = await Promise.all([stack.startApi(), stack.startWorker(), stack.startWorker()]);
  const auth = { authorization: `Bearer ${stack.tokens.api}` };
  const t0 = Date.now();
  const runId = await stack.triggerBatch();
  await waitForProgress(stack, runId, 0.1, 120_000);
  const hitTgid = await firstWithRecord(stack);
  return { api, auth, t0, runId, hitTgid };
}
