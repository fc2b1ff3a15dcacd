export type { DbOptions } from './connection.ts';
export { createDb, createPool } from './connection.ts';
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
