/**
 * The submitting side of the fleet: a sharded job is one BullMQ flow, a parent "reduce" job whose children
 * are the shards. BullMQ runs the parent only once every child has finished; children that fail after their
 * attempts are recorded on the parent (`ignoreDependencyOnFailure`), which then fails naming them.
 */
import { randomBytes } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlowProducer, Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { ArgumentError, FleetJobError } from '../errors.js';
import { connectRedis, redisUrl } from './redis.js';
import { REDUCE_JOB, REGISTRY_PREFIX, SHARD_JOB, type ReduceJobData, type ReduceResult, type ShardJobData, type WorkerIdentity } from './protocol.js';

/** Options of {@link fleet}. */
export interface FleetOptions {
  /** Redis URL. @default `GPUKIT_REDIS_URL`, else redis://127.0.0.1:6379 */
  readonly redis?: string;
}

/** One sharded job. */
export interface RunOptions<S> {
  /**
   * The job module, as a path or file: URL every worker can import (the same checkout or package on each
   * machine): its default export `async (device, shard, index) => result` runs one shard on a worker's device,
   * and an optional `reduce(results, shards)` combines the results, in shard order, each exactly once.
   */
  readonly module: string | URL;
  /** The shards: small JSON descriptors (a seed and an offset, a file path), never the data itself. */
  readonly shards: readonly S[];
  /** Queue to publish to (`gpukit`, or a kind queue such as `gpukit.vulkan-core-llvmpipe`). @default 'gpukit' */
  readonly queue?: string;
  /** Tries per shard (a shard whose worker died counts as stalled, not as a try). @default 3 */
  readonly attempts?: number;
  /** Time budget of one try of one shard in ms; a try over it fails with the budget named. @default none */
  readonly budgetMs?: number;
  /** How long `run` waits for the whole job before it gives up (the job itself goes on). @default 10 minutes */
  readonly timeoutMs?: number;
}

/** Where each shard ran. */
export interface ShardReport {
  readonly index: number;
  readonly worker: { readonly id: string; readonly kind: string };
  readonly ms: number;
}

/** A finished sharded job. */
export interface RunResult<R> {
  /** The job's BullMQ id (of the parent job). */
  readonly jobId: string;
  /** What the module's `reduce` returned (without one: the shards' results in shard order). */
  readonly value: R;
  readonly shards: readonly ShardReport[];
  /** Child results the parent dropped because their shard index had been seen already (normally 0). */
  readonly duplicates: number;
}

/**
 * How long finished jobs stay in Redis (seconds): long enough to be waited for and inspected, not for ever on
 * a long-lived fleet. (The parent keeps its children's values itself, so a child's removal loses nothing.)
 */
const KEEP = { removeOnComplete: { age: 3600 }, removeOnFail: { age: 7 * 24 * 3600 } } as const;

function moduleSpec(m: string | URL): string {
  if (m instanceof URL) return m.protocol === 'file:' ? fileURLToPath(m) : m.href;
  if (m.startsWith('file:')) return fileURLToPath(m);
  if (m.startsWith('gpukit:')) return m;
  return isAbsolute(m) ? m : resolve(m);
}

/**
 * A handle on a fleet: submits sharded jobs as BullMQ flows, waits for them, lists the workers.
 *
 * @example
 * ```ts
 * import { fleet } from 'gpukit/fleet';
 * const f = fleet({ redis: 'redis://127.0.0.1:6379' });
 * const shards = [0, 1, 2, 3].map((i) => ({ seed: 7, offset: i * 1_000_000, paths: 1_000_000 }));
 * const { value } = await f.run({ module: new URL('./option-shard.js', import.meta.url), shards });
 * await f.close();
 * ```
 */
export class Fleet {
  readonly #redis: Redis;
  readonly #flows: FlowProducer;
  readonly #queues = new Map<string, { queue: Queue; events: QueueEvents; eventsRedis: Redis }>();
  #closed = false;

  constructor(o: FleetOptions = {}) {
    this.#redis = connectRedis(redisUrl(o.redis));
    this.#redis.on('error', () => undefined); // reconnects; a command that cannot wait fails on its own
    this.#flows = new FlowProducer({ connection: this.#redis });
  }

  async #queue(name: string): Promise<{ queue: Queue; events: QueueEvents }> {
    let q = this.#queues.get(name);
    if (q === undefined) {
      // QueueEvents blocks on its connection (XREAD), so it gets one of its own.
      const eventsRedis = this.#redis.duplicate();
      eventsRedis.on('error', () => undefined);
      q = { queue: new Queue(name, { connection: this.#redis }), events: new QueueEvents(name, { connection: eventsRedis }), eventsRedis };
      q.events.on('error', () => undefined);
      this.#queues.set(name, q);
      await q.events.waitUntilReady();
    }
    return q;
  }

  /**
   * Submits `shards` of `module` as one flow and waits for the reduced value. Rejects with a
   * {@link FleetJobError} listing each failed shard and its error when a shard failed after its tries.
   */
  async run<S, R = unknown>(o: RunOptions<S>): Promise<RunResult<R>> {
    const jobId = await this.submit(o);
    return this.wait<R>(jobId, o.queue ?? 'gpukit', o.timeoutMs);
  }

  /** Submits without waiting; returns the parent job's id for {@link Fleet.wait}. */
  async submit<S>(o: RunOptions<S>): Promise<string> {
    if (this.#closed) throw new ArgumentError('fleet: run after close()');
    if (!Array.isArray(o.shards) || o.shards.length === 0) throw new ArgumentError('fleet.run: shards must be a non-empty array');
    const queueName = o.queue ?? 'gpukit';
    const attempts = o.attempts ?? 3;
    if (!Number.isInteger(attempts) || attempts < 1) throw new ArgumentError(`fleet.run: attempts must be a positive integer, got ${String(attempts)}`);
    const module = moduleSpec(o.module);
    await this.#queue(queueName);
    // Ids chosen here, so a failed shard can be looked up by index afterwards.
    const flowId = `fleet-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const parent: ReduceJobData = { module, count: o.shards.length, shards: o.shards };
    await this.#flows.add({
      name: REDUCE_JOB,
      queueName,
      data: parent,
      opts: { jobId: flowId, attempts: 1, ...KEEP },
      children: o.shards.map((shard, index) => {
        const data: ShardJobData = { module, index, shard, budgetMs: o.budgetMs ?? 0 };
        return {
          name: SHARD_JOB,
          queueName,
          data,
          opts: { jobId: `${flowId}.${String(index)}`, attempts, backoff: { type: 'fixed', delay: 100 }, ignoreDependencyOnFailure: true, ...KEEP },
        };
      }),
    });
    return flowId;
  }

  /** Waits for a submitted job; see {@link Fleet.run}. */
  async wait<R = unknown>(jobId: string, queueName = 'gpukit', timeoutMs = 600_000): Promise<RunResult<R>> {
    const { queue, events } = await this.#queue(queueName);
    const job = await Job.fromId<ReduceJobData, ReduceResult>(queue, jobId);
    if (job === undefined) throw new FleetJobError(jobId, `fleet job ${jobId} is not in queue ${queueName} (was Redis restarted since it was submitted?)`);
    let out: ReduceResult;
    try {
      out = await job.waitUntilFinished(events, timeoutMs);
    } catch (e) {
      throw new FleetJobError(jobId, e instanceof Error ? e.message : String(e), await this.failures(jobId, queueName, job.data.count));
    }
    return { jobId, value: out.value as R, shards: out.shards, duplicates: out.duplicates };
  }

  /** Each failed shard of a job and its recorded error, by shard index. */
  async failures(jobId: string, queueName: string, count: number): Promise<{ index: number; error: string }[]> {
    const { queue } = await this.#queue(queueName);
    const out: { index: number; error: string }[] = [];
    for (let index = 0; index < count; index++) {
      const child = await Job.fromId(queue, `${jobId}.${String(index)}`);
      if (child !== undefined && (await child.getState()) === 'failed') out.push({ index, error: child.failedReason });
    }
    return out;
  }

  /** The workers that announced themselves in the last 15 seconds, with their adapter identity and queues. */
  async workers(): Promise<WorkerIdentity[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.#redis.scan(cursor, 'MATCH', `${REGISTRY_PREFIX}*`, 'COUNT', 100);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    const values = keys.length > 0 ? await this.#redis.mget(...keys) : [];
    return values.flatMap((v) => (v === null ? [] : [JSON.parse(v) as WorkerIdentity])).sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Closes the queues and the Redis connection (jobs already submitted go on). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const { queue, events, eventsRedis } of this.#queues.values()) {
      await events.close();
      await queue.close();
      eventsRedis.disconnect();
    }
    await this.#flows.close();
    this.#redis.disconnect();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Opens a handle on the fleet behind a Redis URL.
 *
 * @example
 * ```ts
 * await using f = fleet({ redis: process.env.GPUKIT_REDIS_URL });
 * console.log(await f.workers());
 * ```
 */
export function fleet(o: FleetOptions = {}): Fleet {
  return new Fleet(o);
}

