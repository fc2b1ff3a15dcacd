import { z } from 'zod';

/**
 * What a key is to the emulator. `valid` keys belong to a project; every other state answers
 * with the error Google sends for it (see bodies.ts). A key absent from the config is
 * `invalid`, as it is for Google, unless `acceptUnknownKeys` is set.
 */
export const KEY_STATES = [
  'valid',
  'invalid',
  'expired',
  'not_found',
  'suspended',
  'service_blocked',
  'service_disabled',
  'leaked',
  'unauthenticated',
  'location_unsupported',
] as const;
export type KeyState = (typeof KEY_STATES)[number];

/** Project-wide states override the states of the project's valid keys. */
export const PROJECT_STATES = ['active', 'suspended', 'service_disabled', 'location_unsupported'] as const;
export type ProjectState = (typeof PROJECT_STATES)[number];

const limitsSchema = z.object({
  /** Requests in any rolling 60 s window per project. */
  rpm: z.number().int().min(0),
  /** Requests per Pacific day per project; 0 = the model has no quota here ("limit: 0"). */
  rpd: z.number().int().min(0),
  /** Input tokens in any rolling 60 s window per project (optional). */
  tpm: z.number().int().min(0).optional(),
});
export type ModelLimits = z.infer<typeof limitsSchema>;

const keySchema = z.object({
  project: z.string().min(1).optional(),
  state: z.enum(KEY_STATES).default('valid'),
});
export type KeySpec = z.infer<typeof keySchema>;

const projectSchema = z.object({
  state: z.enum(PROJECT_STATES).default('active'),
  /** Per-model overrides of the model defaults for this project. */
  limits: z.record(z.string(), limitsSchema.partial()).default({}),
  /** Google's numeric project id, shown in error metadata (derived from the name if absent). */
  number: z.string().regex(/^\d+$/).optional(),
});
export type ProjectSpec = z.infer<typeof projectSchema>;

/** Fault kinds, each with the exact shape Google answers with (see responses.ts). */
export const FAULT_KINDS = [
  'unavailable', // 503 UNAVAILABLE "The model is overloaded"
  'internal', // 500 INTERNAL
  'hang', // no response at all until the client gives up
  'malformed', // 200, text is not JSON
  'wrongSchema', // 200, JSON that violates the requested schema (one tip, empty summary)
  'maxTokens', // 200, finishReason MAX_TOKENS and the JSON cut short
  'safety', // 200, finishReason SAFETY and no content
  'blocked', // 200, no candidates, promptFeedback.blockReason
  'empty', // 200, finishReason STOP and an empty text
  'fenced', // 200, valid JSON wrapped in a ```json fence (a client should accept it)
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const faultRates = z.object(
  Object.fromEntries(FAULT_KINDS.map((k) => [k, z.number().min(0).max(1).default(0)])) as Record<
    FaultKind,
    z.ZodDefault<z.ZodNumber>
  >,
);

export const emulatorConfigSchema = z.object({
  keys: z.record(z.string().min(1), keySchema).default({}),
  /** Unknown keys become valid keys of their own project (demo convenience), instead of 400. */
  acceptUnknownKeys: z.boolean().default(false),
  projects: z.record(z.string(), projectSchema).default({}),
  /** Known models and their default per-project limits; any other model answers 404. */
  models: z.record(z.string().min(1), limitsSchema).default({
    'gemini-2.5-flash-lite': { rpm: 15, rpd: 1000 },
    'gemini-2.5-flash': { rpm: 10, rpd: 250 },
    'gemini-2.5-pro': { rpm: 5, rpd: 100 },
  }),
  latency: z
    .object({ baseMs: z.number().min(0).default(0), jitterMs: z.number().min(0).default(0) })
    .default({ baseMs: 0, jitterMs: 0 }),
  faults: z
    .object({
      /** Probability per admitted request of each fault (checked in FAULT_KINDS order). */
      rates: faultRates.default(
        Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>,
      ),
      /** Faults served first, one per admitted request, in order (`ok` = a normal answer). */
      script: z.array(z.enum([...FAULT_KINDS, 'ok'])).default([]),
    })
    .default({
      rates: Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>,
      script: [],
    }),
  /** RetryInfo.retryDelay as whole seconds ("26s", Google's usual) or with nanoseconds ("26.508102000s"). */
  fractionalRetryDelay: z.boolean().default(false),
  seed: z.number().int().default(1),
});
export type EmulatorConfig = z.infer<typeof emulatorConfigSchema>;
export type EmulatorConfigInput = z.input<typeof emulatorConfigSchema>;

/** A runtime change (`POST /_emulator/config`): maps are merged entry by entry, the rest replaced. */
export const configPatchSchema = z.object({
  keys: z.record(z.string().min(1), keySchema).optional(),
  acceptUnknownKeys: z.boolean().optional(),
  projects: z.record(z.string(), projectSchema).optional(),
  models: z.record(z.string().min(1), limitsSchema.nullable()).optional(),
  latency: z
    .object({ baseMs: z.number().min(0), jitterMs: z.number().min(0) })
    .partial()
    .optional(),
  faults: z
    .object({
      rates: faultRates.partial().optional(),
      script: z.array(z.enum([...FAULT_KINDS, 'ok'])).optional(),
    })
    .optional(),
  fractionalRetryDelay: z.boolean().optional(),
  seed: z.number().int().optional(),
  /** Uses up a quota now: `day` fills today's counter, `minute` fills the current window. */
  exhaust: z
    .array(z.object({ project: z.string(), model: z.string(), window: z.enum(['day', 'minute']) }))
    .optional(),
});
export type ConfigPatch = z.input<typeof configPatchSchema>;

export class EmulatorConfigError extends Error {
  readonly code = 'EMULATOR_CONFIG_INVALID';
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

const describeIssues = (error: z.ZodError): string =>
  error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');

export function parseConfig(input: unknown): EmulatorConfig {
  const parsed = emulatorConfigSchema.safeParse(input ?? {});
  if (!parsed.success)
    throw new EmulatorConfigError(`invalid emulator config: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

export function parsePatch(input: unknown): z.infer<typeof configPatchSchema> {
  const parsed = configPatchSchema.safeParse(input ?? {});
  if (!parsed.success) throw new EmulatorConfigError(`invalid config patch: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** Applies a patch (without its `exhaust` actions, which act on the quota state). */
export function applyPatch(config: EmulatorConfig, patch: z.infer<typeof configPatchSchema>): EmulatorConfig {
  const models = { ...config.models };
  for (const [name, limits] of Object.entries(patch.models ?? {})) {
    if (limits === null) delete models[name];
    else models[name] = limits;
  }
  return {
    ...config,
    keys: { ...config.keys, ...patch.keys },
    acceptUnknownKeys: patch.acceptUnknownKeys ?? config.acceptUnknownKeys,
    projects: { ...config.projects, ...patch.projects },
    models,
    latency: { ...config.latency, ...patch.latency },
    faults: {
      rates: { ...config.faults.rates, ...patch.faults?.rates },
      script: patch.faults?.script ?? config.faults.script,
    },
    fractionalRetryDelay: patch.fractionalRetryDelay ?? config.fractionalRetryDelay,
    seed: patch.seed ?? config.seed,
  };
}

/** Effective limits of `model` for `project`. */
export function limitsFor(config: EmulatorConfig, project: string, model: string): ModelLimits | undefined {
  const base = config.models[model];
  if (!base) return undefined;
  return { ...base, ...config.projects[project]?.limits[model] };
}
