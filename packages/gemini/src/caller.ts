import { type GenerateContentResponse, GoogleGenAI } from '@google/genai';
import type { Lease } from '@mealwise/key-pool';
import { answerJsonSchema } from './schema.ts';

export interface CallerOptions {
  apiVersion: string;
  baseUrl: string;
  timeoutMs: number;
  thinkingBudget: number;
  temperature: number;
  maxOutputTokens: number;
}

/**
 * One generateContent call through @google/genai, everything explicit: one SDK client per key
 * (cached by fingerprint) built with `apiKey` (no GOOGLE_API_KEY / GEMINI_API_KEY fallback),
 * `vertexai: false`, `apiVersion` and `baseUrl` (environment overrides ignored), no
 * `retryOptions` (SDK retries off: the retry policy is ours).
 */
export class GeminiCaller {
  readonly #options: CallerOptions;
  readonly #clients = new Map<string, GoogleGenAI>();
  readonly #responseJsonSchema = answerJsonSchema();

  constructor(options: CallerOptions) {
    this.#options = options;
  }

  call(
    lease: Lease,
    model: string,
    prompt: string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<GenerateContentResponse> {
    const o = this.#options;
    return this.#client(lease).models.generateContent({
      model,
      contents: prompt,
      config: {
        temperature: o.temperature,
        maxOutputTokens: o.maxOutputTokens,
        responseMimeType: 'application/json',
        responseJsonSchema: this.#responseJsonSchema,
        thinkingConfig: { thinkingBudget: o.thinkingBudget },
        // Never re-sent on a continuationToken: every call is exactly one admission from the pool.
        automaticContinuation: false,
        abortSignal: signal,
        // The SDK arms this per attempt and rejects with an AbortError when it fires.
        httpOptions: { timeout: timeoutMs },
      },
    });
  }

  #client(lease: Lease): GoogleGenAI {
    let client = this.#clients.get(lease.fingerprint);
    if (!client) {
      const { apiVersion, baseUrl, timeoutMs } = this.#options;
      client = new GoogleGenAI({
        apiKey: lease.key,
        vertexai: false,
        apiVersion,
        httpOptions: { baseUrl, apiVersion, timeout: timeoutMs },
      });
      this.#clients.set(lease.fingerprint, client);
    }
    return client;
  }
}
