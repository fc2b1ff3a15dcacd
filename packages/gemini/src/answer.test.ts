import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseAnswerText, parseResponse } from './answer.ts';
import { InvalidAnswerError } from './errors.ts';
import { answerJsonSchema, answerSchema } from './schema.ts';

const valid = { summary: 'Много супов, мало салатов.', tips: ['Добавьте салат.', 'Попробуйте «Уха».'] };

const reasonOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof InvalidAnswerError) return err.reason;
    throw err;
  }
};

describe('parseAnswerText', () => {
  it('accepts JSON and a lone ```json fenced block', () => {
    expect(parseAnswerText(JSON.stringify(valid))).toEqual(valid);
    expect(parseAnswerText(`\`\`\`json\n${JSON.stringify(valid, null, 2)}\n\`\`\``)).toEqual(valid);
    expect(parseAnswerText(`\n\`\`\`\n${JSON.stringify(valid)}\n\`\`\`\n`)).toEqual(valid);
  });

  it('rejects prose around the JSON, bad JSON, schema violations, emptiness', () => {
    expect(reasonOf(() => parseAnswerText(`Вот ответ: ${JSON.stringify(valid)}`))).toBe('json');
    expect(reasonOf(() => parseAnswerText(`\`\`\`json\n${JSON.stringify(valid)}\n\`\`\` и ещё`))).toBe(
      'json',
    );
    expect(reasonOf(() => parseAnswerText('{"summary": "x", "tips": ['))).toBe('json');
    expect(reasonOf(() => parseAnswerText(JSON.stringify({ ...valid, tips: ['один'] })))).toBe('schema');
    expect(reasonOf(() => parseAnswerText(JSON.stringify({ ...valid, tips: ['a', 'b', 'c', 'd'] })))).toBe(
      'schema',
    );
    expect(reasonOf(() => parseAnswerText(JSON.stringify({ ...valid, summary: '   ' })))).toBe('schema');
    expect(reasonOf(() => parseAnswerText(JSON.stringify({ ...valid, tips: ['ok', 'x'.repeat(301)] })))).toBe(
      'schema',
    );
    expect(reasonOf(() => parseAnswerText(JSON.stringify({ ...valid, extra: 1 })))).toBe('schema');
    expect(reasonOf(() => parseAnswerText(JSON.stringify([valid])))).toBe('schema');
    expect(reasonOf(() => parseAnswerText(''))).toBe('empty');
    expect(reasonOf(() => parseAnswerText(undefined))).toBe('empty');
  });

  it('property: any schema-valid answer round-trips, plain or fenced (trimmed)', () => {
    const text = fc.string({ minLength: 1, maxLength: 280 }).filter((s) => s.trim().length > 0);
    fc.assert(
      fc.property(
        text,
        fc.array(text, { minLength: 2, maxLength: 3 }),
        fc.boolean(),
        (summary, tips, fence) => {
          const json = JSON.stringify({ summary, tips });
          const parsed = parseAnswerText(fence ? `\`\`\`json\n${json}\n\`\`\`` : json);
          expect(parsed).toEqual({ summary: summary.trim(), tips: tips.map((t) => t.trim()) });
        },
      ),
    );
  });

  it('property: any text either parses to a schema-valid answer or fails with InvalidAnswerError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (text) => {
          try {
            expect(answerSchema.safeParse(parseAnswerText(text)).success).toBe(true);
          } catch (err) {
            expect(err).toBeInstanceOf(InvalidAnswerError);
          }
        },
      ),
    );
  });
});

describe('parseResponse', () => {
  const response = (r: Record<string, unknown>) => r as never;
  it('reads the first candidate’s non-thought text parts', () => {
    const r = response({
      candidates: [
        {
          content: { parts: [{ text: 'thinking…', thought: true }, { text: JSON.stringify(valid) }] },
          finishReason: 'STOP',
        },
      ],
    });
    expect(parseResponse(r)).toEqual(valid);
  });

  it('maps finish reasons and missing candidates', () => {
    expect(reasonOf(() => parseResponse(response({ promptFeedback: { blockReason: 'SAFETY' } })))).toBe(
      'no_candidates',
    );
    expect(reasonOf(() => parseResponse(response({ candidates: [{ finishReason: 'SAFETY' }] })))).toBe(
      'safety',
    );
    expect(
      reasonOf(() => parseResponse(response({ candidates: [{ finishReason: 'PROHIBITED_CONTENT' }] }))),
    ).toBe('safety');
    expect(
      reasonOf(() =>
        parseResponse(
          response({ candidates: [{ content: { parts: [{ text: '{"su' }] }, finishReason: 'MAX_TOKENS' }] }),
        ),
      ),
    ).toBe('max_tokens');
    expect(
      reasonOf(() =>
        parseResponse(response({ candidates: [{ content: { parts: [] }, finishReason: 'STOP' }] })),
      ),
    ).toBe('empty');
  });
});

describe('answerJsonSchema', () => {
  it('is the zod schema as JSON Schema, without $schema', () => {
    const schema = answerJsonSchema();
    expect(schema.$schema).toBeUndefined();
    expect(schema).toMatchObject({
      type: 'object',
      required: ['summary', 'tips'],
      additionalProperties: false,
      properties: {
        tips: { type: 'array', minItems: 2, maxItems: 3 },
        summary: { type: 'string', minLength: 1 },
      },
    });
  });
});
