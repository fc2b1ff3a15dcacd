export type { ErrorBody } from './bodies.ts';
export { formatRetryDelay } from './bodies.ts';
export type {
  ConfigPatch,
  EmulatorConfig,
  EmulatorConfigInput,
  FaultKind,
  KeySpec,
  KeyState,
  ModelLimits,
  ProjectSpec,
  ProjectState,
} from './config.ts';
export { EmulatorConfigError, FAULT_KINDS, KEY_STATES, PROJECT_STATES, parseConfig } from './config.ts';
export type { PromptFacts } from './content.ts';
export { parsePrompt } from './content.ts';
export type { EmulatorStats } from './emulator.ts';
export { fingerprintOf } from './emulator.ts';
export { pacificDayBounds, pacificDayOf } from './pacific.ts';
export type { ProjectModelStats } from './quota.ts';
export type { EmulatorHandle, EmulatorOptions } from './server.ts';
export { startEmulator } from './server.ts';
export { countTokens } from './tokens.ts';
