export type { DbOptions } from './connection.ts';
export { createDb, createPool } from './connection.ts';
export { ensureDatabase } from './ensure-database.ts';
export type { MigrateResult } from './migrator.ts';
export { MigrationError, migrateToLatest, migrations } from './migrator.ts';
export type {
  Cafe,
  Database,
  Dish,
  DishCategory,
  NewUser,
  Order,
  OrderItem,
  OrderStatus,
  User,
} from './schema.ts';
export { DISH_CATEGORIES } from './schema.ts';
export type { Habit, SeedOptions, SeedPhase, SeedProgress, SeedSummary } from './seed/index.ts';
export {
  DEMO_DATA_VERSION,
  DISH_NAMES,
  HABITS,
  InvalidSeedOptionsError,
  SeedTargetNotEmptyError,
  seedDemoData,
} from './seed/index.ts';
