import { afterEach, describe, expect, it } from '@jest/globals';
import type { FaultKind } from '@mealwise/gemini-emulator';
import { sampleStats } from '@mealwise/recs/testing';
import { GenerationFailedError, InvalidAnswerError, type InvalidAnswerReason } from '../src/index.ts';
import { type Harness, harness } from './helpers/setup.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const shapes: [FaultKind, InvalidAnswerReason][] = [
  ['malformed', 'json'],
  ['wrongSchema', 'schema'],
  ['maxTokens', 'max_tokens'],
  ['safety', 'safety'],
  ['blocked', 'no_candidates'],
  ['empty', 'empty'],
];

describe('invalid answers from the emulator, through the real SDK', () => {
  it.each(shapes)('%s once → one more call, which succeeds', async (fault) => {
    h = await harness({ emulator: { faults: { script: [fault] } } });
    const rec = await h.generator.generateRecommendation(sampleStats());
    expect(rec.attempts).toBe(2);
    // The key worked and tokens were spent: a success for the pool, never held against the key.
    expect(h.pool.reports.map((r) => r.outcome.kind)).toEqual(['success', 'success']);
    expect(h.sleeps).toEqual([]);
  });

  it.each(shapes)('%s twice → GenerationFailedError(%s), not retryable', async (fault, reason) => {
    h = await harness({ emulator: { faults: { script: [fault, fault, 'ok'] } } });
    const err = await h.generator.generateRecommendation(sampleStats()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenerationFailedError);
    expect(err).toMatchObject({ retryable: false, attempts: 2 });
    const last = (err as GenerationFailedError).lastError;
    expect(last).toBeInstanceOf(InvalidAnswerError);
    expect(last).toMatchObject({ reason });
    expect(h.emulator.stats().requests).toBe(2);
  });

  it('accepts an answer wrapped in a ```json fence', async () => {
    h = await harness({ emulator: { faults: { script: ['fenced'] } } });
    const rec = await h.generator.generateRecommendation(sampleStats());
    expect(rec.attempts).toBe(1);
    expect(rec.tips.length).toBeGreaterThanOrEqual(2);
  });

  it('a maxOutputTokens too small for the answer is a max_tokens failure', async () => {
    h = await harness({ generator: { maxOutputTokens: 20 } });
    const err = await h.generator.generateRecommendation(sampleStats()).catch((e: unknown) => e);
    expect((err as GenerationFailedError).lastError).toMatchObject({ reason: 'max_tokens' });
  });
});
