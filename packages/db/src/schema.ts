import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

// The orders database belongs to the lunch-ordering service (DESIGN §4). mealwise only reads it;
// these migrations exist so demo and tests have the same schema.

export type DishCategory = 'soup' | 'salad' | 'main' | 'extra';
export const DISH_CATEGORIES: readonly DishCategory[] = ['soup', 'salad', 'main', 'extra'];

export type OrderStatus = 'created' | 'confirmed' | 'cancelled';

/** bigint columns arrive from `pg` as strings unless parsed; we parse int8 to number (ids < 2^53). */
type BigIntId = ColumnType<number, number | bigint, number | bigint>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface UsersTable {
  tgid: BigIntId;
  name: string | null;
  is_active: Generated<boolean>;
  created_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface CafesTable {
  id: Generated<number>;
  name: string;
  is_active: Generated<boolean>;
}

export interface DishesTable {
  id: Generated<number>;
  cafe_id: number;
  name: string;
  category: DishCategory;
  is_available: Generated<boolean>;
}

export interface OrdersTable {
  id: ColumnType<number, number | bigint | undefined, never>;
  user_tgid: BigIntId;
  cafe_id: number;
  status: OrderStatus;
  created_at: Timestamp;
}

export interface OrderItemsTable {
  order_id: BigIntId;
  dish_id: number;
  quantity: number;
}

export interface Database {
  users: UsersTable;
  cafes: CafesTable;
  dishes: DishesTable;
  orders: OrdersTable;
  order_items: OrderItemsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type Cafe = Selectable<CafesTable>;
export type Dish = Selectable<DishesTable>;
export type Order = Selectable<OrdersTable>;
export type OrderItem = Selectable<OrderItemsTable>;
