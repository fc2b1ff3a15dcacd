import type { RecommendationCache } from '@mealwise/recs';
import type { Redis } from '@mealwise/redis';
import type { RecordReader } from '../ports.ts';

/**
 * Reads `recommendations:user:{tgid}` (the key RecommendationCache writes) as a Buffer. A string
 * read would decode the UTF-8 record (Cyrillic text: the slow path) only for the response to
 * encode it again; the bytes go to the socket untouched, and are hashed for the ETag as they are.
 */
export function bufferRecordReader(
  cache: Pick<RecommendationCache, 'key'>,
  redis: Pick<Redis, 'getBuffer'>,
): RecordReader {
  return { getRawBuffer: (tgid) => redis.getBuffer(cache.key(tgid)) };
}
