import { cumulative, Random } from './random.ts';

/**
 * How a demo user orders. The mix exercises every stats rule: loyal users (a favourite set of
 * three dishes), varied eaters, light users below the activity threshold, lapsed users whose
 * orders are all older than 30 days, deactivated accounts, users who cancel a lot, newcomers who
 * joined during the window, and users who never ordered.
 */
export type Habit =
  | 'loyal'
  | 'varied'
  | 'light'
  | 'lapsed'
  | 'deactivated'
  | 'canceller'
  | 'newcomer'
  | 'none';

export interface HabitProfile {
  habit: Habit;
  /** Share of users with this habit. */
  weight: number;
  /** Chance of ordering on a working day (weekends: a sixth of it). */
  orderChance: number;
  cancelRate: number;
}

export const HABITS: readonly HabitProfile[] = [
  { habit: 'loyal', weight: 0.22, orderChance: 0.5, cancelRate: 0.02 },
  { habit: 'varied', weight: 0.25, orderChance: 0.36, cancelRate: 0.03 },
  { habit: 'light', weight: 0.15, orderChance: 0.05, cancelRate: 0.03 },
  { habit: 'lapsed', weight: 0.05, orderChance: 0.45, cancelRate: 0.03 },
  { habit: 'deactivated', weight: 0.06, orderChance: 0.4, cancelRate: 0.03 },
  { habit: 'canceller', weight: 0.1, orderChance: 0.42, cancelRate: 0.35 },
  { habit: 'newcomer', weight: 0.09, orderChance: 0.5, cancelRate: 0.03 },
  { habit: 'none', weight: 0.08, orderChance: 0, cancelRate: 0 },
];

const FIRST_NAMES = [
  'Александр',
  'Анна',
  'Дмитрий',
  'Екатерина',
  'Сергей',
  'Мария',
  'Андрей',
  'Ольга',
  'Алексей',
  'Наталья',
  'Михаил',
  'Елена',
  'Иван',
  'Татьяна',
  'Николай',
  'Ирина',
  'Павел',
  'Светлана',
  'Артём',
  'Юлия',
  'Максим',
  'Дарья',
  'Илья',
  'Ксения',
];
const INITIALS = 'АБВГДЕЖЗИКЛМНОПРСТУФХЧШЭЮЯ';

/** Telegram ids are sparse 64-bit numbers; ours are ascending, unique and above 2^32. */
const TGID_BASE = 5_000_000_000;
const TGID_STRIDE = 97;

export function tgidOf(index: number, rnd: Random): number {
  return TGID_BASE + index * TGID_STRIDE + rnd.int(0, TGID_STRIDE - 1);
}

export interface SeedUser {
  index: number;
  tgid: number;
  name: string;
  isActive: boolean;
  createdAt: number;
  profile: HabitProfile;
  /** Orders only on days between these many days ago: newcomers joined recently, lapsed users stopped a month ago. */
  minDaysAgo: number;
  maxDaysAgo: number;
  /** This user's own random stream: generation is deterministic per user and seed. */
  rnd: Random;
}

const DAY_MS = 86_400_000;

export function buildUser(seed: number, index: number, nowMs: number, habitCumulative: number[]): SeedUser {
  const rnd = new Random(seed, 0x75736572, index);
  const profile = HABITS[rnd.weightedIndex(habitCumulative)]!;
  const tgid = tgidOf(index, rnd);
  const name = `${rnd.pick(FIRST_NAMES)} ${INITIALS[rnd.int(0, INITIALS.length - 1)]}.`;
  let maxDaysAgo = 59;
  let minDaysAgo = 0;
  let joinedDaysAgo = rnd.int(61, 900);
  if (profile.habit === 'newcomer') {
    joinedDaysAgo = rnd.int(3, 25);
    maxDaysAgo = joinedDaysAgo;
  } else if (profile.habit === 'lapsed') {
    minDaysAgo = 31 + rnd.int(0, 5);
  }
  return {
    index,
    tgid,
    name,
    isActive: profile.habit !== 'deactivated',
    createdAt: nowMs - joinedDaysAgo * DAY_MS - rnd.int(0, DAY_MS - 1),
    profile,
    minDaysAgo,
    maxDaysAgo,
    rnd,
  };
}

/**
 * The users of a seed. Each call builds fresh random streams: a walk over the orders consumes
 * them, and the order_items pass must replay exactly the same walk.
 */
export function buildUsers(seed: number, count: number, nowMs: number): SeedUser[] {
  const habitCumulative = cumulative(HABITS.map((h) => h.weight));
  const users: SeedUser[] = [];
  for (let i = 0; i < count; i++) users.push(buildUser(seed, i, nowMs, habitCumulative));
  return users;
}
