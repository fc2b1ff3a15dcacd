import type { DishCategory } from '../schema.ts';
import { Random } from './random.ts';

// A Russian business-lunch menu. Every name appears in exactly one cafe, so "distinct dishes" in
// the stats means the same thing whether counted by dish id or by name.

const SOUPS = [
  'Борщ с курицей',
  'Борщ со сметаной',
  'Солянка мясная сборная',
  'Щи из свежей капусты',
  'Щи кислые с говядиной',
  'Куриный суп с лапшой',
  'Уха по-фински',
  'Рассольник ленинградский',
  'Гороховый суп с копчёностями',
  'Грибной крем-суп',
  'Тыквенный суп-пюре',
  'Крем-суп из брокколи',
  'Харчо',
  'Окрошка на квасе',
  'Суп с фрикадельками',
  'Лагман',
  'Сырный суп с гренками',
  'Чечевичный суп',
];

const SALADS = [
  'Салат Цезарь с курицей',
  'Салат Цезарь с креветками',
  'Греческий',
  'Оливье',
  'Винегрет',
  'Мимоза',
  'Сельдь под шубой',
  'Салат из свежих овощей',
  'Витаминный из капусты',
  'Салат с тунцом',
  'Тёплый салат с печенью',
  'Свёкла с чесноком и орехами',
  'Крабовый салат',
  'Салат Столичный',
  'Морковь по-корейски',
  'Салат с киноа и авокадо',
];

const MAINS = [
  'Котлета с пюре',
  'Плов с бараниной',
  'Гречка с грибами',
  'Гречка по-купечески',
  'Пельмени со сметаной',
  'Вареники с картошкой',
  'Бефстроганов с рисом',
  'Куриная грудка на гриле с овощами',
  'Котлета по-киевски',
  'Тефтели в томатном соусе',
  'Голубцы',
  'Жаркое по-домашнему',
  'Макароны по-флотски',
  'Рыба под маринадом',
  'Минтай с рисом',
  'Лосось на пару с брокколи',
  'Паста карбонара',
  'Драники со сметаной',
  'Блины с мясом',
  'Сырники со сметаной',
  'Шницель с картофелем фри',
  'Курица терияки с рисом',
  'Перец фаршированный',
  'Лазанья болоньезе',
  'Гуляш с гречкой',
  'Ёжики с картофельным пюре',
  'Печень по-строгановски',
  'Овощное рагу',
];

const EXTRAS = [
  'Морс клюквенный',
  'Компот из сухофруктов',
  'Компот вишнёвый',
  'Кисель ягодный',
  'Квас',
  'Чай чёрный',
  'Чай с имбирём и лимоном',
  'Кофе американо',
  'Капучино',
  'Хлеб бородинский',
  'Хлеб пшеничный',
  'Пирожок с капустой',
  'Пирожок с картошкой',
  'Сметана',
  'Ватрушка с творогом',
  'Булочка с корицей',
  'Сок апельсиновый',
  'Медовик',
  'Наполеон',
  'Чизкейк',
];

export const DISH_NAMES: Readonly<Record<DishCategory, readonly string[]>> = {
  soup: SOUPS,
  salad: SALADS,
  main: MAINS,
  extra: EXTRAS,
};

const CAFE_NAMES = [
  'Столовая «Берёзка»',
  'Кафе «Самовар»',
  'Бистро «Щи да каша»',
  'Гриль-кафе «Уголёк»',
  'Кафе «Обед у Гали»',
  'Кулинария «Пышка»',
];

export interface SeedCafe {
  id: number;
  name: string;
  isActive: boolean;
}

export interface SeedDish {
  id: number;
  cafeId: number;
  name: string;
  category: DishCategory;
  isAvailable: boolean;
  /** Relative popularity: a few dishes are ordered far more than the rest, as in real menus. */
  popularity: number;
}

export interface SeedMenu {
  cafes: SeedCafe[];
  dishes: SeedDish[];
  /** Dishes by cafe id. */
  byCafe: Map<number, SeedDish[]>;
}

export const MENU_CATEGORIES: readonly DishCategory[] = ['soup', 'salad', 'main', 'extra'];

/**
 * The cafes and their menus. The last cafe is closed (`is_active = false`): its dishes appear in
 * old orders only. About 8 % of dishes are off the menu (`is_available = false`).
 */
export function buildMenu(seed: number, cafeCount = 6): SeedMenu {
  if (!Number.isInteger(cafeCount) || cafeCount < 2 || cafeCount > CAFE_NAMES.length) {
    throw new RangeError(`cafes must be an integer from 2 to ${CAFE_NAMES.length}`);
  }
  const rnd = new Random(seed, 0x6d656e75);
  const cafes: SeedCafe[] = CAFE_NAMES.slice(0, cafeCount).map((name, i) => ({
    id: i + 1,
    name,
    isActive: i < cafeCount - 1,
  }));
  const dishes: SeedDish[] = [];
  for (const category of MENU_CATEGORIES) {
    // Deal each category's names round-robin, so every cafe serves every category.
    const names = rnd.shuffle([...DISH_NAMES[category]]);
    names.forEach((name, i) => {
      dishes.push({
        id: 0,
        cafeId: cafes[i % cafes.length]!.id,
        name,
        category,
        isAvailable: !rnd.chance(0.08),
        popularity: 0.2 + rnd.next() ** 2 * 3,
      });
    });
  }
  dishes.sort(
    (a, b) =>
      a.cafeId - b.cafeId || MENU_CATEGORIES.indexOf(a.category) - MENU_CATEGORIES.indexOf(b.category),
  );
  dishes.forEach((d, i) => {
    d.id = i + 1;
  });
  const byCafe = new Map<number, SeedDish[]>();
  for (const c of cafes) byCafe.set(c.id, []);
  for (const d of dishes) byCafe.get(d.cafeId)!.push(d);
  return { cafes, dishes, byCafe };
}
