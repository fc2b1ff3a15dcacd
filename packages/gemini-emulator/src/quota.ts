import type { ModelLimits } from './config.ts';
import { PacificDayCache } from './pacific.ts';
import { RollingWindow } from './window.ts';

export type QuotaWindow = 'minute' | 'day' | 'tokens';

export type Admission =
  | { admitted: true }
  | { admitted: false; window: QuotaWindow; limit: number; retryDelayMs: number };

interface DayCount {
  /** Requests that reached the quota check (admitted or not). */
  requests: number;
  admitted: number;
  rateLimited: number;
}

/** Quota state and observations of one (project, model). */
class ProjectModelQuota {
  readonly admitted = new RollingWindow();
  readonly tokens = new RollingWindow();
  readonly seen = new RollingWindow();
  day = '';
  admittedToday = 0;
  maxSeenPerMinute = 0;
  maxAdmittedPerMinute = 0;
  readonly days = new Map<string, DayCount>();
}

export interface ProjectModelStats {
  /** Most requests that reached this project+model inside any rolling 60 s window (429s included). */
  maxRequestsPerMinute: number;
  /** Most admitted (not rate-limited) requests inside any rolling 60 s window. */
  maxAdmittedPerMinute: number;
  /** Requests in the 60 s window ending now. */
  requestsLastMinute: number;
  /** Per Pacific day: requests seen, admitted, rejected with 429. */
  days: Record<string, DayCount>;
}

/**
 * Per-project, per-model quotas as Google applies them: requests per rolling minute, requests per
 * Pacific day, optional input tokens per rolling minute. Only admitted requests consume quota: a
 * request answered 429 does not push the window further (Google's quota system rejects before
 * charging), and requests rejected for their key never reach a project at all. Admitted requests
 * count even if a fault (5xx, hang) follows, as they did reach the model.
 */
export class QuotaTracker {
  readonly #state = new Map<string, ProjectModelQuota>();
  readonly #days = new PacificDayCache();

  #get(project: string, model: string): ProjectModelQuota {
    const id = `${project}\u0000${model}`;
    let s = this.#state.get(id);
    if (!s) {
      s = new ProjectModelQuota();
      this.#state.set(id, s);
    }
    return s;
  }

  #rollDay(s: ProjectModelQuota, now: number): { day: string; end: number; counts: DayCount } {
    const { day, end } = this.#days.at(now);
    if (s.day !== day) {
      s.day = day;
      s.admittedToday = 0;
    }
    let counts = s.days.get(day);
    if (!counts) {
      counts = { requests: 0, admitted: 0, rateLimited: 0 };
      s.days.set(day, counts);
    }
    return { day, end, counts };
  }

  admit(project: string, model: string, limits: ModelLimits, now: number, promptTokens: number): Admission {
    const s = this.#get(project, model);
    const { end, counts } = this.#rollDay(s, now);
    s.seen.add(now);
    s.maxSeenPerMinute = Math.max(s.maxSeenPerMinute, s.seen.count(now));
    counts.requests++;
    const reject = (window: QuotaWindow, limit: number, retryAt: number): Admission => {
      counts.rateLimited++;
      return { admitted: false, window, limit, retryDelayMs: Math.max(0, retryAt - now) };
    };
    if (s.admittedToday >= limits.rpd) return reject('day', limits.rpd, end);
    if (s.admitted.count(now) >= limits.rpm)
      return reject('minute', limits.rpm, s.admitted.freeAt(now, limits.rpm));
    if (limits.tpm !== undefined && s.tokens.sum(now) + promptTokens > limits.tpm) {
      return reject('tokens', limits.tpm, s.tokens.freeAt(now, limits.tpm, promptTokens));
    }
    s.admitted.add(now);
    s.tokens.add(now, promptTokens);
    s.admittedToday++;
    counts.admitted++;
    s.maxAdmittedPerMinute = Math.max(s.maxAdmittedPerMinute, s.admitted.count(now));
    return { admitted: true };
  }

  /** Uses up a window now, as if the project had spent it elsewhere (chaos tests). */
  exhaust(project: string, model: string, limits: ModelLimits, window: 'day' | 'minute', now: number): void {
    const s = this.#get(project, model);
    this.#rollDay(s, now);
    if (window === 'day') s.admittedToday = Math.max(s.admittedToday, limits.rpd);
    else for (let n = s.admitted.count(now); n < limits.rpm; n++) s.admitted.add(now);
  }

  stats(now: number): Record<string, Record<string, ProjectModelStats>> {
    const out: Record<string, Record<string, ProjectModelStats>> = {};
    for (const [id, s] of this.#state) {
      const [project, model] = id.split('\u0000') as [string, string];
      out[project] ??= {};
      out[project][model] = {
        maxRequestsPerMinute: s.maxSeenPerMinute,
        maxAdmittedPerMinute: s.maxAdmittedPerMinute,
        requestsLastMinute: s.seen.count(now),
        days: Object.fromEntries([...s.days].map(([d, c]) => [d, { ...c }])),
      };
    }
    return out;
  }

  reset(): void {
    this.#state.clear();
  }
}
