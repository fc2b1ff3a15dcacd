import type { PoolKey } from './keys.ts';
import type { BlockReason, KeyModelUsage, KeyState, KeyStatus, PoolLimits, PoolStatus } from './types.ts';

/** What status-1.lua returns. */
export interface RawStatus {
  now: number;
  day: string;
  reset: number;
  lastKey: string | null;
  projects: {
    name: string;
    models: {
      model: string;
      usedToday: number;
      usedLastMinute: number;
      tokensLastMinute: number;
      windowFreeAt: number | null;
      cooldownUntil: number | null;
      exhaustedUntil: number | null;
      exhaustedReason: string | null;
    }[];
  }[];
  invalid: Record<string, { reason: string; since: number }> | null;
}

const RANK: Record<Exclude<KeyState, 'invalid'>, number> = { available: 0, cooling: 1, exhausted: 2 };

type RawModel = RawStatus['projects'][number]['models'][number];

function usageOf(m: RawModel, limits: PoolLimits, raw: RawStatus): KeyModelUsage {
  const blocks: { reason: BlockReason; until: number | null }[] = [];
  if (m.exhaustedUntil !== null) {
    blocks.push({ reason: (m.exhaustedReason ?? 'daily_quota') as BlockReason, until: m.exhaustedUntil });
  } else if (m.usedToday >= limits.requestsPerDay) {
    blocks.push({ reason: 'daily_limit', until: raw.reset });
  }
  if (m.cooldownUntil !== null) blocks.push({ reason: 'cooldown', until: m.cooldownUntil });
  if (m.windowFreeAt !== null) blocks.push({ reason: 'window_full', until: m.windowFreeAt });
  // Without the next request's estimate the moment tokens free up is unknown: no `until`.
  if (limits.tokensPerMinute !== undefined && m.tokensLastMinute >= limits.tokensPerMinute) {
    blocks.push({ reason: 'tokens', until: null });
  }
  blocks.sort((a, b) => (b.until ?? 0) - (a.until ?? 0));
  const exhausted = blocks.some((b) => ['daily_limit', 'daily_quota', 'zero_quota'].includes(b.reason));
  const state: KeyState = exhausted ? 'exhausted' : blocks.length ? 'cooling' : 'available';
  const untils = blocks.map((b) => b.until).filter((u): u is number => u !== null);
  return {
    model: m.model,
    usedToday: m.usedToday,
    usedLastMinute: m.usedLastMinute,
    tokensLastMinute: m.tokensLastMinute,
    state,
    cooldownUntil: m.cooldownUntil,
    blockedBy: blocks.map((b) => b.reason),
    availableAt: state === 'available' ? null : untils.length ? Math.max(...untils) : null,
  };
}

/** Turns the script's snapshot into the public `PoolStatus`, keys in configuration order. */
export function buildStatus(
  raw: RawStatus,
  keys: readonly PoolKey[],
  models: string[],
  limitsFor: (model: string) => PoolLimits,
  baseLimits: PoolLimits,
): PoolStatus {
  const byProject = new Map(raw.projects.map((p) => [p.name, p]));
  const invalid = raw.invalid ?? {};
  const validProjects = new Set(keys.filter((k) => !invalid[k.fingerprint]).map((k) => k.project));
  const capacityLeftToday: Record<string, number> = {};
  for (const model of models) {
    const limits = limitsFor(model);
    let left = 0;
    for (const p of raw.projects) {
      if (!validProjects.has(p.name)) continue;
      const m = p.models.find((x) => x.model === model);
      if (!m || m.exhaustedUntil !== null) continue;
      left += Math.max(0, limits.requestsPerDay - m.usedToday);
    }
    capacityLeftToday[model] = left;
  }
  const statuses: KeyStatus[] = keys.map((k) => {
    const inv = invalid[k.fingerprint] ?? null;
    const project = byProject.get(k.project);
    const usage = (project?.models ?? []).map((m) => {
      const u = usageOf(m, limitsFor(m.model), raw);
      return inv
        ? { ...u, state: 'invalid' as const, blockedBy: ['invalid' as const], availableAt: null }
        : u;
    });
    let state: KeyState = 'invalid';
    if (!inv) {
      state = usage.reduce<Exclude<KeyState, 'invalid'>>((best, u) => {
        const s = u.state as Exclude<KeyState, 'invalid'>;
        return RANK[s] < RANK[best] ? s : best;
      }, 'exhausted');
    }
    return {
      fingerprint: k.fingerprint,
      project: k.project,
      state,
      models: usage,
      invalid: inv,
    };
  });
  return {
    now: raw.now,
    day: raw.day,
    models,
    limits: baseLimits,
    keys: statuses,
    capacityLeftToday,
    nextReset: raw.reset,
    lastKey: raw.lastKey,
  };
}
