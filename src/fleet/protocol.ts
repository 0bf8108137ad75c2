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
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Partial<Record<keyof ShardResult, unknown>>;
  const w = r.worker as Partial<Record<'id' | 'kind', unknown>> | null | undefined;
  return Number.isInteger(r.index) && typeof w === 'object' && w !== null && typeof w.id === 'string' && typeof w.kind === 'string' &&
    typeof r.ms === 'number' && Number.isFinite(r.ms) && r.ms >= 0;
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
