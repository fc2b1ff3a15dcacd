export type { ActiveUsersQuery, StatsWindow, UserStats } from './types.ts';
