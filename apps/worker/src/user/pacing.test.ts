import { describe, expect, it } from '@jest/globals';
import { captureLogger } from '@mealwise/logging/testing';
import { RateLimitError } from 'bullmq';
import { generationDeadlineFor } from '../build.ts';
import { lockDurationFor } from '../service.ts';
import { Pacing } from './pacing.ts';
import type { ClassifiedFailure } from './ports.ts';

/** A stand-in for the queue's manual rate limit: one key with a TTL, as BullMQ keeps it. */
function fakeQueue(clock: { now: number }) {
  let until = 0;
  const calls: number[] = [];
  return {
    calls,
    async rateLimit(ms: number) {
      calls.push(ms);
      until = clock.now + ms;
    },
    async getRateLimitTtl() {
      return Math.max(0, until - clock.now);
    },
  };
}

function setup() {
  const clock = { now: 1_000_000 };
  const queue = fakeQueue(clock);
  const { logger, lines } = captureLogger();
  const paused: string[] = [];
  const pacing = new Pacing({
    queue,
    maxPauseMs: 60_000,
    configRecheckMs: 300_000,
    logger,
    now: () => clock.now,
    onPause: (f) => paused.push(f.reason),
  });
  return { clock, queue, lines, pacing, paused };
}

const noCapacity = (over: Partial<ClassifiedFailure>): ClassifiedFailure => ({
  kind: 'no_capacity',
  retryAt: null,
  reason: 'rate_limited',
  message: 'All Gemini projects are at their per-minute limit for this model.',
  ...over,
});

describe('Pacing', () => {
  it('pauses until the pool says, bounded by maxPauseMs and at least 50 ms; prefers Redis’ own delay', () => {
    const { pacing, clock } = setup();
    expect(pacing.pauseMs(noCapacity({ retryAt: clock.now + 1_234 }))).toBe(1_234);
    expect(pacing.pauseMs(noCapacity({ retryAt: clock.now + 5 * 3_600_000 }))).toBe(60_000);
    expect(pacing.pauseMs(noCapacity({ retryAt: clock.now - 10 }))).toBe(50);
    // This host's clock is 10 s behind Redis': retryAt looks 10 s further than it is.
    expect(pacing.pauseMs(noCapacity({ retryAt: clock.now + 10_700, retryAfterMs: 700 }))).toBe(700);
    expect(pacing.pauseMs({ ...noCapacity({}), kind: 'config', reason: 'all_invalid' })).toBe(300_000);
  });

  it('throws RateLimitError after pausing, and only ever extends a pause', async () => {
    const { pacing, queue, clock, paused } = setup();
    const config: ClassifiedFailure = { kind: 'config', retryAt: null, reason: 'all_invalid', message: 'x' };
    await expect(pacing.pause(config, {})).rejects.toBeInstanceOf(RateLimitError);
    // A short pause asked meanwhile must not cut the long one.
    await expect(pacing.pause(noCapacity({ retryAt: clock.now + 200 }), {})).rejects.toBeInstanceOf(
      RateLimitError,
    );
    expect(queue.calls).toEqual([300_000]);
    clock.now += 300_000;
    await expect(pacing.pause(noCapacity({ retryAt: clock.now + 200 }), {})).rejects.toThrow();
    expect(queue.calls).toEqual([300_000, 200]);
    expect(paused).toEqual(['all_invalid', 'rate_limited', 'rate_limited']);
  });

  it('logs one line per pause window: error for configuration, warn for the day’s quota, debug for the minute', async () => {
    const { pacing, lines, clock } = setup();
    const config: ClassifiedFailure = {
      kind: 'config',
      retryAt: null,
      reason: 'model_not_found',
      message: 'Gemini model "m" is not found',
    };
    for (let i = 0; i < 8; i++) await pacing.pause(config, { tgid: i }).catch(() => {});
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      message: 'generation stopped: Gemini model "m" is not found — re-checking in 300 s',
      reason: 'model_not_found',
    });
    clock.now += 300_000;
    await pacing.pause(config, {}).catch(() => {});
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(2);
    clock.now += 300_000;
    await pacing
      .pause(noCapacity({ reason: 'quota_exhausted', retryAt: clock.now + 9e6, message: 'q' }), {})
      .catch(() => {});
    clock.now += 60_000;
    await pacing.pause(noCapacity({ retryAt: clock.now + 100 }), {}).catch(() => {});
    expect(lines.slice(2).map((l) => [l.level, l.message])).toEqual([
      ['warn', 'no Gemini capacity: queue paused'],
      ['debug', 'per-minute limit reached: queue paused'],
    ]);
  });
});

describe('deadlines', () => {
  it('the job deadline is below the lock duration, the generation’s below the job’s', () => {
    for (const t of [1_000, 4_000, 20_000, 90_000, 3_600_000]) {
      expect(lockDurationFor(t)).toBeGreaterThan(t);
      expect(lockDurationFor(t) - t).toBeLessThanOrEqual(30_000);
      expect(generationDeadlineFor(t)).toBeLessThan(t);
      expect(generationDeadlineFor(t)).toBeGreaterThanOrEqual(t * 0.75);
    }
    expect(lockDurationFor(90_000)).toBe(120_000);
    expect(generationDeadlineFor(90_000)).toBe(85_000);
  });
});
