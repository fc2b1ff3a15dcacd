export type { Usage } from './answer.ts';
export { parseAnswerText, parseResponse } from './answer.ts';
export type { BackoffOptions } from './backoff.ts';
export type { Classified, ClassifyContext, GoogleErrorBody } from './classify.ts';
export { classifyError, parseErrorBody, parseRetryDelay } from './classify.ts';
export type { InvalidAnswerReason, RateLimitScope, TransientKind } from './errors.ts';
export {
  BadRequestError,
  GeminiConfigurationError,
  GeminiError,
  GenerationCancelledError,
  GenerationFailedError,
  InvalidAnswerError,
  InvalidKeyError,
  ModelNotFoundError,
  RateLimitError,
  TransientError,
} from './errors.ts';
export type {
  GeminiCallEvent,
  GenerateOptions,
  Recommendation,
  RecommendationGeneratorOptions,
} from './generator.ts';
export { GOOGLE_BASE_URL, RecommendationGenerator } from './generator.ts';
export type { PromptOptions } from './prompts.ts';
export { buildPrompt, estimateTokens, quoteDishName } from './prompts.ts';
export type { Answer } from './schema.ts';
export { answerJsonSchema, answerSchema } from './schema.ts';
