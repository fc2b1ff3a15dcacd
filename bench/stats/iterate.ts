// Child process of bench/stats: iterates active users in a fresh Node process and reports its
// peak RSS growth and the heap still used after a final GC, so the figures are not hidden inside
// the heap the parent grew while seeding.
// argv: <database url> <now ISO> <limit per pass | all> <passes>
import { createDb } from '@mealwise/db';
import { StatsService } from '@mealwise/stats';
import { sql } from 'kysely';
import { sampleRss } from '../lib/result.ts';

const [url, nowIso, limitArg, passesArg] = process.argv.slice(2);
const now = new Date(nowIso!);
const limit = limitArg === 'all' ? Number.POSITIVE_INFINITY : Number(limitArg);
const passes = Number(passesArg);
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const mib = (bytes: number) => bytes / 2 ** 20;
const db = createDb({ connectionString: url!, max: 1 });
const stats = new StatsService(db, { clock: () => now });

// Connect and run one trivial statement first: the baseline is a process ready to iterate.
await sql`SELECT 1`.execute(db);
gc();
const before = process.memoryUsage();
const rss = sampleRss(5);
const t = process.hrtime.bigint();
let n = 0;
for (let pass = 0; pass < passes; pass++) {
  let inPass = 0;
  for await (const page of stats.activeUsers({ minOrders: 5, days: 30, pageSize: 1000 })) {
    inPass += page.length;
    if (inPass >= limit) break;
  }
  n += inPass;
}
const ms = Number(process.hrtime.bigint() - t) / 1e6;
const peak = Math.max(...rss.stop());
gc();
const retained = mib(process.memoryUsage().heapUsed - before.heapUsed);
await db.destroy();
process.stdout.write(
  `${JSON.stringify({ n, ms, before: mib(before.rss), peak, growth: peak - mib(before.rss), retained })}\n`,
);
