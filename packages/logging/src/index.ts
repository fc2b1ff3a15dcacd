export type { Logger, LoggerOptions, LogLevel } from './logger.ts';
export { createLogger, silentLogger } from './logger.ts';
export { isSensitiveField, REDACTED, Redactor } from './redact.ts';
