import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnNodeTs } from '@mealwise/testing';
import { fakeKeys, PoolHarness } from './helpers.ts';

const h = new PoolHarness();
afterAll(() => h.close());
const HAMMER = new URL('./fixtures/hammer.ts', import.meta.url).pathname;
const WINDOW = 60_000;

interface Result {
  pid: number;
  admissions: { project: string; at: number }[];
  refusals: number;
}

async function hammer(env: Record<string, string>, processes = 2): Promise<Result[]> {
  const children = Array.from({ length: processes }, () => spawnNodeTs(HAMMER, [], { env }));
  try {
    await Promise.all(children.map((c) => c.waitForLine('ready', 30_000)));
    const lines = await Promise.all(children.map((c) => c.waitForLine(/^result /, 60_000)));
    const codes = await Promise.all(children.map((c) => c.exited));
    expect(codes).toEqual(children.map(() => 0));
    return lines.map((l) => JSON.parse(l.slice('result '.length)) as Result);
  } finally {
    for (const c of children) c.kill();
  }
}

/** Most admissions of one project inside any 60 s window [a, a + 60 s). */
function maxInAnyWindow(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi]! - sorted[lo]! >= WINDOW) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

function byProject(results: Result[]): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const r of results)
    for (const a of r.admissions) m.set(a.project, [...(m.get(a.project) ?? []), a.at]);
  return m;
}

describe('two real processes hammering acquire', () => {
  it('never admit more than RPM in any 60 s window, by Redis TIME', async () => {
    const keys = fakeKeys(2, 2);
    const results = await hammer({
      PREFIX: h.newPrefix(),
      KEYS: JSON.stringify(keys),
      RPM: '4',
      RPD: '1000',
      START_AT: String(Date.now() + 2000),
      DURATION_MS: '1500',
      CONCURRENCY: '8',
    });
    const projects = byProject(results);
    // Within 1.5 s no slot frees: exactly RPM per project, however the two processes raced.
    expect([...projects.keys()].sort()).toEqual(['p1', 'p2']);
    for (const times of projects.values()) {
      expect(times).toHaveLength(4);
      expect(maxInAnyWindow(times)).toBe(4);
    }
    expect(results.every((r) => r.refusals > 0)).toBe(true);
  }, 90_000);

  it('never exceed it across sliding windows either (shared clock running 30x)', async () => {
    const keys = fakeKeys(2);
    const t0 = Date.now();
    const results = await hammer({
      PREFIX: h.newPrefix(),
      KEYS: JSON.stringify(keys),
      RPM: '3',
      RPD: '1000',
      START_AT: String(t0 + 2000),
      DURATION_MS: '5000',
      CONCURRENCY: '6',
      SPEED: '30',
      T0_VIRTUAL: String(Date.parse('2026-05-01T12:00:00Z')),
      T0_REAL: String(t0),
    });
    const projects = byProject(results);
    // 5 s at 30x = 150 virtual seconds: at least two full windows per project.
    for (const times of projects.values()) {
      expect(maxInAnyWindow(times)).toBeLessThanOrEqual(3);
      expect(times.length).toBeGreaterThanOrEqual(6);
    }
  }, 90_000);
});
