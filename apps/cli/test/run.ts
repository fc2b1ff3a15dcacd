import { commandModules } from '../src/commands/index.ts';
import { cliConfig } from '../src/config.ts';
import { runCli } from '../src/program.ts';

/**
 * Runs the CLI in-process with captured stdout/stderr and the given environment. The code is what
 * main.ts would exit with: runCli's, or the process.exitCode a command set itself (`recs show` on
 * a miss); process.exitCode is put back so an expected failure does not fail the Jest run.
 */
export async function run(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const prev = process.exitCode;
  process.exitCode = 0;
  try {
    const code = await runCli(
      argv,
      { config: cliConfig(env), stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) },
      commandModules,
    );
    return { code: code || Number(process.exitCode ?? 0), stdout, stderr };
  } finally {
    process.exitCode = prev;
  }
}
