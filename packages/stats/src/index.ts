export { InvalidStatsInputError, UserNotFoundError } from './errors.ts';
export { categoryShares } from './shares.ts';
export type { ActiveUsersCountQuery, StatsServiceOptions } from './stats-service.ts';
export { StatsService } from './stats-service.ts';
export type { ActiveUsersQuery, StatsWindow, UserStats } from './types.ts';
export {
  DEFAULT_DAYS,
  DEFAULT_MIN_ORDERS,
  DEFAULT_PAGE_SIZE,
  MAX_DAYS,
  MAX_MIN_ORDERS,
  MAX_PAGE_SIZE,
} from './validate.ts';
