#!/usr/bin/env node
// Adds up every package's Jest results (test-results/*.json) into the one closing line CI reads:
// "N passed, N failed". Suites that crashed before running their tests count as failures.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
const rows = [];
// Workspace packages live in packages/*, apps/* and the single-package folders bench/ and infra/.
for (const group of ['packages', 'apps', 'bench', 'infra']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  const pkgs = group === 'bench' || group === 'infra' ? ['.'] : readdirSync(dir);
  for (const pkg of pkgs) {
    const resultsDir = join(dir, pkg, 'test-results');
    if (!existsSync(resultsDir)) continue;
    for (const file of readdirSync(resultsDir).filter((f) => f.endsWith('.json'))) {
      const r = JSON.parse(readFileSync(join(resultsDir, file), 'utf8'));
      const crashed = (r.testResults ?? []).filter(
        (s) => s.status === 'failed' && (s.assertionResults ?? []).length === 0,
      ).length;
      passed += r.numPassedTests ?? 0;
      failed += (r.numFailedTests ?? 0) + crashed;
      rows.push(`${group}/${pkg}/${file}: ${r.numPassedTests} passed, ${r.numFailedTests + crashed} failed`);
    }
  }
}
for (const row of rows) console.log(`  ${row}`);
console.log(`${passed} passed, ${failed} failed`);
