/**
 * The Redis connection every fleet piece uses: one ioredis client per process part, handed to BullMQ (which
 * takes its Redis client as a peer and duplicates it for its blocking reads).
 */
import type { ConnectionOptions } from 'node:tls';
import { Redis } from 'ioredis';
import { ArgumentError, RedisUnavailableError } from '../errors.js';

/** Where the fleet's Redis is when neither `--redis` nor `GPUKIT_REDIS_URL` says. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** A Redis URL with its password (and user name) hidden, for logs and messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1…@');
}

/**
 * Why `url` is not a Redis URL gpukit connects to (`redis://` or `rediss://`, the latter over TLS), or
 * undefined. The problem never quotes a password.
 */
export function redisUrlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `'${redactUrl(url)}' is not a URL; expected redis://[:password@]host:port[/db], or rediss:// for TLS`;
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') return `'${redactUrl(url)}' is a ${u.protocol} URL; expected redis://[:password@]host:port[/db], or rediss:// for TLS`;
  if (u.hostname === '') return `'${redactUrl(url)}' names no host`;
  return undefined;
}

/**
 * The Redis URL: the one given, else `GPUKIT_REDIS_URL`, else {@link DEFAULT_REDIS_URL}. Throws
 * {@link ArgumentError} naming where a URL that is not a `redis://` or `rediss://` URL came from.
 */
export function redisUrl(given?: string): string {
  const env = process.env['GPUKIT_REDIS_URL'];
  const url = given ?? env ?? DEFAULT_REDIS_URL;
  const problem = redisUrlProblem(url);
  if (problem !== undefined) throw new ArgumentError(`${given !== undefined ? 'the redis option' : 'GPUKIT_REDIS_URL'}: ${problem}`);
  return url;
}

/**
 * An ioredis client for BullMQ. `maxRetriesPerRequest: null` is what BullMQ's workers require (a blocking read
 * must wait through a reconnect rather than fail); reconnects back off to at most a second, so a restarted Redis
 * is found again within a second of coming back. A `rediss://` URL connects over TLS (ioredis), verifying
 * the server's certificate against Node's CAs (`NODE_EXTRA_CA_CERTS`) or `tls.ca`; `tls` options with a
 * `redis://` URL are an {@link ArgumentError} (the URL says whether the connection is encrypted).
 *
 * @example
 * ```ts
 * const redis = connectRedis('rediss://:secret@redis.internal:6380', { ca: readFileSync('ca.crt') });
 * ```
 */
export function connectRedis(url: string, tls?: ConnectionOptions): Redis {
  const secure = /^rediss:/i.test(url);
  if (tls !== undefined && !secure) throw new ArgumentError(`fleet: tls options given for ${redactUrl(url)}; a TLS connection is a rediss:// URL`);
  return new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(100 * times, 1000),
    ...(secure ? { tls: tls ?? {} } : {}),
  });
}

/**
 * Resolves once `redis` is connected and ready (authenticated); rejects with {@link RedisUnavailableError}
 * after `ms` without, saying the last connection error. Commands on a client with `maxRetriesPerRequest: null`
 * would otherwise wait through the outage in silence.
 *
 * @example
 * ```ts
 * await whenReady(redis, url, 10_000);
 * ```
 */
export function whenReady(redis: Redis, url: string, ms: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    let last = 'no answer';
    const onError = (e: Error): void => {
      last = e.message.split('\n')[0] ?? e.message;
    };
    const done = (): void => {
      clearTimeout(timer);
      redis.off('error', onError);
      redis.off('ready', onReady);
    };
    const onReady = (): void => {
      done();
      resolve();
    };
    const timer = setTimeout(() => {
      done();
      reject(new RedisUnavailableError(redactUrl(url), `Redis at ${redactUrl(url)} not ready within ${String(ms)} ms (${last}); is it running, and is the URL's password right?`));
    }, ms);
    redis.on('error', onError);
    redis.on('ready', onReady);
  });
}
