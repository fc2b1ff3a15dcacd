import { afterEach, describe, expect, it } from '@jest/globals';
import { sampleStats } from '@mealwise/recs/testing';
import { GeminiError, GenerationFailedError } from '../src/index.ts';
import { makeKeys } from './helpers/fake-key-source.ts';
import { type Harness, harness } from './helpers/setup.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('every fault the emulator produces, mixed', () => {
  it('is survived and told apart: each emulator reason matches one classified outcome', async () => {
    const keys = makeKeys(4);
    h = await harness({
      keys,
      emulator: {
        seed: 14, // deterministic: with this seed every fault kind occurs (checked below)
        faults: {
          rates: {
            unavailable: 0.06,
            internal: 0.04,
            hang: 0.03,
            malformed: 0.04,
            wrongSchema: 0.04,
            maxTokens: 0.04,
            safety: 0.03,
            blocked: 0.03,
            empty: 0.03,
            fenced: 0.05,
          },
        },
      },
      generator: { timeoutMs: 200, maxAttempts: 8 },
    });
    h.emulator.configure({ keys: { [keys[3]!.key]: { state: 'leaked' } } });

    let ok = 0;
    let failed = 0;
    for (let i = 0; i < 60; i++) {
      try {
        const rec = await h.generator.generateRecommendation(sampleStats(), { tgid: i });
        expect(rec.tips.length).toBeGreaterThanOrEqual(2);
        ok++;
      } catch (err) {
        // Only an answer invalid twice in a row may end a generation here; nothing untyped escapes.
        expect(err).toBeInstanceOf(GenerationFailedError);
        expect((err as GenerationFailedError).lastError).toBeInstanceOf(GeminiError);
        expect((err as GenerationFailedError).retryable).toBe(false);
        failed++;
      }
    }
    expect(ok).toBeGreaterThan(45);
    expect(ok + failed).toBe(60);

    const byReason = h.emulator.stats().byReason;
    const outcomes = h.pool.reports.map((r) =>
      r.outcome.kind === 'neutral' || r.outcome.kind === 'invalid_key'
        ? `${r.outcome.kind}:${r.outcome.reason}`
        : r.outcome.kind,
    );
    const count = (what: string) => outcomes.filter((o) => o === what).length;
    const n = (reason: string) => byReason[reason] ?? 0;
    expect(count('neutral:http_503')).toBe(n('UNAVAILABLE'));
    expect(count('neutral:http_500')).toBe(n('INTERNAL'));
    expect(count('neutral:timeout')).toBe(n('hang'));
    expect(count('invalid_key:LEAKED')).toBe(n('LEAKED'));
    expect(n('LEAKED')).toBe(1); // the pool dropped the key after its first refusal
    const answered = ['ok', 'fenced', 'malformed', 'wrongSchema', 'maxTokens', 'safety', 'blocked', 'empty'];
    expect(count('success')).toBe(answered.reduce((sum, r) => sum + n(r), 0));

    // Invalid answers are told apart by reason in the per-call log lines.
    await new Promise((r) => setImmediate(r));
    const details = h.logs
      .map((l) => JSON.parse(l) as { message: string; detail?: string })
      .filter((l) => l.message === 'gemini call failed')
      .map((l) => l.detail);
    const logged = (d: string) => details.filter((x) => x === d).length;
    expect(logged('json')).toBe(n('malformed'));
    expect(logged('schema')).toBe(n('wrongSchema'));
    expect(logged('max_tokens')).toBe(n('maxTokens'));
    expect(logged('safety')).toBe(n('safety'));
    expect(logged('no_candidates')).toBe(n('blocked'));
    expect(logged('empty')).toBe(n('empty'));
    expect(logged('timeout')).toBe(n('hang'));
    // The seed produced every fault at least once, so every branch above was exercised.
    const all = [
      'UNAVAILABLE',
      'INTERNAL',
      'hang',
      'malformed',
      'wrongSchema',
      'maxTokens',
      'safety',
      'blocked',
      'empty',
      'fenced',
    ];
    expect(all.filter((r) => n(r) === 0)).toEqual([]);
  });
});
