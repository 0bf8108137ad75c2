/**
 * `gpukit worker`: one process, one device, BullMQ workers on one or more queues. A device runs one job at a
 * time (each queue's BullMQ worker has concurrency 1, and a per-process lock serialises the queues), so a job
 * sees the whole device. Crash safety is BullMQ's: a job's lock is renewed while it runs, and a worker killed
 * mid-job stops renewing it, so another worker's stalled-job check moves the job back to wait and it runs
 * again elsewhere (its first, unfinished run never reports a result).
 */
import { hostname } from 'node:os';
import { delimiter, extname, isAbsolute, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { realpath, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import { UnrecoverableError, WaitingError, Worker, type Job, type JobJson } from 'bullmq';
import type { Redis } from 'ioredis';
import { describeAdapter, type DeviceInfo } from '../device/info.js';
import { engineTraits } from '../device/engines.js';
import { openDevice, type GpuDevice, type OpenDeviceOptions } from '../index.js';
import { formatJson } from '../bench/report.js';
import { ArgumentError, FleetJobError } from '../errors.js';
import { connectRedis, redactUrl, redisUrl } from './redis.js';
import {
  BENCH_MODULE,
  checkReduceJob,
  checkShardJob,
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
  /** Redis URL (`redis://:password@host:port`, `rediss://` for TLS). @default `GPUKIT_REDIS_URL`, else redis://127.0.0.1:6379 */
  readonly redis?: string;
  /** TLS options (a private CA: `{ ca }`) of a `rediss://` URL. @default Node's CAs (`NODE_EXTRA_CA_CERTS`) */
  readonly tls?: ConnectionOptions;
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
  /**
   * The job modules this worker runs: files under these directories, or these files exactly (relative paths
   * from the working directory; symlinks and `..` resolved, so nothing escapes them). Any other module — a
   * path elsewhere, a `data:`, `node:` or `http:` URL — fails its job, unrecoverably, before anything is read.
   * Empty: no job module runs (only `gpukit bench --fleet` shards).
   * @default `GPUKIT_WORKER_MODULES` (a list separated by `:`, `;` on Windows), else none
   */
  readonly modules?: readonly string[];
}

/** Adapter families a kind is named after, most specific first (Dawn's GLES adapter names only "Mesa"). */
const FAMILIES = ['llvmpipe', 'lavapipe', 'swiftshader', 'warp', 'nvidia', 'radeon', 'amd', 'intel', 'apple', 'adreno', 'mali', 'mesa'];

/** The adapter kind used in queue names: backend, feature level and adapter family, or gpu.js and its mode. */
export function adapterKind(info: DeviceInfo): string {
  const names = `${info.vendor} ${info.architecture} ${info.description}`.toLowerCase();
  const family = FAMILIES.find((f) => names.includes(f)) ?? (names.trim().split(/[\s:(/]+/)[0] || 'unknown');
  // An engine without WGSL is named by itself and its mode (gpujs-webgl); a WebGPU adapter by what it is.
  const parts = engineTraits(info.engine).runsWgsl ? [info.backend, info.featureLevel, family] : [info.engine, info.backend];
  return parts.join('-').replace(/[^a-z0-9.-]+/gi, '_');
}

/** A job module: its default export (or `run`) runs one shard; `reduce` combines the shards' results. */
interface JobModule {
  readonly run: (device: GpuDevice, shard: unknown, index: number) => unknown;
  readonly reduce?: (results: unknown[], shards: readonly unknown[]) => unknown;
}

/** Modification time of each job module file when this process first imported it. */
const loadedAt = new Map<string, number>();

/** File types a job module may have (a TypeScript one needs the worker started under tsx). */
const MODULE_EXTENSIONS = new Set(['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts']);

/** The job modules a worker may run: real paths of directories (any file under them) and of single files. */
export interface ModuleAllowList {
  readonly dirs: readonly string[];
  readonly files: ReadonlySet<string>;
}

/**
 * The allow-list of {@link WorkerOptions.modules}: each entry's real path (symlinks and `..` resolved), as a
 * directory or a file. Throws {@link ArgumentError} for an entry that does not exist.
 *
 * @example
 * ```ts
 * const allowed = await moduleAllowList(['/srv/jobs']);
 * ```
 */
export async function moduleAllowList(entries: readonly string[]): Promise<ModuleAllowList> {
  const dirs: string[] = [];
  const files = new Set<string>();
  for (const e of entries) {
    let real: string;
    try {
      real = await realpath(resolve(e));
    } catch (err) {
      throw new ArgumentError(`gpukit worker --modules: '${e}' cannot be resolved (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    if ((await stat(real)).isDirectory()) dirs.push(real);
    else files.add(real);
  }
  return { dirs, files };
}

/** A job's module string as a message may quote it (it may be a long `data:` URL). */
const quote = (spec: string): string => `'${spec.length > 120 ? `${spec.slice(0, 120)}…` : spec}'`;

/**
 * The real path of a job's module, if the allow-list has it; else an UnrecoverableError (retrying cannot
 * help). Only the path is looked at (realpath, stat): no byte of the file is read before it is accepted.
 *
 * @example
 * ```ts
 * await resolveJobModule('/srv/jobs/option-shard.js', await moduleAllowList(['/srv/jobs'])); // '/srv/jobs/option-shard.js'
 * await resolveJobModule('data:text/javascript,…', allowed); // throws: a data: URL is never run
 * ```
 */
export async function resolveJobModule(spec: string, allowed: ModuleAllowList): Promise<string> {
  const refuse = (why: string): never => {
    throw new UnrecoverableError(`job module ${quote(spec)} refused: ${why}`);
  };
  if (allowed.dirs.length === 0 && allowed.files.size === 0) refuse('this worker runs no job modules (start it with --modules DIR… to allow some)');
  let path = spec;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(spec)?.[1];
  if (scheme !== undefined && !/^[a-z]:[\\/]/i.test(spec)) {
    if (scheme.toLowerCase() !== 'file') refuse(`a ${scheme}: URL is never run; a job module is a file under the worker's --modules`);
    try {
      path = fileURLToPath(spec);
    } catch {
      refuse('not a valid file: URL');
    }
  }
  if (!isAbsolute(path)) refuse('not an absolute path');
  let real = '';
  try {
    real = await realpath(path);
  } catch (e) {
    refuse(`cannot be resolved (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const under = allowed.files.has(real) || allowed.dirs.some((d) => real.startsWith(d.endsWith(sep) ? d : d + sep));
  if (!under) refuse("not under this worker's --modules");
  if (!MODULE_EXTENSIONS.has(extname(real).toLowerCase())) refuse(`not a JavaScript or TypeScript file (${[...MODULE_EXTENSIONS].join(', ')})`);
  const st = await stat(real).catch(() => undefined);
  if (st?.isFile() !== true) refuse('not a regular file');
  return real;
}

/**
 * Imports a job module the allow-list has. Node caches a module by URL for the life of the process, so a
 * worker keeps running the code it first imported: a module changed on disk takes effect in workers started
 * after the change. (A cache-busting import would reload only the module's own file, not what it imports:
 * half old, half new.) A change is said in the log, once per change, so a stale worker is visible.
 * A module that fails to import fails the job with the error's name only: a SyntaxError's message and stack
 * quote the file, which must not reach Redis (where the submitter reads it).
 */
async function loadModule(spec: string, allowed: ModuleAllowList, log: (line: string) => void = () => undefined): Promise<JobModule> {
  const path = await resolveJobModule(spec, allowed);
  const url = pathToFileURL(path).href;
  const mtime = await stat(path).then((st) => st.mtimeMs, () => undefined);
  const first = loadedAt.get(url);
  if (first === undefined && mtime !== undefined) loadedAt.set(url, mtime);
  else if (first !== undefined && mtime !== undefined && mtime !== first) {
    log(`job module ${spec} changed on disk since this worker imported it; this worker runs the code it imported first (restart workers to deploy the new code)`);
    loadedAt.set(url, mtime);
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    const name = e instanceof Error ? e.name : typeof e;
    const code = (e as NodeJS.ErrnoException | undefined)?.code;
    throw new UnrecoverableError(`job module ${quote(spec)} could not be imported (${name}${typeof code === 'string' ? ` ${code}` : ''}); import it on the worker's machine to see why`);
  }
  const run = typeof mod['default'] === 'function' ? mod['default'] : mod['run'];
  if (typeof run !== 'function') throw new UnrecoverableError(`job module ${spec} exports no default function (device, shard) => result`);
  const reduce = mod['reduce'];
  return { run: run as JobModule['run'], ...(typeof reduce === 'function' ? { reduce: reduce as JobModule['reduce'] & object } : {}) };
}

/** Jobs whose data in Redis was not JSON (BullMQ would throw before the processor, leaving the job active). */
const malformed = new WeakSet<Job>();

/** A BullMQ worker that turns a job whose data is not JSON into one the processor fails. */
class GuardedWorker extends Worker {
  protected override createJob(data: JobJson, jobId: string): Job {
    try {
      return super.createJob(data, jobId);
    } catch {
      const job = super.createJob({ ...data, data: 'null' }, jobId);
      malformed.add(job);
      return job;
    }
  }
}

/** A job's data checked: a bad payload fails its job for good (its data will not get better on a retry). */
function checked<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof FleetJobError) throw new UnrecoverableError(e.message);
    throw e;
  }
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
  const allowed = await moduleAllowList(o.modules ?? (process.env['GPUKIT_WORKER_MODULES'] ?? '').split(delimiter).filter((m) => m !== ''));
  const url = redisUrl(o.redis);
  if (o.tls !== undefined && !/^rediss:/i.test(url)) throw new ArgumentError(`gpukit worker: tls options given for ${redactUrl(url)}; a TLS connection is a rediss:// URL`);
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
  const redis: Redis = connectRedis(url, o.tls);
  // Redis restarts are survived by reconnecting; ioredis reports each failed try, so say it once per outage.
  const where = redactUrl(url);
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
    const { module, index, shard, budgetMs } = checked(() => checkShardJob(String(job.id), job.data));
    const what = `${job.queueName} job ${String(job.id)} shard ${String(index)}`;
    log(`start ${what} attempt ${String(job.attemptsStarted)}`);
    const t0 = performance.now();
    const work = async (): Promise<unknown> => {
      if (module === BENCH_MODULE) {
        const s = (typeof shard === 'object' && shard !== null ? shard : {}) as { op?: unknown; sizes?: unknown; quick?: unknown };
        if (typeof s.op !== 'string' || typeof s.sizes !== 'string' || (s.quick !== undefined && typeof s.quick !== 'boolean')) {
          throw new UnrecoverableError(`${what}: a bench shard is { op: string, sizes: string, quick?: boolean }`);
        }
        // Loaded here: the bench needs tinybench (a devDependency), which a worker that only runs user jobs lacks.
        const { sweepBench } = await import('../bench/run.js');
        const report = await sweepBench({ ops: [s.op], sizes: s.sizes, quick: s.quick === true, progress: false, device, command: `gpukit bench --fleet ${s.op} --sizes ${s.sizes}` });
        // As text: Redis stores results as JSON, where a report's Infinity (an asymptote) would become null.
        return { identity, report: formatJson(report) };
      }
      const mod = await loadModule(module, allowed, log);
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
    // Checked first: a count read from Redis bounds what collectShards allocates.
    const data = checked(() => checkReduceJob(id, job.data));
    const failures = await job.getIgnoredChildrenFailures();
    if (Object.keys(failures).length > 0) {
      // Unrecoverable: retrying the parent cannot bring a failed shard back.
      throw new UnrecoverableError(`fleet job ${id}: ${String(Object.keys(failures).length)} shard(s) failed: ${Object.values(failures).join('; ')}`);
    }
    let collected: ReturnType<typeof collectShards>;
    try {
      collected = collectShards(id, Object.values(await job.getChildrenValues()), data.count);
    } catch (e) {
      throw new UnrecoverableError(e instanceof Error ? e.message : String(e));
    }
    const { results, duplicates } = collected;
    const values = results.map((r) => r.result);
    const mod = data.module === BENCH_MODULE ? undefined : await loadModule(data.module, allowed, log);
    const value = mod?.reduce !== undefined ? await mod.reduce(values, data.shards) : values;
    log(`reduce ${job.queueName} job ${id}: ${String(results.length)} shards${duplicates > 0 ? `, ${String(duplicates)} duplicate(s) dropped` : ''}`);
    return { value, shards: results.map((r) => ({ index: r.index, worker: r.worker, ms: r.ms })), duplicates };
  };

  const processor = async (job: Job, token?: string): Promise<unknown> => {
    if (malformed.has(job)) throw new UnrecoverableError(`gpukit worker: job ${String(job.id)}'s data in Redis is not JSON`);
    if (job.name === SHARD_JOB) return runShard(job as Job<ShardJobData>, token);
    if (job.name === REDUCE_JOB) return runReduce(job as Job<ReduceJobData>);
    throw new UnrecoverableError(`gpukit worker: unknown job name '${job.name}'`);
  };

  const workers = queues.map(
    (q) =>
      new GuardedWorker(q, processor, {
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
  log(`job modules: ${allowed.dirs.length + allowed.files.size === 0 ? 'none (no --modules; bench --fleet shards only)' : [...allowed.dirs.map((d) => d + sep), ...allowed.files].join(', ')}`);
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
