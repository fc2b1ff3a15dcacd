import { ConfigError } from './errors.ts';

/** Exit status for invalid configuration (sysexits EX_CONFIG). */
export const EXIT_CONFIG = 78;

/**
 * What an app prints when it cannot start: the configuration message alone (no stack trace —
 * the operator needs the variable, not our call stack), or the error's message otherwise.
 */
export function formatStartupError(err: unknown): { message: string; exitCode: number } {
  if (err instanceof ConfigError) return { message: err.message, exitCode: EXIT_CONFIG };
  return { message: err instanceof Error ? err.message : String(err), exitCode: 1 };
}
