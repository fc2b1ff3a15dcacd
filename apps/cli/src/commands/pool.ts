import {
  KeyPool,
  type KeyStatus,
  type PoolStatus,
  poolOptionsFromEnv,
  type RotationEvent,
} from '@mealwise/key-pool';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import type { CommandModule } from '../program.ts';

function openPool(ctx: CliContext): KeyPool {
  const env = ctx.config.gemini();
  for (const warning of env.GEMINI_API_KEYS.warnings) ctx.logger.warn(`GEMINI_API_KEYS ${warning}`);
  return new KeyPool({ redis: ctx.redis(), logger: ctx.logger, ...poolOptionsFromEnv(env) });
}

/** `45s`, `12m 05s`, `7h 12m`, `2d 3h`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function why(key: KeyStatus, m: KeyStatus['models'][number]): string {
  if (key.invalid) return `invalid: ${key.invalid.reason} since ${utc(key.invalid.since)}`;
  return m.blockedBy.join(', ');
}

function describeEvent(e: RotationEvent): string {
  const who = e.model ? `${e.project}/${e.model}` : `key ${e.fingerprint} (${e.project})`;
  const until = e.until === undefined ? '' : ` until ${utc(e.until)}`;
  return `${utc(e.at)}  ${who} ${e.event}: ${e.reason}${until}`;
}

function printStatus(ctx: CliContext, s: PoolStatus, events: RotationEvent[]): void {
  const { out } = ctx;
  out.line(
    `Gemini key pool — quota day ${s.day} (America/Los_Angeles), resets in ${formatDuration(s.nextReset - s.now)} (${utc(s.nextReset)})`,
  );
  out.line(
    `Limits per project and model: ${s.limits.requestsPerMinute}/rolling 60 s, ${s.limits.requestsPerDay}/day` +
      (s.limits.tokensPerMinute ? `, ${s.limits.tokensPerMinute} input tokens/60 s` : ''),
  );
  const rows: (string | number | null)[][] = [];
  for (const key of s.keys) {
    for (const m of key.models) {
      rows.push([
        key.fingerprint + (key.fingerprint === s.lastKey ? ' *' : ''),
        key.project,
        m.model,
        m.state,
        `${m.usedToday}/${s.limits.requestsPerDay}`,
        `${m.usedLastMinute}/${s.limits.requestsPerMinute}`,
        m.cooldownUntil === null ? null : formatDuration(m.cooldownUntil - s.now),
        m.availableAt === null
          ? m.state === 'available'
            ? 'now'
            : null
          : formatDuration(m.availableAt - s.now),
        why(key, m) || null,
      ]);
    }
  }
  out.table(
    ['fingerprint', 'project', 'model', 'state', 'today', 'last 60 s', 'cooldown', 'back in', 'why'],
    rows,
  );
  out.line('Usage is per project and model: keys of one project share one Google quota.');
  const projects = new Set(s.keys.map((k) => k.project)).size;
  const usable = new Set(s.keys.filter((k) => k.state !== 'invalid').map((k) => k.project)).size;
  out.line(
    `${s.keys.length} keys in ${projects} projects (${usable} with a valid key); ` +
      `states: ${(['available', 'cooling', 'exhausted', 'invalid'] as const)
        .map((st) => `${s.keys.filter((k) => k.state === st).length} ${st}`)
        .join(', ')}`,
  );
  for (const [model, left] of Object.entries(s.capacityLeftToday)) {
    out.line(`Capacity left today for ${model}: ${left} of ${projects * s.limits.requestsPerDay} requests`);
  }
  out.line(`Last key handed out: ${s.lastKey ?? 'none yet'}${s.lastKey ? ' (marked *)' : ''}`);
  if (events.length) {
    out.line('Recent rotation events (newest first):');
    for (const e of events) out.line(`  ${describeEvent(e)}`);
  }
}

export const poolCommands: CommandModule = (program, r) => {
  const pool = program.command('pool').description('Gemini key pool: state per key, invalid keys');

  r.action(
    pool
      .command('status')
      .description('every key: project, state, usage today and in the last 60 s, cooldown, why it is out'),
    async (ctx) => {
      const keyPool = openPool(ctx);
      const [status, events] = await Promise.all([keyPool.status(), keyPool.rotationLog(5)]);
      ctx.out.result({ ...status, rotationLog: events }, () => printStatus(ctx, status, events));
    },
  );

  r.action(
    pool
      .command('reset-invalid')
      .argument('[fingerprint]', 'the key to put back in rotation (12 hex digits); every key when omitted')
      .description('clear the invalid mark of a key (or all keys) after fixing it in Google Cloud'),
    async (ctx, _opts, fingerprint: string | undefined) => {
      if (fingerprint !== undefined && !/^[0-9a-f]{12}$/.test(fingerprint)) {
        throw new UsageError('fingerprint must be 12 lowercase hex digits (see `mealwise pool status`)');
      }
      const keyPool = openPool(ctx);
      if (fingerprint !== undefined && !keyPool.fingerprints.includes(fingerprint)) {
        throw new UsageError(`no key in GEMINI_API_KEYS has fingerprint ${fingerprint}`);
      }
      const reset = await keyPool.resetInvalid(fingerprint);
      ctx.out.result({ reset }, () =>
        ctx.out.line(reset.length ? `back in rotation: ${reset.join(', ')}` : 'no key was marked invalid'),
      );
    },
  );
};
