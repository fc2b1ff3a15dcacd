export { DISH_NAMES } from './menu.ts';
export type { SeedOptions, SeedPhase, SeedProgress, SeedSummary } from './seed.ts';
export { DEMO_DATA_VERSION, InvalidSeedOptionsError, SeedTargetNotEmptyError, seedDemoData } from './seed.ts';
export type { Habit } from './users.ts';
export { HABITS } from './users.ts';
