/**
 * `gpukit/fleet`: many machines, many adapters. `gpukit worker` processes each open one device and take jobs
 * from BullMQ queues on Redis; {@link fleet} submits a sharded job (a module run per shard, then its
 * `reduce`) as one BullMQ flow and waits for the result. See the README's "Scaling out".
 *
 * @example
 * ```ts
 * import { fleet } from 'gpukit/fleet';
 * await using f = fleet({ redis: 'redis://127.0.0.1:6379' });
 * const { value } = await f.run({ module: '/srv/jobs/option-shard.js', shards });
 * ```
 */
export { fleet, Fleet, type FleetOptions, type RunOptions, type RunResult, type ShardReport } from './client.js';
export { startWorker, adapterKind, type FleetWorker, type WorkerOptions } from './worker.js';
export { collectShards, type WorkerIdentity, type ShardResult } from './protocol.js';
export { DEFAULT_REDIS_URL } from './redis.js';
export { FleetJobError, RedisUnavailableError } from '../errors.js';
