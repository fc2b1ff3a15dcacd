import { z } from 'zod';

export const SUMMARY_MAX_CHARS = 300;
export const TIP_MAX_CHARS = 300;

/** The answer the model must give: one-sentence summary, 2–3 tips (seed format). */
export const answerSchema = z
  .object({
    summary: z
      .string()
      .trim()
      .min(1)
      .max(SUMMARY_MAX_CHARS)
      .describe('Краткое резюме привычек питания, одно предложение'),
    tips: z
      .array(z.string().trim().min(1).max(TIP_MAX_CHARS).describe('Один совет'))
      .min(2)
      .max(3)
      .describe('2–3 совета: баланс, разнообразие, новые блюда из меню'),
  })
  .strict();

export type Answer = z.infer<typeof answerSchema>;

/**
 * `responseJsonSchema` sent to Gemini, generated from the same zod schema that validates the
 * answer, so the two cannot drift. `$schema` is dropped: Gemini does not need the dialect URI.
 */
export function answerJsonSchema(): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(answerSchema) as Record<string, unknown>;
  return schema;
}
