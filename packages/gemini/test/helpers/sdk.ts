import { GoogleGenAI } from '@google/genai';

/** A bare SDK call (as the generator makes it) that returns what it threw, or the response. */
export async function sdkCall(
  baseUrl: string,
  key: string,
  model: string,
  config: Record<string, unknown> = {},
  apiVersion = 'v1beta',
): Promise<unknown> {
  const client = new GoogleGenAI({
    apiKey: key,
    vertexai: false,
    apiVersion,
    httpOptions: { baseUrl, apiVersion },
  });
  try {
    return await client.models.generateContent({ model, contents: 'Всего заказов: 3', config });
  } catch (err) {
    return err;
  }
}
