import { NoCapacityError } from './errors.ts';
import type { KeySource, Lease } from './types.ts';

/**
 * `GEMINI_FALLBACK_MODELS`: tries `models` in order, moving to the next one only when a model's
 * quota is gone for the day (`quota_exhausted`). A model that is merely rate-limited is waited
 * for rather than downgraded from, and `all_invalid` applies to every model alike: both are
 * thrown as they are. When every model is exhausted, throws the error whose quota returns first.
 */
export async function acquireWithFallback(
  source: KeySource,
  models: readonly string[],
  options?: { estimatedTokens?: number },
): Promise<Lease> {
  if (models.length === 0) throw new TypeError('acquireWithFallback needs at least one model');
  let soonest: NoCapacityError | undefined;
  for (const model of models) {
    try {
      return await source.acquire(model, options);
    } catch (err) {
      if (!(err instanceof NoCapacityError) || err.reason !== 'quota_exhausted') throw err;
      if (!soonest || (err.retryAt ?? Infinity) < (soonest.retryAt ?? Infinity)) soonest = err;
    }
  }
  throw soonest!;
}
