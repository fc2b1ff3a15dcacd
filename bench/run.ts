// `pnpm bench [suite ...]`: runs each suite (bench/<suite>/index.ts) in its own Node process,
// one after another (suites must not compete for this machine's two cores), then re-renders the
// table in bench/README.md. Suites write bench/results/<suite>.json themselves.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { updateReadme } from './report.ts';

const here = new URL('.', import.meta.url).pathname;
const all = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(here, d.name, 'index.ts')))
  .map((d) => d.name)
  .sort();
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length) {
  console.error(`unknown suite(s): ${unknown.join(', ')}; available: ${all.join(', ')}`);
  process.exit(2);
}
const suites = wanted.length ? wanted : all;
let failed = 0;
for (const suite of suites) {
  console.log(`\n=== bench/${suite}`);
  const r = spawnSync(
    process.execPath,
    ['--conditions=@mealwise/source', '--expose-gc', join(here, suite, 'index.ts')],
    {
      stdio: 'inherit',
      env: process.env,
    },
  );
  if (r.status !== 0) {
    failed++;
    console.error(`bench/${suite} failed (exit ${r.status ?? r.signal})`);
  }
}
updateReadme();
console.log(`\nbench/README.md updated (${suites.length - failed}/${suites.length} suites ran)`);
process.exit(failed ? 1 : 0);
