import type { DishCategory, OrderStatus } from '../schema.ts';
import { MENU_CATEGORIES, type SeedDish, type SeedMenu } from './menu.ts';
import { cumulative } from './random.ts';
import type { SeedUser } from './users.ts';

export const DAY_MS = 86_400_000;
/** Orders span the last 60 days before `now`. */
export const HISTORY_DAYS = 60;
/** The closed cafe stopped taking orders this many days ago. */
const CAFE_CLOSED_DAYS_AGO = 30;
/** Dishes now off the menu were last sold this many days ago. */
const DISH_REMOVED_DAYS_AGO = 20;

export interface GenOrder {
  tgid: number;
  cafeId: number;
  status: OrderStatus;
  at: number;
  /** Flat pairs: dish id, quantity, dish id, quantity, … (no object per item: millions of them). */
  items: number[];
}

export interface DayOfOrders {
  daysAgo: number;
  /** In time order (ids are assigned in this order, so they grow with time as in production). */
  orders: GenOrder[];
}

interface Pool {
  dishes: SeedDish[];
  cumulative: number[];
}

interface Taste {
  home: number;
  /** Where a user of the closed cafe eats after it closed. */
  fallbackHome: number;
  /** Loyal users: main, soup or salad, extra — ordered nine times out of ten. */
  favorites: SeedDish[];
  /** Multiplies the chance of taking each category (soup, salad, main, extra). */
  bias: number[];
  /** Chance of lunching at a cafe other than home. */
  wander: number;
}

const BASE_CATEGORY_CHANCE = [0.35, 0.3, 0.8, 0.3];

/** Per cafe and category: the dishes one can order `past` (> 20 days ago) or `now`. */
class MenuPools {
  readonly #pools = new Map<string, Pool>();
  readonly menu: SeedMenu;
  readonly activeCafes: number[];

  constructor(menu: SeedMenu) {
    this.menu = menu;
    this.activeCafes = menu.cafes.filter((c) => c.isActive).map((c) => c.id);
    for (const cafe of menu.cafes) {
      for (const category of MENU_CATEGORIES) {
        const all = (menu.byCafe.get(cafe.id) ?? []).filter((d) => d.category === category);
        for (const when of ['past', 'now'] as const) {
          const dishes = when === 'past' ? all : all.filter((d) => d.isAvailable);
          this.#pools.set(`${cafe.id}:${category}:${when}`, {
            dishes,
            cumulative: cumulative(dishes.map((d) => d.popularity)),
          });
        }
      }
    }
  }

  pool(cafeId: number, category: DishCategory, daysAgo: number): Pool {
    return this.#pools.get(`${cafeId}:${category}:${daysAgo > DISH_REMOVED_DAYS_AGO ? 'past' : 'now'}`)!;
  }
}

function buildTaste(user: SeedUser, pools: MenuPools): Taste {
  const { rnd } = user;
  const cafes = pools.menu.cafes;
  const loyal = user.profile.habit === 'loyal';
  const fallbackHome = rnd.pick(pools.activeCafes);
  const home = loyal ? fallbackHome : rnd.pick(cafes).id;
  const favorites: SeedDish[] = [];
  if (loyal) {
    for (const categories of [['main'], ['soup', 'salad'], ['extra']] as DishCategory[][]) {
      const { dishes, cumulative: cum } = pools.pool(home, rnd.pick(categories), 0);
      if (dishes.length) favorites.push(dishes[rnd.weightedIndex(cum)]!);
    }
  }
  return {
    home,
    fallbackHome,
    favorites,
    bias: BASE_CATEGORY_CHANCE.map(() => 0.4 + rnd.next() * 1.2),
    wander: user.profile.habit === 'varied' ? 0.35 : 0.1,
  };
}

/**
 * Walks the 60 days before `now`, oldest first, and yields each day's orders in time order. Each
 * user draws from his own random stream in a fixed sequence, so the output depends only on the
 * seed, the users and `now` — and a second walk (the order_items pass) yields the same orders.
 */
export function* generateOrders(
  users: readonly SeedUser[],
  menu: SeedMenu,
  nowMs: number,
): Generator<DayOfOrders> {
  const pools = new MenuPools(menu);
  const tastes = users.map((u) => buildTaste(u, pools));
  const todayStart = Math.floor(nowMs / DAY_MS) * DAY_MS;
  const closedCafes = new Set(menu.cafes.filter((c) => !c.isActive).map((c) => c.id));

  for (let daysAgo = HISTORY_DAYS - 1; daysAgo >= 0; daysAgo--) {
    const dayStart = todayStart - daysAgo * DAY_MS;
    const weekday = new Date(dayStart).getUTCDay();
    const dayFactor = weekday === 0 || weekday === 6 ? 1 / 6 : 1;
    const orders: GenOrder[] = [];
    for (let i = 0; i < users.length; i++) {
      const user = users[i]!;
      const { rnd, profile } = user;
      if (profile.orderChance === 0 || daysAgo < user.minDaysAgo || daysAgo > user.maxDaysAgo) continue;
      if (!rnd.chance(profile.orderChance * dayFactor)) continue;
      const taste = tastes[i]!;
      // Lunch: 11:00–15:00 Moscow time (08:00–12:00 UTC), busiest around 13:00.
      const at = dayStart + 8 * 3_600_000 + Math.floor(((rnd.next() + rnd.next()) / 2) * 4 * 3_600_000);
      let cafeId = rnd.chance(taste.wander) ? rnd.pick(menu.cafes).id : taste.home;
      if (closedCafes.has(cafeId) && daysAgo <= CAFE_CLOSED_DAYS_AGO) cafeId = taste.fallbackHome;
      const items = chooseItems(user, taste, pools, cafeId, daysAgo);
      const status: OrderStatus = rnd.chance(profile.cancelRate)
        ? 'cancelled'
        : daysAgo === 0 && rnd.chance(0.5)
          ? 'created'
          : 'confirmed';
      if (at > nowMs || items.length === 0) continue;
      orders.push({ tgid: user.tgid, cafeId, status, at, items });
    }
    orders.sort((a, b) => a.at - b.at || a.tgid - b.tgid);
    yield { daysAgo, orders };
  }
}

function chooseItems(
  user: SeedUser,
  taste: Taste,
  pools: MenuPools,
  cafeId: number,
  daysAgo: number,
): number[] {
  const { rnd } = user;
  const items: number[] = [];
  const qty = () => (rnd.chance(0.06) ? 2 : 1);
  if (taste.favorites.length && cafeId === taste.home && rnd.chance(0.9)) {
    taste.favorites.forEach((dish, i) => {
      if (i === 0 || rnd.chance(i === 1 ? 0.65 : 0.5)) items.push(dish.id, qty());
    });
    return items;
  }
  MENU_CATEGORIES.forEach((category, c) => {
    if (!rnd.chance(Math.min(0.95, BASE_CATEGORY_CHANCE[c]! * taste.bias[c]!))) return;
    const { dishes, cumulative: cum } = pools.pool(cafeId, category, daysAgo);
    if (dishes.length) items.push(dishes[rnd.weightedIndex(cum)]!.id, qty());
  });
  if (items.length === 0) {
    const { dishes, cumulative: cum } = pools.pool(cafeId, 'main', daysAgo);
    if (dishes.length) items.push(dishes[rnd.weightedIndex(cum)]!.id, qty());
  }
  return items;
}
