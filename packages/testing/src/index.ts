export type { TemplateSpec, TestDatabase } from './postgres.ts';
export { ADMIN_URL, createTestDatabase, databaseUrl, versionOf } from './postgres.ts';
export type { Spawned, SpawnOptions } from './process.ts';
export { freePort, spawnNodeTs, spawnProcess, waitFor } from './process.ts';
export { deleteByPrefix, dumpValues, TEST_REDIS_URL, uniquePrefix } from './redis.ts';
export type { OwnRedis } from './redis-server.ts';
export { startOwnRedis } from './redis-server.ts';
