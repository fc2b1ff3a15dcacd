export type { ApiApp, ApiDeps } from './app.ts';
export { createApp } from './app.ts';
export type { AccessPolicy, Principal } from './auth/authenticator.ts';
export type { InitDataProblem, VerifiedInitData } from './auth/telegram.ts';
export { InitDataError, InitDataVerifier } from './auth/telegram.ts';
export type { ApiEnv } from './config.ts';
export { apiEnvSchema, loadApiEnv } from './config.ts';
export { buildOpenApiDocument } from './openapi/document.ts';
export type {
  JobProducer,
  PoolStatusReader,
  QueueMetricsSource,
  ReadinessCheck,
  RecordReader,
  RunSummaryReader,
  StatsReader,
} from './ports.ts';
export { ROUTES } from './routes/spec.ts';
export { MAX_TGID } from './tgid.ts';
