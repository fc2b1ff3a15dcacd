import { commandModules } from '../src/commands/index.ts';
import { cliConfig } from '../src/config.ts';
import { runCli } from '../src/program.ts';

/** Runs the CLI in-process with captured stdout/stderr and the given environment. */
export async function run(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    argv,
    { config: cliConfig(env), stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) },
    commandModules,
  );
  return { code, stdout, stderr };
}
