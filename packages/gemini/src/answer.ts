import type { GenerateContentResponse } from '@google/genai';
import { InvalidAnswerError } from './errors.ts';
import { type Answer, answerSchema } from './schema.ts';

export interface Usage {
  promptTokens: number;
  /** Answer tokens (`candidatesTokenCount`); thinking tokens are only in `totalTokens`. */
  outputTokens: number;
  totalTokens: number;
}

// Finish reasons meaning the content was withheld by a filter.
const BLOCKED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY']);

const FENCE = /^\s*```(?:json|JSON)?[ \t]*\r?\n([\s\S]*?)\r?\n?```\s*$/;

/**
 * Validates answer text: JSON (a lone ```json fenced block is accepted, nothing else around it),
 * then the zod schema. Throws InvalidAnswerError `empty`, `json` or `schema`.
 */
export function parseAnswerText(text: string | undefined): Answer {
  if (text === undefined || text.trim() === '')
    throw new InvalidAnswerError('empty', 'no text in the answer');
  const fenced = FENCE.exec(text);
  const json = fenced ? fenced[1]! : text;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new InvalidAnswerError('json', `not JSON (${text.length} chars)`);
  }
  const parsed = answerSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new InvalidAnswerError('schema', issues);
  }
  return parsed.data;
}

export function usageOf(response: GenerateContentResponse): Usage {
  const u = response.usageMetadata;
  const promptTokens = u?.promptTokenCount ?? 0;
  const outputTokens = u?.candidatesTokenCount ?? 0;
  return { promptTokens, outputTokens, totalTokens: u?.totalTokenCount ?? promptTokens + outputTokens };
}

/**
 * The answer of a 200 response, or InvalidAnswerError: `no_candidates` (prompt blocked), `safety`
 * (content withheld), `max_tokens` (cut short), then what parseAnswerText finds. The text is read
 * from the first candidate's non-thought parts directly (the SDK's `.text` warns on the console).
 */
export function parseResponse(response: GenerateContentResponse): Answer {
  const candidate = response.candidates?.[0];
  if (!candidate) {
    const block = response.promptFeedback?.blockReason;
    throw new InvalidAnswerError('no_candidates', block ? `prompt blocked: ${block}` : 'no candidates');
  }
  const finish = candidate.finishReason as string | undefined;
  if (finish && BLOCKED.has(finish)) throw new InvalidAnswerError('safety', `finishReason ${finish}`);
  if (finish === 'MAX_TOKENS') throw new InvalidAnswerError('max_tokens', 'answer cut at maxOutputTokens');
  const parts = candidate.content?.parts ?? [];
  const texts = parts.filter((p) => typeof p.text === 'string' && !p.thought).map((p) => p.text as string);
  return parseAnswerText(texts.length ? texts.join('') : undefined);
}
