import { describe, expect, it } from '@jest/globals';
import { AllKeysExhaustedError, NoCapacityError } from './errors.ts';
import { acquireWithFallback } from './fallback.ts';
import type { KeySource, Lease } from './types.ts';

// A typed fake of the pool: each model either leases or throws the given error.
function source(behaviour: Record<string, Error | 'ok'>): KeySource & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async acquire(model) {
      asked.push(model);
      const b = behaviour[model];
      if (b === 'ok')
        return { model, fingerprint: 'f', project: 'p', admittedAt: 0, id: 'i', reservedTokens: 0 } as Lease;
      throw b;
    },
    async report() {},
  };
}

describe('acquireWithFallback', () => {
  it('moves to the next model only when a model is out for the day', async () => {
    const s = source({ a: new AllKeysExhaustedError('a', 100), b: 'ok' });
    expect((await acquireWithFallback(s, ['a', 'b'])).model).toBe('b');
    expect(s.asked).toEqual(['a', 'b']);
  });

  it('waits for a rate-limited model instead of downgrading', async () => {
    const limited = new NoCapacityError('rate_limited', 'a', 5);
    const s = source({ a: limited, b: 'ok' });
    await expect(acquireWithFallback(s, ['a', 'b'])).rejects.toBe(limited);
    expect(s.asked).toEqual(['a']);
  });

  it('throws the exhaustion that ends first when every model is out', async () => {
    const early = new AllKeysExhaustedError('b', 50);
    const s = source({ a: new AllKeysExhaustedError('a', 100), b: early });
    await expect(acquireWithFallback(s, ['a', 'b'])).rejects.toBe(early);
  });

  it('passes other errors through', async () => {
    const invalid = new NoCapacityError('all_invalid', 'a', null);
    await expect(acquireWithFallback(source({ a: invalid }), ['a', 'b'])).rejects.toBe(invalid);
    const boom = new Error('redis');
    await expect(acquireWithFallback(source({ a: boom }), ['a'])).rejects.toBe(boom);
  });
});
