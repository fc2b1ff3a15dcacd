import type { ReadinessCheck } from '../ports.ts';

export interface CheckResult {
  ok: boolean;
  latency_ms: number;
  error?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<ReadinessCheck['name'], CheckResult>;
  /** What failed, for the 503's message (`redis`, `postgres`, `shutting down`). */
  failed: string[];
}

/**
 * /readyz: every dependency must answer within `timeoutMs` — a slow dependency is as useless to a
 * request as a dead one. While the process drains for shutdown it reports not ready, so a load
 * balancer stops sending traffic before the listener closes.
 */
export class Readiness {
  readonly #checks: readonly ReadinessCheck[];
  readonly #timeoutMs: number;
  #draining = false;

  constructor(checks: readonly ReadinessCheck[], timeoutMs: number) {
    this.#checks = checks;
    this.#timeoutMs = timeoutMs;
  }

  drain(): void {
    this.#draining = true;
  }

  async probe(): Promise<ReadinessReport> {
    const entries = await Promise.all(this.#checks.map(async (c) => [c.name, await this.#run(c)] as const));
    const checks = Object.fromEntries(entries) as ReadinessReport['checks'];
    const failed = entries.filter(([, r]) => !r.ok).map(([name]) => name as string);
    if (this.#draining) failed.push('shutting down');
    return { ready: failed.length === 0, checks, failed };
  }

  async #run(c: ReadinessCheck): Promise<CheckResult> {
    const started = performance.now();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`no answer within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
    });
    try {
      await Promise.race([c.check(controller.signal), timeout]);
      return { ok: true, latency_ms: elapsed(started) };
    } catch (err) {
      return { ok: false, latency_ms: elapsed(started), error: (err as Error).message || String(err) };
    } finally {
      clearTimeout(timer);
    }
  }
}

const elapsed = (since: number) => Math.round((performance.now() - since) * 100) / 100;
