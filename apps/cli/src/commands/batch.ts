import { isRunId, type RunSummary } from '@mealwise/jobs';
import { intArg } from '../args.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import type { CommandModule } from '../program.ts';
import { producer, runSummaries } from '../services.ts';

const done = (s: RunSummary) => s.succeeded + s.skipped + s.failed;

function printSummary(ctx: CliContext, s: RunSummary): void {
  const state = s.finished_at ? 'finished' : s.fanout_finished_at ? 'generating' : 'enqueuing';
  ctx.out.pairs([
    ['run', s.run_id],
    ['trigger', s.trigger ?? '-'],
    ['state', state],
    ['active users', s.total],
    ['enqueued', s.enqueued],
    ['done', `${done(s)} / ${s.enqueued}`],
    ['succeeded', s.succeeded],
    ['skipped (unchanged)', s.skipped],
    ['failed', s.failed],
    ['  with fallback', `${s.fallback} (stale ${s.fallback_stale}, rules ${s.fallback_rules})`],
    ['started', s.started_at ?? '-'],
    ['finished', s.finished_at ?? '-'],
  ]);
}

/** Polls the run summary until the run finishes; a progress line on a terminal. */
async function waitForRun(ctx: CliContext, runId: string, timeoutSec: number): Promise<RunSummary> {
  const store = runSummaries(ctx);
  const started = Date.now();
  const tty = process.stderr.isTTY && !ctx.out.json;
  let hinted = false;
  let lastLine = '';
  for (;;) {
    const s = await store.get(runId);
    if (s?.finished_at) {
      if (tty) process.stderr.write('\n');
      return s;
    }
    const elapsed = (Date.now() - started) / 1000;
    if (!s && elapsed > 10 && !hinted) {
      hinted = true;
      process.stderr.write(`no worker has started run ${runId} yet — is a worker running? (pnpm worker)\n`);
    }
    if (s) {
      const line = `run ${runId}: ${s.fanout_finished_at ? 'generating' : 'enqueuing'} — done ${done(s)} / ${s.enqueued} enqueued of ${s.total} active (failed ${s.failed})`;
      if (tty) process.stderr.write(`\r${line.padEnd(lastLine.length)}`);
      else if (line !== lastLine && Math.floor(elapsed) % 5 === 0) process.stderr.write(`${line}\n`);
      lastLine = line;
    }
    if (timeoutSec > 0 && elapsed > timeoutSec) {
      throw new Error(`run ${runId} did not finish within ${timeoutSec} s`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

export const batchCommands: CommandModule = (program, r) => {
  const batch = program.command('batch').description('nightly batch runs');

  r.action(
    batch
      .command('run')
      .description('run the batch now (its own run id); --wait blocks until every user job has finished')
      .option('--wait', 'wait for the run to finish, then print its summary')
      .option(
        '--timeout <seconds>',
        'with --wait: give up after this many seconds (0 = never)',
        intArg('--timeout'),
        0,
      ),
    async (ctx, opts: { wait?: boolean; timeout: number }) => {
      const queued = await producer(ctx).enqueueBatch();
      if (!opts.wait) {
        ctx.out.result({ run_id: queued.runId, job_id: queued.jobId }, () =>
          ctx.out.line(`queued run ${queued.runId} (see: mealwise batch status ${queued.runId})`),
        );
        return;
      }
      if (!ctx.out.json) ctx.out.line(`queued run ${queued.runId}; waiting for it to finish…`);
      const summary = await waitForRun(ctx, queued.runId, opts.timeout);
      ctx.out.result(summary, () => printSummary(ctx, summary));
    },
  );

  r.action(
    batch
      .command('status')
      .argument('[run_id]', 'a run id (default: the latest run)')
      .description('show a run summary'),
    async (ctx, _opts, runIdArg?: string) => {
      if (runIdArg !== undefined && !isRunId(runIdArg)) throw new UsageError(`"${runIdArg}" is not a run id`);
      const store = runSummaries(ctx);
      const runId = runIdArg ?? (await store.latestRunId());
      const summary = runId ? await store.get(runId) : null;
      if (!summary) {
        ctx.out.result({ run_id: runId, summary: null }, () =>
          ctx.out.line(runId ? `no run ${runId}` : 'no batch has run yet'),
        );
        process.exitCode = 1;
        return;
      }
      ctx.out.result(summary, () => printSummary(ctx, summary));
    },
  );
};
