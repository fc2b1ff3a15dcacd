import type { UserStats } from '@mealwise/stats';
import { z } from 'zod';

// One source of truth for the record the worker writes and the API serves (DESIGN §5): the API's
// OpenAPI document is generated from these schemas.

export const dishCategorySchema = z.enum(['soup', 'salad', 'main', 'extra']);

export const userStatsSchema = z
  .object({
    orders_count: z.number().int().nonnegative(),
    categories: z.object({
      soup: z.number().min(0).max(1),
      salad: z.number().min(0).max(1),
      main: z.number().min(0).max(1),
      extra: z.number().min(0).max(1),
    }),
    unique_dishes: z.number().int().nonnegative(),
    total_dishes_available: z.number().int().nonnegative(),
    favorite_dishes: z.array(z.object({ name: z.string(), count: z.number().int().nonnegative() })),
    untried_dishes: z.array(z.object({ name: z.string(), category: dishCategorySchema })),
  })
  .meta({
    id: 'UserStats',
    description: 'Order statistics over the last RECS_DAYS days (cancelled orders excluded)',
  });

export const recordSourceSchema = z.enum(['gemini', 'rules']);
export type RecordSource = z.infer<typeof recordSourceSchema>;

export const recommendationRecordSchema = z
  .object({
    summary: z.string().min(1).describe('one sentence about the user’s habits'),
    tips: z.array(z.string().min(1)).min(1).max(5),
    stats: userStatsSchema,
    generated_at: z.iso.datetime().describe('when the record was generated (UTC, ISO 8601)'),
    model: z.string().nullable().describe('Gemini model id; null for rules-based records'),
    source: recordSourceSchema.describe('`gemini`, or `rules` when Gemini could not answer'),
    stale: z
      .boolean()
      .optional()
      .describe('true when the last generation failed and this is the previous record, kept'),
    stats_hash: z.string().optional().describe('hash of `stats`, lets the worker skip unchanged users'),
    run_id: z.string().optional().describe('the batch run (or refresh) that generated it'),
  })
  .meta({ id: 'RecommendationRecord' });

export type RecommendationRecord = z.infer<typeof recommendationRecordSchema>;

/** The seed's answer on a cache miss: no recommendation yet, live statistics. */
export const recommendationMissSchema = z
  .object({
    summary: z.null(),
    tips: z.array(z.string()).max(0),
    stats: userStatsSchema,
    generated_at: z.null(),
  })
  .meta({ id: 'RecommendationMiss' });

export type RecommendationMiss = z.infer<typeof recommendationMissSchema>;

// Compile-time check that the zod schema and the stats package's type agree.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const statsSchemaMatchesType: Same<z.infer<typeof userStatsSchema>, UserStats> = true;
void statsSchemaMatchesType;
