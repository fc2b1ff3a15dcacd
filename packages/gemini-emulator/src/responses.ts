import type { FaultKind } from './config.ts';
import { type Answer, composeAnswer, conformToSchema, parsePrompt } from './content.ts';
import { countTokens } from './tokens.ts';

/** What the emulator needs from a generateContent request body. */
export interface GenerateRequest {
  promptText: string;
  promptTokens: number;
  responseMimeType: string | undefined;
  responseJsonSchema: unknown;
  maxOutputTokens: number | undefined;
  /** undefined = the model's default (dynamic thinking on 2.5 models). */
  thinkingBudget: number | undefined;
}

export type SuccessKind = Exclude<FaultKind, 'unavailable' | 'internal' | 'hang'> | 'ok';

const SAFETY_RATINGS = [
  { category: 'HARM_CATEGORY_SEXUALLY_EXPLICIT', probability: 'NEGLIGIBLE' },
  { category: 'HARM_CATEGORY_HATE_SPEECH', probability: 'NEGLIGIBLE' },
  { category: 'HARM_CATEGORY_HARASSMENT', probability: 'NEGLIGIBLE' },
  { category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true },
];

function usage(promptTokens: number, outputTokens: number, thoughts: number) {
  return {
    promptTokenCount: promptTokens,
    ...(outputTokens > 0 ? { candidatesTokenCount: outputTokens } : {}),
    totalTokenCount: promptTokens + outputTokens + thoughts,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokens }],
    ...(thoughts > 0 ? { thoughtsTokenCount: thoughts } : {}),
  };
}

function answerText(req: GenerateRequest, kind: SuccessKind): string {
  const answer: Answer = composeAnswer(parsePrompt(req.promptText));
  if (req.responseMimeType !== 'application/json') {
    return `${answer.summary}\n\n${answer.tips.map((t, i) => `${i + 1}. ${t}`).join('\n')}`;
  }
  const shaped = conformToSchema(req.responseJsonSchema as never, answer);
  switch (kind) {
    case 'malformed':
      return `Вот рекомендации: {summary: ${answer.summary}, tips: [${answer.tips.join(', ')}]`;
    case 'wrongSchema':
      return JSON.stringify({ summary: '', tips: [answer.tips[0]] });
    case 'fenced':
      return `\`\`\`json\n${JSON.stringify(shaped, null, 2)}\n\`\`\``;
    case 'empty':
      return '';
    default:
      return JSON.stringify(shaped);
  }
}

/** The 200 body for an admitted request: a normal answer or one of the in-band faults. */
export function successBody(
  req: GenerateRequest,
  kind: SuccessKind,
  model: string,
  responseId: string,
): string {
  // With thinking left to the model (no budget) 2.5 models think; the tokens are billed.
  const thoughts = req.thinkingBudget === undefined ? 180 : Math.min(req.thinkingBudget, 180);
  const tail = { modelVersion: model, responseId };
  if (kind === 'blocked') {
    return JSON.stringify({
      promptFeedback: { blockReason: 'PROHIBITED_CONTENT', safetyRatings: SAFETY_RATINGS },
      usageMetadata: usage(req.promptTokens, 0, 0),
      ...tail,
    });
  }
  if (kind === 'safety') {
    return JSON.stringify({
      candidates: [{ finishReason: 'SAFETY', index: 0, safetyRatings: SAFETY_RATINGS }],
      usageMetadata: usage(req.promptTokens, 0, thoughts),
      ...tail,
    });
  }
  let text = answerText(req, kind);
  let finishReason = 'STOP';
  let outputTokens = countTokens(text);
  const cap = req.maxOutputTokens;
  if (kind === 'maxTokens' || (cap !== undefined && outputTokens > cap)) {
    // Cut where the token budget ran out (half the answer for the forced fault).
    const keep =
      kind === 'maxTokens'
        ? Math.floor(text.length / 2)
        : Math.floor((text.length * (cap ?? 0)) / outputTokens);
    text = text.slice(0, Math.max(1, keep));
    outputTokens = countTokens(text);
    finishReason = 'MAX_TOKENS';
  }
  return JSON.stringify({
    candidates: [{ content: { parts: [{ text }], role: 'model' }, finishReason, index: 0 }],
    usageMetadata: usage(req.promptTokens, kind === 'empty' ? 0 : outputTokens, thoughts),
    ...tail,
  });
}

export function modelResource(name: string) {
  const pretty = name
    .split('-')
    .map((w) => (/^\d/.test(w) ? w : w.charAt(0).toUpperCase() + w.slice(1)))
    .join(' ');
  return {
    name: `models/${name}`,
    version: '001',
    displayName: pretty,
    description: `${pretty} (Gemini emulator)`,
    inputTokenLimit: 1048576,
    outputTokenLimit: 65536,
    supportedGenerationMethods: ['generateContent', 'countTokens'],
    temperature: 1,
    topP: 0.95,
    topK: 64,
    maxTemperature: 2,
    thinking: true,
  };
}

export const tokensOf = countTokens;
