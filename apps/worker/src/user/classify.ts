import {
  GeminiConfigurationError,
  GenerationCancelledError,
  GenerationFailedError,
  ModelNotFoundError,
} from '@mealwise/gemini';
import { KeyPoolUnavailableError, NoCapacityError } from '@mealwise/key-pool';
import type { ClassifiedFailure } from './ports.ts';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Maps what the Gemini client and the key pool throw to what the worker does about it. */
export function classifyFailure(err: unknown): ClassifiedFailure {
  if (err instanceof NoCapacityError) {
    return err.reason === 'all_invalid'
      ? { kind: 'config', retryAt: null, reason: err.reason, message: err.message }
      : {
          kind: 'no_capacity',
          retryAt: err.retryAt,
          retryAfterMs: err.retryAfterMs,
          reason: err.reason,
          message: err.message,
        };
  }
  if (err instanceof ModelNotFoundError) {
    return { kind: 'config', retryAt: null, reason: 'model_not_found', message: err.message };
  }
  if (err instanceof GeminiConfigurationError) {
    return { kind: 'config', retryAt: null, reason: 'gemini_configuration', message: err.message };
  }
  if (err instanceof GenerationFailedError) {
    return {
      kind: err.retryable ? 'transient' : 'permanent',
      retryAt: null,
      reason: err.lastError.code.toLowerCase(),
      message: err.message,
    };
  }
  if (err instanceof GenerationCancelledError) {
    // Our own per-job deadline fired (shutdown aborts are handled before classification).
    return { kind: 'transient', retryAt: null, reason: 'job_deadline', message: err.message };
  }
  if (err instanceof KeyPoolUnavailableError) {
    return { kind: 'transient', retryAt: null, reason: 'key_pool_unavailable', message: err.message };
  }
  return { kind: 'transient', retryAt: null, reason: 'unexpected', message: message(err) };
}
