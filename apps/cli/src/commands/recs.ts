import type { RecommendationRecord } from '@mealwise/recs';
import { intArg, tgidArg } from '../args.ts';
import type { CliContext } from '../context.ts';
import type { CommandModule } from '../program.ts';
import { producer, recommendationCache } from '../services.ts';

function printRecord(ctx: CliContext, tgid: number, r: RecommendationRecord): void {
  ctx.out.pairs([
    ['user', tgid],
    ['source', `${r.source}${r.stale ? ' (stale: the last generation failed)' : ''}`],
    ['model', r.model ?? '-'],
    ['generated', r.generated_at],
    ['run', r.run_id ?? '-'],
  ]);
  ctx.out.line();
  ctx.out.line(r.summary);
  for (const tip of r.tips) ctx.out.line(`  • ${tip}`);
}

async function show(ctx: CliContext, tgid: number): Promise<void> {
  const cached = await recommendationCache(ctx).get(tgid);
  if (cached.status === 'hit') {
    ctx.out.result({ tgid, status: 'hit', record: cached.record }, () =>
      printRecord(ctx, tgid, cached.record),
    );
    return;
  }
  ctx.out.result(
    cached.status === 'miss' ? { tgid, status: 'miss' } : { tgid, status: 'corrupt', error: cached.error },
    () =>
      ctx.out.line(
        cached.status === 'miss'
          ? `no recommendation cached for user ${tgid}`
          : `the cached record of user ${tgid} is corrupt (${cached.error}); it is treated as missing`,
      ),
  );
  process.exitCode = 1;
}

export const recsCommands: CommandModule = (program, r) => {
  const recs = program.command('recs').description('cached recommendations');

  r.action(
    recs
      .command('show')
      .argument('<tgid>', 'Telegram user id', tgidArg)
      .description("print a user's cached recommendation"),
    (ctx, _opts, tgid: number) => show(ctx, tgid),
  );

  r.action(
    recs
      .command('generate')
      .argument('<tgid>', 'Telegram user id', tgidArg)
      .description('queue a high-priority generation for one user (deduplicated)')
      .option('--wait', 'wait for the job to finish, then print the record')
      .option(
        '--timeout <seconds>',
        'with --wait: give up after this many seconds',
        intArg('--timeout', { min: 1 }),
        120,
      ),
    async (ctx, opts: { wait?: boolean; timeout: number }, tgid: number) => {
      const p = producer(ctx);
      const job = await p.enqueueOnDemand(tgid, 'refresh');
      if (!opts.wait) {
        ctx.out.result({ tgid, job_id: job.jobId, joined_pending: !job.created }, () =>
          ctx.out.line(
            `queued job ${job.jobId} for user ${tgid}${job.created ? '' : ' (joined a pending one)'}`,
          ),
        );
        return;
      }
      const deadline = Date.now() + opts.timeout * 1000;
      for (;;) {
        const state = await p.userQueue.getJobState(job.jobId);
        if (state === 'completed') break;
        if (state === 'failed') {
          const failed = await p.userQueue.getJob(job.jobId);
          throw new Error(`job ${job.jobId} failed: ${failed?.failedReason ?? 'unknown reason'}`);
        }
        if (Date.now() > deadline) throw new Error(`job ${job.jobId} still ${state} after ${opts.timeout} s`);
        await new Promise((res) => setTimeout(res, 250));
      }
      await show(ctx, tgid);
    },
  );
};
