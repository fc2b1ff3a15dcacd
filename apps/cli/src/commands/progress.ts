import type { SeedProgress } from '@mealwise/db';
import cliProgress from 'cli-progress';
import type { CliContext } from '../context.ts';

export interface SeedProgressReporter {
  onProgress(p: SeedProgress): void;
  stop(): void;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * How `db seed` shows progress: a redrawn bar when stderr is a terminal; a plain line per phase
 * and per 10 % otherwise (CI logs, pipes); nothing with --json, whose consumers read stdout only.
 */
export function seedProgress(ctx: CliContext, json: boolean): SeedProgressReporter {
  if (json) return { onProgress: () => {}, stop: () => {} };
  if (ctx.errIsTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: 'seeding [{bar}] {percentage}% | {phase} | users {users} · orders {orders} · items {items}',
        hideCursor: true,
        clearOnComplete: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(100, 0, { phase: 'users', users: '0', orders: '0', items: '0' });
    return {
      onProgress: (p) =>
        bar.update(Math.round(p.fraction * 100), {
          phase: p.phase,
          users: fmt(p.users),
          orders: fmt(p.orders),
          items: fmt(p.orderItems),
        }),
      stop: () => bar.stop(),
    };
  }
  let last = '';
  return {
    onProgress: (p) => {
      const key = `${p.phase}:${Math.floor(p.fraction * 10)}`;
      if (key === last) return;
      last = key;
      ctx.err(
        `seed: ${p.phase} ${Math.round(p.fraction * 100)}% (users ${fmt(p.users)}, orders ${fmt(p.orders)}, items ${fmt(p.orderItems)})\n`,
      );
    },
    stop: () => {},
  };
}
