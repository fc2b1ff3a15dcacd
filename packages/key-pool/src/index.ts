export type { NoCapacityReason } from './errors.ts';
export { AllKeysExhaustedError, KeyPoolUnavailableError, NoCapacityError } from './errors.ts';
export type { ParsedKeyList, PoolKey } from './keys.ts';
export { fingerprint, KeyListError, parseKeyList } from './keys.ts';
export type {
  CallOutcome,
  KeyModelUsage,
  KeySource,
  KeyState,
  KeyStatus,
  Lease,
  PoolLimits,
  PoolStatus,
} from './types.ts';
