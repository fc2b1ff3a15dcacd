import type { Lease } from './types.ts';

/**
 * A lease whose raw key is non-enumerable, so JSON.stringify, util.inspect and loggers never show
 * the secret. Every KeySource builds its leases here: the pool, and the test doubles and benches
 * that stand in for it, so none of them can leak a key the pool would have hidden.
 */
export function createLease(fields: Omit<Lease, 'key'>, key: string): Lease {
  const lease = { ...fields } as Lease;
  Object.defineProperty(lease, 'key', { value: key, enumerable: false });
  return lease;
}
