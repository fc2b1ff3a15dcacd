import type { RunSummary } from '@mealwise/jobs';
import type { Redis } from 'ioredis';
import { checkUrls, demoUrlChecks, mealwise, someCachedUser, summaryProblems } from './report.ts';
import { type DemoCredentials, ENTRY } from './settings.ts';

export interface ReportInput {
  say: (s?: string) => void;
  summary: RunSummary;
  /** The environment the demo's processes share (the CLI runs with it too). */
  env: Record<string, string>;
  envFile: string;
  redis: Redis;
  credentials: DemoCredentials;
  urls: { api: string; worker: string; emulator: string };
}

const heading = (say: (s?: string) => void, title: string) =>
  say(`\n── ${title} ${'─'.repeat(Math.max(3, 76 - title.length))}`);

interface EmulatorQuota {
  quotas: Record<string, Record<string, { maxRequestsPerMinute: number; maxAdmittedPerMinute: number }>>;
  byReason: Record<string, number>;
}

/** Prints the report; returns false when something did not check out (each problem is printed). */
export async function printReport(r: ReportInput): Promise<boolean> {
  const { say } = r;
  let ok = true;
  const fail = (what: string) => {
    ok = false;
    say(`✗ ${what}`);
  };
  const cliEnv = { ...r.env, LOG_LEVEL: 'warn' };

  heading(say, 'Run summary · pnpm mealwise batch status');
  say((await mealwise(ENTRY.cli, ['batch', 'status', r.summary.run_id], cliEnv)).trimEnd());
  const problems = summaryProblems(r.summary);
  if (problems.length) for (const p of problems) fail(`run summary: ${p}`);
  else {
    const s = r.summary;
    say(
      `✓ adds up: ${s.succeeded} succeeded + ${s.skipped} skipped + ${s.failed} failed = ${s.enqueued} enqueued (${s.total} active users)`,
    );
  }

  heading(say, 'Key pool · pnpm mealwise pool status');
  say((await mealwise(ENTRY.cli, ['pool', 'status'], cliEnv)).trimEnd());

  const stats = (await (await fetch(`${r.urls.emulator}/_emulator/stats`)).json()) as EmulatorQuota;
  const limit = Number(r.env.GEMINI_MAX_REQUESTS_PER_MINUTE);
  for (const [project, models] of Object.entries(stats.quotas)) {
    for (const [model, q] of Object.entries(models)) {
      const line = `${project}/${model}: at most ${q.maxRequestsPerMinute} requests in any 60 s window (limit ${limit})`;
      if (q.maxRequestsPerMinute > limit) fail(`emulator saw ${line}`);
      else say(`✓ emulator saw ${line}`);
    }
  }
  say(`  emulator answers by reason: ${JSON.stringify(stats.byReason)}`);

  heading(say, "One user's recommendation · GET /v1/users/:tgid/recommendations");
  const tgid = await someCachedUser(r.redis);
  if (tgid === null) fail('no recommendation was cached');
  else {
    const url = `${r.urls.api}/v1/users/${tgid}/recommendations`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${r.credentials.apiToken}` } });
    const body = (await res.json()) as { summary?: string | null; tips?: string[] };
    say(`$ curl -H "Authorization: Bearer $API_TOKEN" ${url}`);
    say(JSON.stringify(body, null, 2));
    if (res.status !== 200 || !body.summary || !body.tips?.length)
      fail(`recommendation of ${tgid}: HTTP ${res.status}`);
  }

  heading(say, 'Open in a browser or call');
  const u = r.urls;
  say(`API                 ${u.api}   (service token below as Bearer; admin token for /v1/admin/*)`);
  say(`OpenAPI docs        ${u.api}/docs   (document: ${u.api}/openapi.json)`);
  say(`Bull Board          ${u.api}/admin/queues   (user ${r.credentials.bullBoardUser}, password below)`);
  say(`Metrics             ${u.api}/metrics · worker ${u.worker}/metrics`);
  say(`Gemini emulator     ${u.emulator}/_emulator/stats`);
  say('');
  say(`API_TOKEN=${r.credentials.apiToken}`);
  say(`ADMIN_TOKEN=${r.credentials.adminToken}`);
  say(`BULL_BOARD_USER=${r.credentials.bullBoardUser}`);
  say(`BULL_BOARD_PASSWORD=${r.credentials.bullBoardPassword}`);
  say('(generated for this run; they stop working when the demo stops)');
  say('');
  for (const c of await checkUrls(demoUrlChecks(r.urls, r.credentials))) {
    if (c.ok) say(`✓ ${c.what}: ${c.url} → ${c.status}`);
    else
      fail(
        `${c.what}: ${c.url} → ${c.status} (expected ${c.expectStatus}${c.expectBody ? ` with ${c.expectBody}` : ''})`,
      );
  }

  heading(say, 'The operator CLI against the demo');
  say(`set -a; . ${r.envFile}; set +a`);
  say(
    'pnpm mealwise pool status · pnpm mealwise batch status · pnpm mealwise recs show <tgid> · pnpm mealwise batch run --wait',
  );
  return ok;
}
