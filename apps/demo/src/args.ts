import { parseArgs } from 'node:util';

export const USAGE = `usage: pnpm demo [--ci] [--stay] [--users N] [--api-port P] [--timeout S]

Runs mealwise on this machine, offline: a seeded demo database, the Gemini emulator, the API and
one worker; runs one batch with a progress bar; prints the run summary, the key pool, one user's
recommendation and the URLs (API, OpenAPI docs, Bull Board) with this run's credentials. The
services keep running until Ctrl-C, which stops exactly the processes the demo started.

  --ci          non-interactive: no progress bar, exit after printing (non-zero if anything failed)
  --stay        with --ci: keep the services running until SIGINT/SIGTERM anyway
  --users N     demo users to seed (default 350: about 180 of them are active)
  --api-port P  the API's port (default 3000, or a free one when 3000 is taken; 0 = any free port)
  --timeout S   give up on the batch after S seconds (default 300)

Environment: MEALWISE_DEMO_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/mealwise_demo),
MEALWISE_DEMO_REDIS_URL (default redis://127.0.0.1:6379/1 — the demo owns that Redis database).`;

export interface DemoArgs {
  ci: boolean;
  stay: boolean;
  users: number;
  /** null: 3000 when free, otherwise any free port. */
  apiPort: number | null;
  timeoutSec: number;
  help: boolean;
}

export class DemoUsageError extends Error {
  readonly code = 'DEMO_USAGE';
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

function int(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new DemoUsageError(`--${name} must be an integer from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

export function parseDemoArgs(argv: string[]): DemoArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        ci: { type: 'boolean' },
        stay: { type: 'boolean' },
        users: { type: 'string' },
        'api-port': { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    throw new DemoUsageError((err as Error).message);
  }
  const ci = Boolean(values.ci);
  return {
    ci,
    stay: !ci || Boolean(values.stay),
    users: int('users', values.users as string | undefined, 10, 100_000) ?? 350,
    apiPort: int('api-port', values['api-port'] as string | undefined, 0, 65_535) ?? null,
    timeoutSec: int('timeout', values.timeout as string | undefined, 10, 86_400) ?? 300,
    help: Boolean(values.help),
  };
}
