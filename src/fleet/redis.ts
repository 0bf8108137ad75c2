/**
 * The Redis connection every fleet piece uses: one ioredis client per process part, handed to BullMQ (which
 * takes its Redis client as a peer and duplicates it for its blocking reads).
 */
import { Redis } from 'ioredis';

/** Where the fleet's Redis is when neither `--redis` nor `GPUKIT_REDIS_URL` says. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The Redis URL: the one given, else `GPUKIT_REDIS_URL`, else {@link DEFAULT_REDIS_URL}. */
export function redisUrl(given?: string): string {
  return given ?? process.env['GPUKIT_REDIS_URL'] ?? DEFAULT_REDIS_URL;
}

/**
 * An ioredis client for BullMQ. `maxRetriesPerRequest: null` is what BullMQ's workers require (a blocking read
 * must wait through a reconnect rather than fail); reconnects back off to at most a second, so a restarted Redis
 * is found again within a second of coming back.
 *
 * @example
 * ```ts
 * const redis = connectRedis('redis://127.0.0.1:6379');
 * ```
 */
export function connectRedis(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(100 * times, 1000),
  });
}
