/**
 * A fleet over TLS, as a `rediss://` URL asks: Redis with a password on a TLS port only (a throw-away CA), a
 * worker that trusts the CA through NODE_EXTRA_CA_CERTS, a submitter through `tls: { ca }`. A job runs; a
 * client that does not trust the CA, or speaks plain Redis to the TLS port, gets a RedisUnavailableError.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ArgumentError, RedisUnavailableError } from '../../src/errors.js';
import { fleet, type Fleet } from '../../src/fleet/index.js';
import { connectRedis } from '../../src/fleet/redis.js';
import { closeAll, startRedis, startWorker, type RedisProcess, type WorkerProcess } from './harness.js';
import type { SlowShard } from './jobs/slow.js';

const SLOW = fileURLToPath(new URL('./jobs/slow.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gpukit-tls-job-'));

let redis: RedisProcess;
let w: WorkerProcess;
let f: Fleet;

beforeAll(async () => {
  redis = await startRedis({ tls: true });
  const ca = redis.ca ?? '';
  w = await startWorker(redis.url, 'core', 'tls', { env: { NODE_EXTRA_CA_CERTS: ca } });
  f = fleet({ redis: redis.url, tls: { ca: readFileSync(ca) } });
}, 90_000);

afterAll(() => closeAll(f), 30_000);

describe('a fleet over TLS', () => {
  test('a rediss:// URL: the worker and the submitter connect over TLS, and a job runs', async () => {
    expect(redis.url).toMatch(/^rediss:\/\//);
    const log = join(dir, 'log.txt');
    const r = await f.run<SlowShard, { indices: number[] }>({ module: SLOW, shards: [{ log, ms: 1 }], queue: 'tls', timeoutMs: 30_000 });
    expect(r.value.indices).toEqual([0]);
    expect(r.shards[0]?.worker.id).toBe(w.id);
  });

  test('a client that does not trust the CA, or speaks plain Redis to the TLS port, is refused', async () => {
    const untrusting = fleet({ redis: redis.url, connectTimeoutMs: 1000 });
    const plain = fleet({ redis: redis.url.replace(/^rediss:/, 'redis:'), connectTimeoutMs: 1000 });
    try {
      await expect(untrusting.workers()).rejects.toThrow(RedisUnavailableError);
      await expect(untrusting.workers()).rejects.toThrow(/self-signed certificate/);
      await expect(plain.workers()).rejects.toThrow(RedisUnavailableError);
    } finally {
      await untrusting.close();
      await plain.close();
    }
  });

  test('tls options with a redis:// URL are refused: the URL says whether the connection is encrypted', () => {
    expect(() => connectRedis('redis://:pw@127.0.0.1:1', { ca: 'x' })).toThrow(ArgumentError);
    expect(() => fleet({ redis: 'redis://:pw@127.0.0.1:1', tls: {} })).toThrow(/tls options given for redis:\/\/…@127\.0\.0\.1:1; a TLS connection is a rediss:\/\/ URL/);
  });
});
