import { randomUUID } from 'node:crypto';

export const MODEL = 'gemini-2.5-flash-lite';
export const newKey = (): string => `test-key-${randomUUID()}`;

export const PROMPT = [
  'Статистика за 30 дней:',
  '- Всего заказов: 18',
  '- Распределение по категориям: супы 35%, салаты 15%, основные блюда 40%, дополнительно 10%',
  '- Уникальных блюд заказано: 8 из 45',
  '- Топ-5 любимых блюд: "Борщ с курицей" ×6; "Салат \\"Цезарь\\"" ×5',
  '- Не пробовал(а) из меню: "Греческий салат" (салат); "Уха" (суп)',
].join('\n');

export const SCHEMA = {
  type: 'object',
  properties: {
    summary: { type: 'string', minLength: 1, maxLength: 300 },
    tips: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 3 },
  },
  required: ['summary', 'tips'],
  additionalProperties: false,
};

export const generateBody = (extra: Record<string, unknown> = {}) => ({
  contents: [{ role: 'user', parts: [{ text: PROMPT }] }],
  generationConfig: {
    responseMimeType: 'application/json',
    responseJsonSchema: SCHEMA,
    thinkingConfig: { thinkingBudget: 0 },
    ...extra,
  },
});

/** Parsed JSON of a reply: tests read nested fields of Google-shaped bodies freely. */
// biome-ignore lint/suspicious/noExplicitAny: test-only view of arbitrary JSON bodies
export type Json = any;

export interface Reply {
  status: number;
  contentType: string | null;
  text: string;
  json: Json;
}

export async function call(
  base: string,
  key: string | undefined,
  options: { model?: string; version?: string; body?: unknown; method?: string; path?: string } = {},
): Promise<Reply> {
  const path =
    options.path ?? `/${options.version ?? 'v1beta'}/models/${options.model ?? MODEL}:generateContent`;
  const res = await fetch(`${base}${path}`, {
    method: options.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'x-goog-api-key': key } : {}) },
    body: (options.method ?? 'POST') === 'POST' ? JSON.stringify(options.body ?? generateBody()) : undefined,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type'), text, json };
}
