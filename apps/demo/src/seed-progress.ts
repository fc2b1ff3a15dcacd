import type { SeedProgress } from '@mealwise/db';
import cliProgress from 'cli-progress';

/** Seeding progress: a bar on a terminal (as `mealwise db seed` draws it), a line per phase otherwise. */
export function seedReporter(interactive: boolean, say: (s: string) => void) {
  if (interactive) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: '  seeding [{bar}] {percentage}% | {phase}',
        hideCursor: true,
        clearOnComplete: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(100, 0, { phase: 'users' });
    return {
      update: (p: SeedProgress) => bar.update(Math.round(p.fraction * 100), { phase: p.phase }),
      stop: () => bar.stop(),
    };
  }
  let phase = '';
  return {
    update: (p: SeedProgress) => {
      if (p.phase === phase) return;
      phase = p.phase;
      say(`  seeding: ${p.phase}`);
    },
    stop: () => {},
  };
}
