import { z } from 'zod';
import { ConfigError } from './errors.ts';

export type Env = Record<string, string | undefined>;

/**
 * Parses `env` (the caller passes `process.env`; packages never read it themselves) with a zod
 * object schema whose keys are variable names. Empty strings count as unset, so `FOO=` in a
 * compose file falls back to the default instead of failing as "not a number".
 */
export function parseEnv<S extends z.ZodObject>(schema: S, env: Env): z.output<S> {
  const cleaned: Env = {};
  for (const key of Object.keys(schema.shape)) {
    const v = env[key];
    cleaned[key] = v === undefined || v.trim() === '' ? undefined : v;
  }
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? '(environment)');
      const got = cleaned[variable];
      const shown = got === undefined || /KEY|TOKEN|PASSWORD|SECRET/i.test(variable) ? '' : ` (got "${got}")`;
      return { variable, message: `${describe(issue, got)}${shown}` };
    }),
  );
}

function describe(issue: z.core.$ZodIssue, got: string | undefined): string {
  if (got === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) {
    return 'is required';
  }
  return issue.message;
}

/** Building blocks for env schemas: strings in, typed values out, messages an operator understands. */
export const envVar = {
  string: () => z.string({ error: 'is required' }),

  int: (opts: { min?: number; max?: number } = {}) => {
    const min = opts.min ?? Number.MIN_SAFE_INTEGER;
    const max = opts.max ?? Number.MAX_SAFE_INTEGER;
    return z
      .string()
      .regex(/^-?\d+$/, { error: 'must be an integer' })
      .transform(Number)
      .refine((n) => n >= min && n <= max, {
        error:
          opts.max === undefined
            ? `must be an integer >= ${min}`
            : `must be an integer from ${min} to ${max}`,
      });
  },

  bool: () =>
    z
      .string()
      .transform((s) => s.trim().toLowerCase())
      .refine((s) => ['true', 'false', '1', '0', 'yes', 'no'].includes(s), {
        error: 'must be true or false',
      })
      .transform((s) => s === 'true' || s === '1' || s === 'yes'),

  url: (protocols: string[]) =>
    z.string().refine(
      (s) => {
        try {
          return protocols.includes(new URL(s).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      },
      { error: `must be a URL (${protocols.map((p) => `${p}://`).join(', ')})` },
    ),

  /** Comma-separated list; blanks around entries trimmed, empty entries dropped. */
  list: () =>
    z.string().transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    ),

  enum: <const T extends readonly [string, ...string[]]>(values: T) =>
    z.enum(values, { error: `must be one of ${values.join(', ')}` }),
};
