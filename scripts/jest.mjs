#!/usr/bin/env node
// Runs Jest in ESM mode for the package in the current directory and records its results in
// test-results/jest.json, which scripts/test-summary.mjs adds up for CI.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(join(process.cwd(), 'package.json'));
const jestBin = require.resolve('jest/bin/jest');
const outDir = join(process.cwd(), 'test-results');
mkdirSync(outDir, { recursive: true });
const resultFile = process.env.MEALWISE_JEST_RESULT ?? 'jest.json';

const child = spawn(
  process.execPath,
  [
    '--experimental-vm-modules',
    '--no-warnings=ExperimentalWarning',
    jestBin,
    '--json',
    `--outputFile=${join(outDir, resultFile)}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
