import { InvalidArgumentError } from 'commander';

/** Commander argument parsers: integers with bounds, rejected with a message (→ usage, exit 2). */
export function intArg(name: string, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`${name} must be an integer`);
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
    }
    return n;
  };
}

/** Telegram ids are positive 64-bit integers; ours fit in JS numbers (< 2^53). */
export const tgidArg = intArg('tgid', { min: 1, max: Number.MAX_SAFE_INTEGER });
export const daysArg = intArg('--days', { min: 1, max: 365 });
