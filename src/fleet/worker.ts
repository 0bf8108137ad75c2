/**
 * `gpukit worker`: one process, one device, BullMQ workers on one or more queues. A device runs one job at a
 * time (each queue's BullMQ worker has concurrency 1, and a per-process lock serialises the queues), so a job
 * sees the whole device. Crash safety is BullMQ's: a job's lock is renewed while it runs, and a worker killed
 * mid-job stops renewing it, so another worker's stalled-job check moves the job back to wait and it runs
 * again elsewhere (its first, unfinished run never reports a result).
 */
import { hostname } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { describeAdapter, type DeviceInfo } from '../device/info.js';
import { openDevice, type GpuDevice, type OpenDeviceOptions } from '../gpu-device.js';
import { formatJson } from '../bench/report.js';
import { ArgumentError, FleetJobError } from '../errors.js';
import { connectRedis, redisUrl } from './redis.js';
import {
  BENCH_MODULE,
  collectShards,
  expandQueue,
  REDUCE_JOB,
  REGISTRY_PREFIX,
  SHARD_JOB,
  type ReduceJobData,
  type ReduceResult,
  type ShardJobData,
  type ShardResult,
  type WorkerIdentity,
} from './protocol.js';

/** Options of {@link startWorker}. */
export interface WorkerOptions {
  /** Redis URL. @default `GPUKIT_REDIS_URL`, else redis://127.0.0.1:6379 */
  readonly redis?: string;
  /** Queues to consume; `{kind}` expands to this worker's adapter kind (`gpukit,gpukit.{kind}`). @default ['gpukit'] */
  readonly queues?: readonly string[];
  /** How the device is opened (engine, backend, feature level, adapter). @default engine auto */
  readonly open?: OpenDeviceOptions;
  /** BullMQ job lock in ms: a killed worker's job is recovered after about this long. @default 30000 */
  readonly lockDurationMs?: number;
  /** BullMQ stalled-job check interval in ms. @default 30000 */
  readonly stalledIntervalMs?: number;
  /** Times a job may stall (its worker died) before it fails. @default 2 */
  readonly maxStalledCount?: number;
  /** Called with one line per event (ready, job start/end, shutdown). @default nothing */
  readonly log?: (line: string) => void;
}

/** Adapter families a kind is named after, most specific first (Dawn's GLES adapter names only "Mesa"). */
const FAMILIES = ['llvmpipe', 'lavapipe', 'swiftshader', 'warp', 'nvidia', 'radeon', 'amd', 'intel', 'apple', 'adreno', 'mali', 'mesa'];

/** The adapter kind used in queue names: backend, feature level and adapter family, or gpu.js and its mode. */
export function adapterKind(info: DeviceInfo): string {
  const names = `${info.vendor} ${info.architecture} ${info.description}`.toLowerCase();
  const family = FAMILIES.find((f) => names.includes(f)) ?? (names.trim().split(/[\s:(/]+/)[0] || 'unknown');
  const parts = info.engine === 'gpujs' ? ['gpujs', info.backend] : [info.backend, info.featureLevel, family];
  return parts.join('-').replace(/[^a-z0-9.-]+/gi, '_');
}

/** A job module: its default export (or `run`) runs one shard; `reduce` combines the shards' results. */
interface JobModule {
  readonly run: (device: GpuDevice, shard: unknown, index: number) => unknown;
  readonly reduce?: (results: unknown[], shards: readonly unknown[]) => unknown;
}

/** Modification time of each job module file when this process first imported it. */
const loadedAt = new Map<string, number>();

/**
 * Imports a job module. Node caches a module by URL for the life of the process, so a worker keeps running
 * the code it first imported: a module changed on disk takes effect in workers started after the change.
 * (A cache-busting import would reload only the module's own file, not what it imports: half old, half new.)
 * A change is said in the log, once per change, so a stale worker is visible.
 */
async function loadModule(spec: string, log: (line: string) => void = () => undefined): Promise<JobModule> {
  const url = /^[a-z][a-z0-9+.-]*:/i.test(spec) && !/^[a-z]:[\\/]/i.test(spec) ? spec : pathToFileURL(isAbsolute(spec) ? spec : resolve(spec)).href;
  if (url.startsWith('file:')) {
    const mtime = await stat(fileURLToPath(url)).then((st) => st.mtimeMs, () => undefined);
    const first = loadedAt.get(url);
    if (first === undefined && mtime !== undefined) loadedAt.set(url, mtime);
    else if (first !== undefined && mtime !== undefined && mtime !== first) {
      log(`job module ${spec} changed on disk since this worker imported it; this worker runs the code it imported first (restart workers to deploy the new code)`);
      loadedAt.set(url, mtime);
    }
  }
  const mod = (await import(url)) as Record<string, unknown>;
  const run = typeof mod['default'] === 'function' ? mod['default'] : mod['run'];
  if (typeof run !== 'function') throw new UnrecoverableError(`job module ${spec} exports no default function (device, shard) => result`);
  const reduce = mod['reduce'];
  return { run: run as JobModule['run'], ...(typeof reduce === 'function' ? { reduce: reduce as JobModule['reduce'] & object } : {}) };
}

/** A running worker. */
export interface FleetWorker {
  readonly identity: WorkerIdentity;
  /**
   * Stops taking jobs, lets the current one finish, then closes the device and Redis. With `force` (also when
   * a plain close is already waiting) the current job is handed back at once: moved back to its queue's wait
   * list for another worker, its try not counted, and whatever the abandoned try still does is never
   * reported (it keeps running in this process until it returns; `gpukit worker` exits instead).
   */
  close(force?: boolean): Promise<void>;
}

/**
 * Opens a device and consumes fleet jobs until closed. Announces itself in Redis (a key renewed every few
 * seconds, listed by `Fleet.workers()`) and through `log`.
 *
 * @example
 * ```ts
 * const w = await startWorker({ redis: 'redis://127.0.0.1:6379', queues: ['gpukit', 'gpukit.{kind}'] });
 * process.once('SIGTERM', () => void w.close());
 * ```
 */
export async function startWorker(o: WorkerOptions = {}): Promise<FleetWorker> {
  const log = o.log ?? ((): void => undefined);
  const device = await openDevice(o.open ?? {});
  const kind = adapterKind(device.info);
  const queues = [...new Set((o.queues ?? ['gpukit']).map((q) => expandQueue(q, kind)))];
  if (queues.length === 0) throw new ArgumentError('gpukit worker: no queue to consume');
  const identity: WorkerIdentity = {
    id: `${hostname()}:${String(process.pid)}:${randomBytes(3).toString('hex')}`,
    kind,
    adapter: describeAdapter(device.info),
    engine: device.info.engine,
    backend: device.info.backend,
    featureLevel: device.info.featureLevel,
    isSoftware: device.info.isSoftware,
    host: hostname(),
    pid: process.pid,
    queues,
    startedAt: new Date().toISOString(),
  };
  let closing: Promise<void> | undefined;
  // Aborted by close(true): the running shard is handed back to the queue.
  const forced = new AbortController();
  const url = redisUrl(o.redis);
  const redis: Redis = connectRedis(url);
  // Redis restarts are survived by reconnecting; ioredis reports each failed try, so say it once per outage.
  const where = url.replace(/\/\/[^@/]*@/, '//…@'); // no password in the log
  let down = false;
  const lost = (why: string): void => {
    if (down || closing !== undefined) return;
    down = true;
    log(`Redis at ${where} unreachable (${why}); retrying`);
  };
  redis.on('error', (e: Error) => {
    lost(e.message);
  });
  redis.on('close', () => {
    lost('connection closed');
  });
  redis.on('ready', () => {
    if (down) log(`Redis at ${where} reachable again`);
    down = false;
  });

  // One job at a time on the device, across all queues. A try that ran out of its time budget is failed at
  // once, but keeps the device until its own promise settles: the next job must not share the device with it.
  let deviceFree: Promise<void> = Promise.resolve();
  const takeDevice = async (): Promise<() => void> => {
    const before = deviceFree;
    let release = (): void => undefined;
    deviceFree = new Promise<void>((r) => (release = r));
    await before;
    return release;
  };

  const runShard = async (job: Job<ShardJobData>, token: string | undefined): Promise<ShardResult> => {
    const { module, index, shard, budgetMs } = job.data;
    const what = `${job.queueName} job ${String(job.id)} shard ${String(index)}`;
    log(`start ${what} attempt ${String(job.attemptsStarted)}`);
    const t0 = performance.now();
    const work = async (): Promise<unknown> => {
      if (module === BENCH_MODULE) {
        const s = shard as { op: string; sizes: string; quick?: boolean };
        // Loaded here: the bench needs tinybench (a devDependency), which a worker that only runs user jobs lacks.
        const { sweepBench } = await import('../bench/run.js');
        const report = await sweepBench({ ops: [s.op], sizes: s.sizes, quick: s.quick === true, progress: false, device, command: `gpukit bench --fleet ${s.op} --sizes ${s.sizes}` });
        // As text: Redis stores results as JSON, where a report's Infinity (an asymptote) would become null.
        return { identity, report: formatJson(report) };
      }
      const mod = await loadModule(module, log);
      return await mod.run(device, shard, index);
    };
    // close(true) hands the shard back, whether it is running or still waiting for the device.
    const HAND_BACK = Symbol('hand back');
    let onForce = (): void => undefined;
    const handBack = new Promise<typeof HAND_BACK>((r) => {
      onForce = () => { r(HAND_BACK); };
      if (forced.signal.aborted) onForce();
      else forced.signal.addEventListener('abort', onForce, { once: true });
    });
    const giveBack = async (): Promise<never> => {
      // Back to the wait list (not failed, its try not counted); BullMQ leaves a job that threw WaitingError
      // where the processor put it. If Redis cannot be told now, the job's lock runs out instead and the
      // stalled-job check hands it on. Either way this try never reports a result.
      let how = 'to the queue';
      try {
        if (token === undefined) throw new Error('no lock token');
        await job.moveToWait(token);
      } catch (e) {
        how = `to the stalled-job check (${e instanceof Error ? e.message : String(e)})`;
      }
      log(`handed back ${what} ${how}`);
      throw new WaitingError();
    };
    let timer: NodeJS.Timeout | undefined;
    try {
      const taking = takeDevice();
      const took = await Promise.race([taking, handBack]);
      if (took === HAND_BACK) {
        void taking.then((release) => { release(); });
        return await giveBack();
      }
      const running = work();
      void running.then(took, took);
      const over = new Promise<never>((_, reject) => {
        if (budgetMs > 0) {
          timer = setTimeout(() => {
            reject(new FleetJobError(String(job.id), `shard ${String(index)} exceeded its time budget of ${String(budgetMs)} ms on worker ${identity.id}`));
          }, budgetMs);
        }
      });
      let result: unknown;
      try {
        result = await Promise.race([running, over, handBack]);
      } catch (e) {
        log(`fail ${what}: ${e instanceof Error ? e.message : String(e)}`);
        throw e;
      }
      if (result === HAND_BACK) return await giveBack();
      const ms = performance.now() - t0;
      log(`done ${what} in ${ms.toFixed(0)} ms`);
      return { index, result, worker: { id: identity.id, kind }, ms };
    } finally {
      clearTimeout(timer);
      forced.signal.removeEventListener('abort', onForce);
    }
  };
  const runReduce = async (job: Job<ReduceJobData>): Promise<ReduceResult> => {
    const id = String(job.id);
    const failures = await job.getIgnoredChildrenFailures();
    if (Object.keys(failures).length > 0) {
      // Unrecoverable: retrying the parent cannot bring a failed shard back.
      throw new UnrecoverableError(`fleet job ${id}: ${String(Object.keys(failures).length)} shard(s) failed: ${Object.values(failures).join('; ')}`);
    }
    let collected: ReturnType<typeof collectShards>;
    try {
      collected = collectShards(id, Object.values(await job.getChildrenValues()), job.data.count);
    } catch (e) {
      throw new UnrecoverableError(e instanceof Error ? e.message : String(e));
    }
    const { results, duplicates } = collected;
    const values = results.map((r) => r.result);
    const mod = job.data.module === BENCH_MODULE ? undefined : await loadModule(job.data.module, log);
    const value = mod?.reduce !== undefined ? await mod.reduce(values, job.data.shards) : values;
    log(`reduce ${job.queueName} job ${id}: ${String(results.length)} shards${duplicates > 0 ? `, ${String(duplicates)} duplicate(s) dropped` : ''}`);
    return { value, shards: results.map((r) => ({ index: r.index, worker: r.worker, ms: r.ms })), duplicates };
  };

  const processor = async (job: Job, token?: string): Promise<unknown> => {
    if (job.name === SHARD_JOB) return runShard(job as Job<ShardJobData>, token);
    if (job.name === REDUCE_JOB) return runReduce(job as Job<ReduceJobData>);
    throw new UnrecoverableError(`gpukit worker: unknown job name '${job.name}'`);
  };

  const workers = queues.map(
    (q) =>
      new Worker(q, processor, {
        connection: redis,
        name: identity.id,
        concurrency: 1,
        lockDuration: o.lockDurationMs ?? 30_000,
        stalledInterval: o.stalledIntervalMs ?? 30_000,
        maxStalledCount: o.maxStalledCount ?? 2,
      }),
  );
  for (const w of workers) w.on('error', () => undefined); // connection errors while Redis restarts; BullMQ retries

  const key = REGISTRY_PREFIX + identity.id;
  const announce = (): void => {
    redis.set(key, JSON.stringify(identity), 'EX', 15).catch(() => undefined);
  };
  announce();
  const heartbeat = setInterval(announce, 5_000);
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  log(`ready ${JSON.stringify(identity)}`);

  return {
    identity,
    close(force = false): Promise<void> {
      // BullMQ's own force close neither hands the job back nor overrides a close already waiting for it:
      // the running shard hands itself back, and the (one) close goes on as soon as it has.
      if (force) forced.abort();
      if (closing !== undefined) return closing;
      closing = (async () => {
        clearInterval(heartbeat);
        await Promise.all(workers.map((w) => w.close()));
        await redis.del(key).catch(() => undefined);
        redis.disconnect();
        // A try that ran past its budget may still be using the device: give it a while to end first.
        let wait: NodeJS.Timeout | undefined;
        await Promise.race([deviceFree, new Promise<void>((r) => (wait = setTimeout(r, forced.signal.aborted ? 0 : 10_000)))]);
        clearTimeout(wait);
        await device.close();
        log('closed');
      })();
      return closing;
    },
  };
}
