export type { Redis } from 'ioredis';
export type { RedisClientOptions, RedisRole } from './client.ts';
export { closeRedis, createRedis } from './client.ts';
