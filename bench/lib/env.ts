/**
 * A non-negative integer parameter from the environment (unset or empty: the fallback). A typo
 * must stop the suite before it measures, not run it with NaN limits and report nonsense.
 */
export function intEnv(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer (got ${v})`);
  return n;
}
