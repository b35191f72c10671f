export { createTempDatabase, tempDatabasePath } from './temp-database.js'
export type { TempDatabase } from './temp-database.js'
export { pingRedis, redisUrl, requireRedis, uniqueKeyPrefix } from './redis.js'
export type { RedisRequirement } from './redis.js'
