import { describe, expect, it } from '@jest/globals';
import { RollingWindow } from './window.ts';

describe('RollingWindow', () => {
  it('counts events younger than 60 s', () => {
    const w = new RollingWindow();
    w.add(0);
    w.add(30_000);
    expect(w.count(59_999)).toBe(2);
    expect(w.count(60_000)).toBe(1); // the event at 0 is exactly 60 s old: out
    expect(w.count(90_000)).toBe(0);
  });

  it('freeAt: when the oldest events leave enough room', () => {
    const w = new RollingWindow();
    for (const t of [0, 10_000, 20_000]) w.add(t);
    expect(w.freeAt(25_000, 3)).toBe(60_000);
    expect(w.freeAt(25_000, 4)).toBe(25_000);
    const tokens = new RollingWindow();
    tokens.add(0, 50);
    tokens.add(5_000, 50);
    expect(tokens.freeAt(10_000, 120, 60)).toBe(60_000);
    expect(tokens.freeAt(10_000, 120, 80)).toBe(65_000);
    expect(tokens.freeAt(10_000, 100, 500)).toBe(70_000); // larger than the limit itself: a full window
  });

  it('stays correct across compaction', () => {
    const w = new RollingWindow();
    for (let t = 0; t < 10_000; t++) w.add(t * 100);
    expect(w.count(999_900)).toBe(600);
    expect(w.sum(999_900)).toBe(600);
  });
});
