export type { GeminiPoolEnv } from './env.ts';
export { geminiPoolEnv, poolOptionsFromEnv } from './env.ts';
export type { NoCapacityReason } from './errors.ts';
export { AllKeysExhaustedError, KeyPoolUnavailableError, NoCapacityError } from './errors.ts';
export { acquireWithFallback } from './fallback.ts';
export type { ParsedKeyList, PoolKey } from './keys.ts';
export { fingerprint, KeyListError, parseKeyList } from './keys.ts';
export { createLease } from './lease.ts';
export type { KeyPoolOptions } from './options.ts';
export type { ReportResult } from './pool.ts';
export { KeyPool } from './pool.ts';
export type { QuotaDay } from './quota-day.ts';
export { nextQuotaReset, QUOTA_TIME_ZONE, quotaDayAt } from './quota-day.ts';
export type {
  BlockReason,
  CallOutcome,
  KeyModelUsage,
  KeySource,
  KeyState,
  KeyStatus,
  Lease,
  PoolLimits,
  PoolStatus,
  RotationEvent,
} from './types.ts';
