// Builds the model's answer from the statistics in the prompt, so that demos and tests see a
// plausible Russian summary and tips that follow the numbers (and name real dishes). Parsing is
// forgiving: a prompt without some line simply gets a more generic answer.

export interface PromptFacts {
  days?: number;
  orders?: number;
  shares: { soup?: number; salad?: number; main?: number; extra?: number };
  unique?: number;
  total?: number;
  favorites: { name: string; count: number }[];
  untried: { name: string; category: string }[];
}

const QUOTED = String.raw`"(?:[^"\\]|\\.)*"`;

const unquote = (q: string): string => {
  try {
    return JSON.parse(q) as string;
  } catch {
    return q.slice(1, -1);
  }
};

const num = (text: string, re: RegExp): number | undefined => {
  const m = re.exec(text);
  return m ? Number(m[1]) : undefined;
};

const lineAfter = (text: string, label: RegExp): string => text.split('\n').find((l) => label.test(l)) ?? '';

export function parsePrompt(text: string): PromptFacts {
  const favLine = lineAfter(text, /любим/i);
  const untriedLine = lineAfter(text, /не пробовал/i);
  const favorites = [...favLine.matchAll(new RegExp(`(${QUOTED})\\s*(?:×|x|\\()\\s*(\\d+)`, 'g'))].map(
    (m) => ({
      name: unquote(m[1]!),
      count: Number(m[2]),
    }),
  );
  const untried = [...untriedLine.matchAll(new RegExp(`(${QUOTED})\\s*(?:\\(([^)]*)\\))?`, 'g'))].map(
    (m) => ({
      name: unquote(m[1]!),
      category: m[2] ?? '',
    }),
  );
  return {
    days: num(text, /за\s+(\d+)\s+дн/i),
    orders: num(text, /заказов:\s*(\d+)/i),
    shares: {
      soup: num(text, /суп\S*[:\s]+(\d+(?:[.,]\d+)?)\s*%/i),
      salad: num(text, /салат\S*[:\s]+(\d+(?:[.,]\d+)?)\s*%/i),
      main: num(text, /основн\S*\s+блюд\S*[:\s]+(\d+(?:[.,]\d+)?)\s*%/i),
      extra: num(text, /дополнительн\S*[:\s]+(\d+(?:[.,]\d+)?)\s*%/i),
    },
    unique: num(text, /уникальных блюд[^:]*:\s*(\d+)/i),
    total: num(text, /уникальных блюд[^:]*:\s*\d+\s*из\s*(\d+)/i),
    favorites,
    untried,
  };
}

const CATEGORY_NAMES: Record<string, string> = {
  soup: 'супов',
  salad: 'салатов',
  main: 'основных блюд',
  extra: 'дополнительных блюд',
};

export interface Answer {
  summary: string;
  tips: string[];
}

export function composeAnswer(f: PromptFacts): Answer {
  const shares = Object.entries(f.shares).filter((e): e is [string, number] => e[1] !== undefined);
  const top = shares.sort((a, b) => b[1] - a[1])[0];
  const days = f.days ?? 30;
  const orders = f.orders !== undefined ? `${f.orders} заказов` : 'заказы';
  const variety =
    f.unique !== undefined && f.total !== undefined
      ? `, попробовано ${f.unique} из ${f.total} блюд меню`
      : '';
  const summary = top
    ? `За ${days} дней — ${orders}, больше всего ${CATEGORY_NAMES[top[0]]} (${top[1]} %)${variety}.`
    : `За ${days} дней — ${orders}${variety}.`;

  const tips: string[] = [];
  const salad = f.shares.salad;
  const main = f.shares.main;
  if (salad !== undefined && salad < 20) {
    tips.push(
      `Добавляйте к обеду салат: сейчас салаты — лишь ${salad} % заказанного, овощей стоит есть больше.`,
    );
  } else if (main !== undefined && main > 50) {
    tips.push(
      `Основные блюда занимают ${main} % рациона — через день заменяйте одно из них супом или салатом.`,
    );
  } else {
    tips.push('Баланс категорий неплохой: сохраняйте суп или салат в каждом обеде и не забывайте про овощи.');
  }
  const fav = f.favorites[0];
  if (f.unique !== undefined && f.total !== undefined && f.total > 0) {
    tips.push(
      fav
        ? `Вы пробовали ${f.unique} из ${f.total} блюд — раз в неделю берите новое вместо «${fav.name}» (заказано ${fav.count} раз).`
        : `Вы пробовали ${f.unique} из ${f.total} блюд — раз в неделю выбирайте что-то новое.`,
    );
  } else if (fav) {
    tips.push(`«${fav.name}» — ваш фаворит; чередуйте его с другими блюдами для разнообразия.`);
  } else {
    tips.push('Чередуйте блюда в течение недели, чтобы рацион был разнообразнее.');
  }
  const fresh = f.untried[0];
  if (fresh) {
    const other = f.untried[1];
    tips.push(
      other
        ? `Попробуйте «${fresh.name}» или «${other.name}» — вы их ещё не заказывали.`
        : `Попробуйте «${fresh.name}» — вы его ещё не заказывали.`,
    );
  }
  return { summary, tips };
}

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  maxLength?: number;
};

/**
 * Shapes the answer to the requested `responseJsonSchema` (as Google's constrained decoding
 * does): only the declared properties, arrays cut or padded to minItems/maxItems, strings cut to
 * maxLength. Unknown properties get a neutral value of their type.
 */
export function conformToSchema(schema: JsonSchema | undefined, answer: Answer): unknown {
  if (!schema || typeof schema !== 'object') return answer;
  return shape(schema, answer, undefined);
}

function shape(schema: JsonSchema, answer: Answer, name: string | undefined): unknown {
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === 'object' || (type === undefined && schema.properties)) {
    const out: Record<string, unknown> = {};
    for (const [prop, sub] of Object.entries(schema.properties ?? {})) out[prop] = shape(sub, answer, prop);
    return out;
  }
  if (type === 'array') {
    const source = name === 'tips' || name === undefined ? answer.tips : [];
    let items = source.map((t) =>
      shape(schema.items ?? { type: 'string' }, { ...answer, summary: t }, 'item'),
    );
    if (schema.maxItems !== undefined) items = items.slice(0, schema.maxItems);
    while (schema.minItems !== undefined && items.length < schema.minItems) {
      items.push(
        shape(
          schema.items ?? { type: 'string' },
          { ...answer, summary: 'Пейте больше воды в течение дня.' },
          'item',
        ),
      );
    }
    return items;
  }
  if (type === 'string') {
    const text = name === 'summary' || name === 'item' ? answer.summary : 'нет данных';
    return schema.maxLength !== undefined ? text.slice(0, schema.maxLength) : text;
  }
  if (type === 'number' || type === 'integer') return 0;
  if (type === 'boolean') return false;
  return null;
}
