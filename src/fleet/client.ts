/**
 * The submitting side of the fleet: a sharded job is one BullMQ flow, a parent "reduce" job whose children
 * are the shards. BullMQ runs the parent only once every child has finished; children that fail after their
 * attempts are recorded on the parent (`ignoreDependencyOnFailure`), which then fails naming them.
 */
import { randomBytes } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlowProducer, Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { ArgumentError, FleetJobError } from '../errors.js';
import { connectRedis, redactUrl, redisUrl, whenReady } from './redis.js';
import {
  checkReduceJob,
  checkWorkerIdentity,
  MAX_BUDGET_MS,
  MAX_SHARDS,
  REDUCE_JOB,
  REGISTRY_PREFIX,
  SHARD_JOB,
  type ReduceJobData,
  type ReduceResult,
  type ShardJobData,
  type WorkerIdentity,
} from './protocol.js';

/** Options of {@link fleet}. */
export interface FleetOptions {
  /** Redis URL (`redis://:password@host:port`, `rediss://` for TLS). @default `GPUKIT_REDIS_URL`, else redis://127.0.0.1:6379 */
  readonly redis?: string;
  /** TLS options (a private CA: `{ ca }`) of a `rediss://` URL. @default Node's CAs */
  readonly tls?: ConnectionOptions;
  /** How long a call waits for Redis to be reachable before it fails with a RedisUnavailableError. @default 10000 */
  readonly connectTimeoutMs?: number;
  /** Called with one line for each problem that is skipped rather than thrown (a bad worker registry entry). @default stderr */
  readonly warn?: (line: string) => void;
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
  /** Time budget of one try of one shard in ms (at most 2^31−1); a try over it fails with the budget named. @default none */
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

/** The module as the absolute path workers get; any URL but file: is refused here (workers refuse it too). */
function moduleSpec(m: string | URL): string {
  const href = m instanceof URL ? m.href : m;
  if (href.startsWith('file:')) {
    try {
      return fileURLToPath(href);
    } catch (e) {
      throw new ArgumentError(`fleet.run: module '${href.slice(0, 120)}' is not a usable file: URL (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  if (href.startsWith('gpukit:')) return href;
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) && !/^[a-z]:[\\/]/i.test(href)) {
    throw new ArgumentError(`fleet.run: module '${href.slice(0, 120)}' is a URL; a job module is a file path (or file: URL) under the workers' --modules`);
  }
  return isAbsolute(href) ? href : resolve(href);
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
  readonly #url: string;
  readonly #connectMs: number;
  readonly #warn: (line: string) => void;
  #closed = false;

  constructor(o: FleetOptions = {}) {
    this.#url = redisUrl(o.redis);
    this.#connectMs = o.connectTimeoutMs ?? 10_000;
    if (!Number.isInteger(this.#connectMs) || this.#connectMs < 1 || this.#connectMs > MAX_BUDGET_MS) throw new ArgumentError(`fleet: connectTimeoutMs must be a whole number of ms in 1..${String(MAX_BUDGET_MS)}, got ${String(o.connectTimeoutMs)}`);
    this.#warn = o.warn ?? ((line) => process.stderr.write(`gpukit: ${line}\n`));
    this.#redis = connectRedis(this.#url, o.tls);
    this.#redis.on('error', () => undefined); // reconnects; a command that cannot wait fails on its own
    this.#flows = new FlowProducer({ connection: this.#redis });
  }

  /** Redis reachable, or a RedisUnavailableError after connectTimeoutMs (rather than a silent wait). */
  async #ready(): Promise<void> {
    await whenReady(this.#redis, this.#url, this.#connectMs);
  }

  async #queue(name: string): Promise<{ queue: Queue; events: QueueEvents }> {
    await this.#ready();
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
    if (o.shards.length > MAX_SHARDS) throw new ArgumentError(`fleet.run: ${String(o.shards.length)} shards; at most ${String(MAX_SHARDS)} per job`);
    const budgetMs = o.budgetMs ?? 0;
    if (!Number.isInteger(budgetMs) || budgetMs < 0 || budgetMs > MAX_BUDGET_MS) {
      throw new ArgumentError(`fleet.run: budgetMs must be a whole number of ms in 0..${String(MAX_BUDGET_MS)} (Node's longest timer), got ${String(o.budgetMs)}`);
    }
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
        const data: ShardJobData = { module, index, shard, budgetMs };
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

  /**
   * Waits for a submitted job; see {@link Fleet.run}. Rejects with a {@link FleetJobError} after `timeoutMs`,
   * or within about a second of the job vanishing from Redis (a Redis restarted without persistence).
   */
  async wait<R = unknown>(jobId: string, queueName = 'gpukit', timeoutMs = 600_000): Promise<RunResult<R>> {
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_BUDGET_MS) throw new ArgumentError(`fleet.wait: timeoutMs must be a whole number of ms in 1..${String(MAX_BUDGET_MS)}, got ${String(timeoutMs)}`);
    const { queue, events } = await this.#queue(queueName);
    const job = await Job.fromId<ReduceJobData, ReduceResult>(queue, jobId);
    if (job === undefined) throw new FleetJobError(jobId, `fleet job ${jobId} is not in queue ${queueName} (was Redis restarted since it was submitted?)`);
    const { count } = checkReduceJob(jobId, job.data);
    let out: ReduceResult;
    let timer: NodeJS.Timeout | undefined;
    let watch: NodeJS.Timeout | undefined;
    try {
      const over = new Promise<never>((_, reject) => {
        timer = setTimeout(() => { reject(new Error(`fleet job ${jobId}: no result after ${String(timeoutMs)} ms (the job goes on)`)); }, timeoutMs);
      });
      // BullMQ's wait hears of a finished job only; a job lost with a Redis restart would be waited for until the timeout.
      const gone = new Promise<never>((_, reject) => {
        let asking = false;
        watch = setInterval(() => {
          if (asking) return;
          asking = true;
          this.#redis.exists(queue.toKey(jobId)).then(
            (n) => {
              asking = false;
              if (n === 0) reject(new Error(`fleet job ${jobId} vanished from queue ${queueName} in Redis at ${redactUrl(this.#url)} while waited for (Redis restarted without persistence, or the job was removed)`));
            },
            () => { asking = false; },
          );
        }, 1000);
      });
      out = await Promise.race([job.waitUntilFinished(events), over, gone]);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new FleetJobError(jobId, why, await this.failures(jobId, queueName, count).catch(() => []));
    } finally {
      clearTimeout(timer);
      clearInterval(watch);
    }
    return { jobId, value: out.value as R, shards: out.shards, duplicates: out.duplicates };
  }

  /** Each failed shard of a job and its recorded error, by shard index. */
  async failures(jobId: string, queueName: string, count: number): Promise<{ index: number; error: string }[]> {
    if (!Number.isInteger(count) || count < 0 || count > MAX_SHARDS) throw new ArgumentError(`fleet.failures: count must be a whole number in 0..${String(MAX_SHARDS)}, got ${String(count)}`);
    const { queue } = await this.#queue(queueName);
    const out: { index: number; error: string }[] = [];
    for (let index = 0; index < count; index++) {
      const child = await Job.fromId(queue, `${jobId}.${String(index)}`);
      if (child !== undefined && (await child.getState()) === 'failed') out.push({ index, error: child.failedReason });
    }
    return out;
  }

  /**
   * The workers that announced themselves in the last 15 seconds, with their adapter identity and queues. An
   * entry that is not a worker identity (not JSON, a field of the wrong type, a kind that is not a plain name)
   * is left out, with one warning naming its key.
   */
  async workers(): Promise<WorkerIdentity[]> {
    await this.#ready();
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.#redis.scan(cursor, 'MATCH', `${REGISTRY_PREFIX}*`, 'COUNT', 100);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    const values = keys.length > 0 ? await this.#redis.mget(...keys) : [];
    const out: WorkerIdentity[] = [];
    values.forEach((v, i) => {
      if (v === null) return; // expired since the scan
      let parsed: unknown;
      let problem: string;
      try {
        parsed = JSON.parse(v);
        const w = checkWorkerIdentity(parsed);
        if (typeof w !== 'string') {
          out.push(w);
          return;
        }
        problem = w;
      } catch {
        problem = 'not JSON';
      }
      this.#warn(`fleet: ignoring worker registry entry ${JSON.stringify(keys[i]?.slice(0, 200))} (${problem})`);
    });
    return out.sort((a, b) => a.id.localeCompare(b.id));
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

