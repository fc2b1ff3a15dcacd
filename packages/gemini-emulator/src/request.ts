import { badRequest, type ErrorBody } from './bodies.ts';
import type { GenerateRequest } from './responses.ts';
import { countTokens } from './tokens.ts';

const TOP_LEVEL = new Set([
  'contents',
  'systemInstruction',
  'generationConfig',
  'safetySettings',
  'tools',
  'toolConfig',
  'cachedContent',
  'model',
]);

const GENERATION_CONFIG = new Set([
  'stopSequences',
  'responseMimeType',
  'responseSchema',
  'responseJsonSchema',
  '_responseJsonSchema',
  'responseModalities',
  'candidateCount',
  'maxOutputTokens',
  'temperature',
  'topP',
  'topK',
  'seed',
  'presencePenalty',
  'frequencyPenalty',
  'responseLogprobs',
  'logprobs',
  'enableEnhancedCivicAnswers',
  'speechConfig',
  'thinkingConfig',
  'imageConfig',
  'mediaResolution',
]);

type Content = { parts?: { text?: unknown }[] };

const textOf = (c: Content | undefined): string =>
  (c?.parts ?? []).map((p) => (typeof p?.text === 'string' ? p.text : '')).join('');

/**
 * Validates a generateContent body the way Google's front end does for the mistakes a client can
 * make (unknown fields are rejected, not ignored) and extracts what the emulator needs.
 */
export function parseGenerateRequest(raw: string): GenerateRequest | ErrorBody {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return badRequest('Invalid JSON payload received. Unexpected token.');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return badRequest('Invalid JSON payload received. Expected an object.');
  }
  for (const name of Object.keys(body)) {
    if (!TOP_LEVEL.has(name)) {
      return badRequest(`Invalid JSON payload received. Unknown name "${name}": Cannot find field.`, {
        field: '',
      });
    }
  }
  const contents = body.contents;
  if (!Array.isArray(contents) || contents.length === 0) {
    return badRequest('* GenerateContentRequest.contents: contents is not specified\n');
  }
  const config = (body.generationConfig ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(config)) {
    if (!GENERATION_CONFIG.has(name)) {
      return badRequest(
        `Invalid JSON payload received. Unknown name "${name}" at 'generation_config': Cannot find field.`,
        {
          field: 'generation_config',
        },
      );
    }
  }
  if (config.responseSchema !== undefined && config.responseJsonSchema !== undefined) {
    return badRequest(
      '* GenerateContentRequest.generation_config: only one of response_schema and response_json_schema can be set.\n',
    );
  }
  const mime = typeof config.responseMimeType === 'string' ? config.responseMimeType : undefined;
  if (config.responseJsonSchema !== undefined && mime !== 'application/json') {
    return badRequest(
      '* GenerateContentRequest.generation_config.response_mime_type: response_json_schema requires response_mime_type application/json.\n',
    );
  }
  const thinking = config.thinkingConfig as { thinkingBudget?: unknown } | undefined;
  const budget = thinking?.thinkingBudget;
  if (
    budget !== undefined &&
    (typeof budget !== 'number' || !Number.isInteger(budget) || budget < -1 || budget > 24576)
  ) {
    return badRequest(
      'Unable to submit request because thinking_budget is out of range; supported values are integers from 0 to 24576.',
    );
  }
  const temperature = config.temperature;
  if (temperature !== undefined && (typeof temperature !== 'number' || temperature < 0 || temperature > 2)) {
    return badRequest(
      `Unable to submit request because it has a temperature value of ${String(temperature)} but the supported range is from 0 (inclusive) to 2.0001 (exclusive). Update the value and try again.`,
    );
  }
  const promptText = [textOf(body.systemInstruction as Content), ...(contents as Content[]).map(textOf)]
    .filter(Boolean)
    .join('\n');
  return {
    promptText,
    promptTokens: countTokens(promptText),
    responseMimeType: mime,
    responseJsonSchema: config.responseJsonSchema ?? config._responseJsonSchema ?? config.responseSchema,
    maxOutputTokens: typeof config.maxOutputTokens === 'number' ? config.maxOutputTokens : undefined,
    // -1 asks for dynamic thinking, like leaving the budget out.
    thinkingBudget: typeof budget === 'number' && budget >= 0 ? budget : undefined,
  };
}

export const isErrorBody = (v: GenerateRequest | ErrorBody): v is ErrorBody => 'body' in v && 'reason' in v;
