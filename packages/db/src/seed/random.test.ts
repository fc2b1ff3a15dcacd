import { describe, expect, it } from '@jest/globals';
import { cumulative, Random } from './random.ts';

describe('Random', () => {
  it('repeats the same sequence for the same seed and streams', () => {
    const a = new Random(42, 7);
    const b = new Random(42, 7);
    const xs = Array.from({ length: 100 }, () => a.nextUint32());
    expect(Array.from({ length: 100 }, () => b.nextUint32())).toEqual(xs);
  });

  it('gives unrelated sequences to neighbouring seeds and streams', () => {
    const first = (r: Random) => Array.from({ length: 8 }, () => r.nextUint32());
    const base = first(new Random(42, 7));
    expect(first(new Random(43, 7))).not.toEqual(base);
    expect(first(new Random(42, 8))).not.toEqual(base);
    expect(first(new Random(42))).not.toEqual(base);
  });

  it('draws integers inside the bounds and reaches both ends', () => {
    const r = new Random(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const x = r.int(3, 7);
      expect(x).toBeGreaterThanOrEqual(3);
      expect(x).toBeLessThanOrEqual(7);
      seen.add(x);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
  });

  it('draws weighted indexes in proportion to the weights', () => {
    const r = new Random(9);
    const cum = cumulative([1, 0, 3]);
    const counts = [0, 0, 0];
    for (let i = 0; i < 20_000; i++) counts[r.weightedIndex(cum)]!++;
    expect(counts[1]).toBe(0);
    expect(counts[2]! / counts[0]!).toBeGreaterThan(2.6);
    expect(counts[2]! / counts[0]!).toBeLessThan(3.4);
  });

  it('next() stays in [0, 1)', () => {
    const r = new Random(5);
    for (let i = 0; i < 10_000; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });
});
