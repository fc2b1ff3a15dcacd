import type { DishCategory } from '@mealwise/db';
import type { UserStats } from '@mealwise/stats';

/** What a user gets when Gemini could not answer and there is no earlier record to keep. */
export interface RulesAdvice {
  summary: string;
  tips: string[];
}

const CATEGORY_LABEL: Record<DishCategory, string> = {
  soup: 'супы',
  salad: 'салаты',
  main: 'основные блюда',
  extra: 'дополнительные позиции',
};

const pct = (share: number): number => Math.round(share * 100);

function plural(n: number, one: string, few: string, many: string): string {
  const mod10 = n % 10;
  const mod100 = n % 100;
  if (mod10 === 1 && mod100 !== 11) return one;
  if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return few;
  return many;
}

function untried(stats: UserStats, category: DishCategory, used: Set<string>): string | undefined {
  const dish = stats.untried_dishes.find((d) => d.category === category && !used.has(d.name));
  if (dish) used.add(dish.name);
  return dish?.name;
}

/**
 * Deterministic advice from the statistics alone, in the same shape and language as Gemini's:
 * one sentence of summary, 2–3 tips (balance, variety, a new dish from the real menu).
 * Never blank: a failed call must not leave a user with nothing.
 */
export function rulesAdvice(stats: UserStats, days = 30): RulesAdvice {
  const used = new Set<string>();
  const orders = stats.orders_count;
  if (orders === 0) {
    const first = stats.untried_dishes[0]?.name;
    return {
      summary: `За последние ${days} ${plural(days, 'день', 'дня', 'дней')} заказов не было.`,
      tips: [
        'Соберите сбалансированный обед: суп или салат плюс основное блюдо.',
        first
          ? `Начните с блюда «${first}» — оно есть в меню.`
          : 'Загляните в меню — там есть из чего выбрать.',
      ],
    };
  }

  const entries = Object.entries(stats.categories) as [DishCategory, number][];
  const [topCategory, topShare] = entries.reduce((a, b) => (b[1] > a[1] ? b : a));
  const summary =
    `Чаще всего вы выбираете ${CATEGORY_LABEL[topCategory]} (${pct(topShare)}%): ` +
    `${orders} ${plural(orders, 'заказ', 'заказа', 'заказов')} и ${stats.unique_dishes} ` +
    `${plural(stats.unique_dishes, 'разное блюдо', 'разных блюда', 'разных блюд')} из ${stats.total_dishes_available} за ${days} ${plural(days, 'день', 'дня', 'дней')}.`;

  const tips: string[] = [];
  // Balance: vegetables first, then something hot and light, then too much of the main course.
  if (stats.categories.salad < 0.15) {
    const salad = untried(stats, 'salad', used);
    tips.push(`Добавьте к обеду салат — овощи сбалансируют рацион${salad ? `; например, «${salad}»` : ''}.`);
  } else if (stats.categories.soup < 0.1) {
    const soup = untried(stats, 'soup', used);
    tips.push(`Начинайте обед с супа хотя бы пару раз в неделю${soup ? ` — попробуйте «${soup}»` : ''}.`);
  } else if (stats.categories.main > 0.6) {
    tips.push('Основные блюда — больше половины заказа: разбавьте их лёгким супом или салатом.');
  } else {
    tips.push('Баланс супов, салатов и основных блюд у вас хороший — держите его.');
  }

  // Variety: few distinct dishes for the number of orders.
  const favourite = stats.favorite_dishes[0]?.name;
  if (stats.unique_dishes <= Math.max(3, Math.ceil(orders / 3))) {
    tips.push(
      `Вы часто берёте одно и то же${favourite ? ` (чаще всего «${favourite}»)` : ''} — раз в неделю выбирайте новое блюдо.`,
    );
  } else {
    tips.push(`Хорошее разнообразие: ${stats.unique_dishes} разных блюд — продолжайте пробовать новое.`);
  }

  // A real, untried dish from the menu.
  const next = stats.untried_dishes.find((d) => !used.has(d.name));
  if (next) tips.push(`Попробуйте «${next.name}» — вы его ещё не заказывали.`);

  return { summary, tips };
}
