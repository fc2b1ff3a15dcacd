import { randomUUID } from 'node:crypto';
import type { CallOutcome, KeySource, Lease } from '@mealwise/key-pool';
import { createLease, fingerprint, NoCapacityError } from '@mealwise/key-pool';

export interface FakeKey {
  key: string;
  project: string;
}

export interface Report {
  fingerprint: string;
  project: string;
  model: string;
  outcome: CallOutcome;
}

/**
 * A test double for the key pool only (the SDK, sockets and emulator stay real): hands keys out
 * round-robin, records every report, and learns from reports what the real pool learns — an
 * invalid key is dropped, a per-day 429 takes the project+model out, a per-minute 429 cools it —
 * throwing NoCapacityError when nothing is left, as the real pool does.
 */
export class FakeKeySource implements KeySource {
  readonly reports: Report[] = [];
  readonly leases: { fingerprint: string; project: string; model: string }[] = [];
  readonly #keys: (FakeKey & { fingerprint: string })[];
  readonly #invalid = new Set<string>();
  readonly #dayGone = new Set<string>();
  readonly #cooling = new Set<string>();
  #next = 0;
  #failures: Error[] = [];

  constructor(keys: FakeKey[]) {
    this.#keys = keys.map((k) => ({ ...k, fingerprint: fingerprint(k.key) }));
  }

  /** The next `acquire` throws `error` (e.g. a NoCapacityError). */
  failNextAcquire(error: Error): void {
    this.#failures.push(error);
  }

  async acquire(model: string): Promise<Lease> {
    const failure = this.#failures.shift();
    if (failure) throw failure;
    const usable = this.#keys.filter(
      (k) =>
        !this.#invalid.has(k.fingerprint) &&
        !this.#dayGone.has(`${k.project}|${model}`) &&
        !this.#cooling.has(`${k.project}|${model}`),
    );
    if (usable.length === 0) {
      const valid = this.#keys.filter((k) => !this.#invalid.has(k.fingerprint));
      if (valid.length === 0) throw new NoCapacityError('all_invalid', model, null);
      const allDay = valid.every((k) => this.#dayGone.has(`${k.project}|${model}`));
      throw new NoCapacityError(allDay ? 'quota_exhausted' : 'rate_limited', model, Date.now() + 60_000);
    }
    const k = usable[this.#next++ % usable.length]!;
    const lease = createLease(
      {
        fingerprint: k.fingerprint,
        project: k.project,
        model,
        admittedAt: Date.now(),
        id: randomUUID(),
        reservedTokens: 0,
      },
      k.key,
    );
    this.leases.push({ fingerprint: k.fingerprint, project: k.project, model });
    return lease;
  }

  async report(lease: Lease, outcome: CallOutcome): Promise<void> {
    this.reports.push({
      fingerprint: lease.fingerprint,
      project: lease.project,
      model: lease.model,
      outcome,
    });
    const pm = `${lease.project}|${lease.model}`;
    if (outcome.kind === 'invalid_key') this.#invalid.add(lease.fingerprint);
    if (outcome.kind === 'rate_limited') {
      if (outcome.scope === 'day' || outcome.zeroQuota) this.#dayGone.add(pm);
      else this.#cooling.add(pm);
    }
  }
}

/** `n` generated keys, each in its own project `p1..pn` (quotas are per project). */
export const makeKeys = (n: number, prefix = 'p'): FakeKey[] =>
  Array.from({ length: n }, (_, i) => ({ key: `test-key-${randomUUID()}`, project: `${prefix}${i + 1}` }));
