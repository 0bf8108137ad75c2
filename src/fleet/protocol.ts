/**
 * What travels through Redis between the submitter (`gpukit/fleet`) and `gpukit worker`: small JSON job data
 * (a module path and a shard descriptor, never big arrays) and small results. Also the parent's check that
 * the reducer sees every shard exactly once.
 */
import { ArgumentError, FleetJobError } from '../errors.js';

/** Job names on a fleet queue. */
export const SHARD_JOB = 'shard';
export const REDUCE_JOB = 'reduce';

/** Built-in job "module" that runs a bench sweep shard (`gpukit bench --fleet`). */
export const BENCH_MODULE = 'gpukit:bench';

/** Data of one shard job. */
export interface ShardJobData {
  /** Absolute path or file: URL of the job module, or {@link BENCH_MODULE}. */
  readonly module: string;
  readonly index: number;
  readonly shard: unknown;
  /** Time budget of one attempt in ms (0: none). */
  readonly budgetMs: number;
}

/** Data of the parent (reduce) job. */
export interface ReduceJobData {
  readonly module: string;
  /** Number of shards; the reducer gets indices 0..count-1, each once. */
  readonly count: number;
  readonly shards: readonly unknown[];
}

/** The adapter identity a worker announces (and stamps on every shard it runs). */
export interface WorkerIdentity {
  /** `host:pid:random`, unique per worker process. */
  readonly id: string;
  /** Short adapter kind for queue names: `vulkan-core-llvmpipe`, `opengles-compatibility-llvmpipe`, `gpujs-webasm`. */
  readonly kind: string;
  /** {@link describeAdapter}'s line. */
  readonly adapter: string;
  readonly engine: string;
  readonly backend: string;
  readonly featureLevel: string;
  readonly isSoftware: boolean;
  readonly host: string;
  readonly pid: number;
  readonly queues: readonly string[];
  readonly startedAt: string;
}

/** What a shard job returns. */
export interface ShardResult {
  readonly index: number;
  readonly result: unknown;
  readonly worker: { readonly id: string; readonly kind: string };
  readonly ms: number;
}

/** What the parent (reduce) job returns. */
export interface ReduceResult {
  readonly value: unknown;
  readonly shards: readonly { readonly index: number; readonly worker: { readonly id: string; readonly kind: string }; readonly ms: number }[];
  /** Child results dropped because their shard index had already been seen. */
  readonly duplicates: number;
}

/** JSON.stringify gives undefined for undefined and functions (its type says string). */
function describe(v: unknown): string {
  const json = JSON.stringify(v) as string | undefined;
  return (json ?? String(v)).slice(0, 80);
}

// Results come back through Redis: what the reducer and the report read (index, worker id and kind, ms) is checked.
function isShardResult(v: unknown): v is ShardResult {
  if (!isRecord(v) || !Number.isInteger(v['index']) || typeof v['ms'] !== 'number' || !Number.isFinite(v['ms']) || v['ms'] < 0) return false;
  const w = v['worker'];
  return isRecord(w) && typeof w['id'] === 'string' && typeof w['kind'] === 'string';
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Most shards one job may have: a bound on what a reducer allocates for a count read from Redis. */
export const MAX_SHARDS = 100_000;
/** Longest time budget of a try: Node's timers take at most 2^31−1 ms (a longer one fires at once). */
export const MAX_BUDGET_MS = 2 ** 31 - 1;
/** Longest module string a job may name. */
const MAX_MODULE_CHARS = 4096;

/** Why `module` is no module string, or undefined. */
function moduleProblem(m: unknown): string | undefined {
  if (typeof m !== 'string' || m === '' || m.length > MAX_MODULE_CHARS) return `'module' is not a string of 1..${String(MAX_MODULE_CHARS)} characters`;
  if (m.includes('\0')) return `'module' contains a NUL character`;
  return undefined;
}

/**
 * A shard job's data as read from Redis, checked before anything of it is used: `module` a string, `index` a
 * whole number in 0..{@link MAX_SHARDS}−1, `budgetMs` a whole number in 0..{@link MAX_BUDGET_MS}. Throws
 * {@link FleetJobError} naming the job and the field.
 *
 * @example
 * ```ts
 * const { module, index, shard, budgetMs } = checkShardJob(String(job.id), job.data);
 * ```
 */
export function checkShardJob(jobId: string, v: unknown): ShardJobData {
  const bad = (why: string): never => {
    throw new FleetJobError(jobId, `fleet job ${jobId}: bad shard job data: ${why}`);
  };
  if (!isRecord(v)) return bad('not an object');
  const m = moduleProblem(v['module']);
  if (m !== undefined) bad(m);
  const index = v['index'];
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= MAX_SHARDS) bad(`'index' is not a whole number in 0..${String(MAX_SHARDS - 1)}`);
  const budget = v['budgetMs'];
  if (typeof budget !== 'number' || !Number.isInteger(budget) || budget < 0 || budget > MAX_BUDGET_MS) bad(`'budgetMs' is not a whole number of ms in 0..${String(MAX_BUDGET_MS)}`);
  if (!('shard' in v)) bad(`'shard' is missing`);
  return v as unknown as ShardJobData;
}

/**
 * A reduce (parent) job's data as read from Redis: `module` a string, `count` a whole number in
 * 1..{@link MAX_SHARDS} equal to `shards.length`. Throws {@link FleetJobError} before anything is allocated
 * for `count`.
 *
 * @example
 * ```ts
 * const { module, count, shards } = checkReduceJob(String(job.id), job.data);
 * ```
 */
export function checkReduceJob(jobId: string, v: unknown): ReduceJobData {
  const bad = (why: string): never => {
    throw new FleetJobError(jobId, `fleet job ${jobId}: bad reduce job data: ${why}`);
  };
  if (!isRecord(v)) return bad('not an object');
  const m = moduleProblem(v['module']);
  if (m !== undefined) bad(m);
  const count = v['count'];
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_SHARDS) bad(`'count' is not a whole number in 1..${String(MAX_SHARDS)}`);
  const shards = v['shards'];
  if (!Array.isArray(shards)) return bad(`'shards' is not an array`);
  if (shards.length !== count) bad(`'count' is ${String(count)} but 'shards' has ${String(shards.length)}`);
  return v as unknown as ReduceJobData;
}

/** Adapter kinds and queue names a registry entry may carry: what {@link expandQueue} and adapterKind make. */
const KIND = /^[a-z0-9][a-z0-9._-]{0,127}$/i;
const QUEUE = /^[^:\s]{1,200}$/;

/**
 * A worker registry entry read from Redis, checked: every field of {@link WorkerIdentity} of its type, the
 * kind made of letters, digits, `.`, `_` and `-` (it names queues and atlas sections), queue names without
 * ':'. Returns the identity or why it is not one (without echoing the entry).
 *
 * @example
 * ```ts
 * const w = checkWorkerIdentity(JSON.parse(text));
 * if (typeof w === 'string') console.warn(w);
 * ```
 */
export function checkWorkerIdentity(v: unknown): WorkerIdentity | string {
  if (!isRecord(v)) return 'not an object';
  for (const k of ['id', 'adapter', 'engine', 'backend', 'featureLevel', 'host', 'startedAt'] as const) {
    const x = v[k];
    if (typeof x !== 'string' || x.length > 1000) return `'${k}' is not a string of at most 1000 characters`;
  }
  if (typeof v['kind'] !== 'string' || !KIND.test(v['kind'])) return `'kind' is not 1..128 letters, digits, '.', '_' or '-' starting with a letter or digit`;
  if (typeof v['isSoftware'] !== 'boolean') return `'isSoftware' is not a boolean`;
  if (typeof v['pid'] !== 'number' || !Number.isInteger(v['pid']) || v['pid'] < 0) return `'pid' is not a whole number`;
  const queues = v['queues'];
  if (!Array.isArray(queues) || queues.length > 100 || !queues.every((q) => typeof q === 'string' && QUEUE.test(q))) return `'queues' is not a list of queue names without ':'`;
  return v as unknown as WorkerIdentity;
}

/**
 * The children's results in shard order, each index exactly once. A second result for an index already seen
 * (the same shard submitted twice, or a result BullMQ recorded twice) is dropped and counted; an index that
 * is missing, out of range or not a shard result at all fails the job with a {@link FleetJobError}, so the
 * reducer never sees a duplicate or a gap.
 *
 * @example
 * ```ts
 * const { results, duplicates } = collectShards('42', Object.values(await job.getChildrenValues()), 8);
 * ```
 */
export function collectShards(jobId: string, values: readonly unknown[], count: number): { results: ShardResult[]; duplicates: number } {
  // The count is job data read back from Redis: a fraction, a negative or NaN would let gaps or strays through.
  if (!Number.isSafeInteger(count) || count < 0) throw new FleetJobError(jobId, `fleet job ${jobId}: the shard count ${String(count)} is not a whole number ≥ 0`);
  const byIndex = new Map<number, ShardResult>();
  let duplicates = 0;
  for (const v of values) {
    if (!isShardResult(v)) throw new FleetJobError(jobId, `fleet job ${jobId}: a child returned ${describe(v)}, not a shard result`);
    if (v.index < 0 || v.index >= count) throw new FleetJobError(jobId, `fleet job ${jobId}: shard index ${String(v.index)} is outside 0..${String(count - 1)}`);
    if (byIndex.has(v.index)) duplicates++;
    else byIndex.set(v.index, v);
  }
  const missing: number[] = [];
  for (let i = 0; i < count; i++) if (!byIndex.has(i)) missing.push(i);
  if (missing.length > 0) {
    throw new FleetJobError(jobId, `fleet job ${jobId}: no result for shard${missing.length > 1 ? 's' : ''} ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''} of ${String(count)}`);
  }
  return { results: [...byIndex.values()].sort((a, b) => a.index - b.index), duplicates };
}

/** Queue names may not contain ':' (BullMQ's key separator); a worker's `{kind}` placeholder expands to its kind. */
export function expandQueue(name: string, kind: string): string {
  const q = name.replaceAll('{kind}', kind);
  if (q === '' || q.includes(':')) throw new ArgumentError(`fleet: queue name '${q}' is empty or contains ':' (BullMQ's key separator)`);
  return q;
}

/** Registry key of an announced worker (expires unless its heartbeat renews it). */
export const REGISTRY_PREFIX = 'gpukit:fleet:worker:';
