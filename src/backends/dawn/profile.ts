import { AsyncLocalStorage } from 'node:async_hooks';
import { ProfileConflictError } from '../../errors.js';
import { describeAdapter } from '../../device/info.js';
import { now, type KernelTiming, type PhaseTiming, type Profile, type ProfileSink } from '../../timing/profiler.js';
import type { DeviceContext, PassTimer } from './context.js';

const QUERIES_PER_SET = 4096;

/**
 * Which profile the running code belongs to. A profile times only work enqueued from inside its own
 * function (and everything that function awaits): ops that other async tasks enqueue meanwhile share the
 * queue, so they are in the wall time, but not in its kernel, upload, download or compile figures.
 */
const current = new AsyncLocalStorage<Recorder>();

interface QueryChunk {
  readonly set: GPUQuerySet;
  readonly resolve: GPUBuffer;
  used: number;
  resolved: number;
}

/**
 * Records one profile: GPU timestamps around every compute pass (each dispatch gets its own pass while
 * profiling) and the host-side phases reported through {@link ProfileSink}.
 */
class Recorder implements PassTimer, ProfileSink {
  readonly #ctx: DeviceContext;
  readonly #chunks: QueryChunk[] = [];
  readonly #labels: string[] = [];
  readonly #fallback: Promise<void>[] = [];
  #fallbackMs = 0;
  compileMs = 0;
  uploadMs = 0;
  uploadBytes = 0;
  downloadMs = 0;
  downloadBytes = 0;
  readonly timestamps: boolean;

  constructor(ctx: DeviceContext) {
    this.#ctx = ctx;
    this.timestamps = ctx.features.has('timestamp-query');
  }

  /** Dispatches other async tasks enqueued while this profile recorded (not timed, not counted). */
  foreign = 0;

  #mine(): boolean {
    return current.getStore() === this;
  }

  compile(ms: number): void {
    if (this.#mine()) this.compileMs += ms;
  }
  upload(bytes: number, ms: number): void {
    if (!this.#mine()) return;
    this.uploadBytes += bytes;
    this.uploadMs += ms;
  }
  download(bytes: number, ms: number): void {
    if (!this.#mine()) return;
    this.downloadBytes += bytes;
    this.downloadMs += ms;
  }

  timestampWrites(label: string): GPUComputePassTimestampWrites | undefined {
    if (!this.#mine()) {
      this.foreign++;
      return undefined;
    }
    if (!this.timestamps) {
      this.#labels.push(label); // counted, not timed
      return undefined;
    }
    let chunk = this.#chunks.at(-1);
    if (chunk === undefined || chunk.used + 2 > QUERIES_PER_SET) {
      chunk = {
        set: this.#ctx.gpu.createQuerySet({ label: 'gpukit profile', type: 'timestamp', count: QUERIES_PER_SET }),
        resolve: this.#ctx.gpu.createBuffer({ label: 'gpukit profile', size: QUERIES_PER_SET * 8, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC }),
        used: 0,
        resolved: 0,
      };
      this.#chunks.push(chunk);
    }
    const begin = chunk.used;
    chunk.used += 2;
    this.#labels.push(label);
    return { querySet: chunk.set, beginningOfPassWriteIndex: begin, endOfPassWriteIndex: begin + 1 };
  }

  beforeFinish(encoder: GPUCommandEncoder): void {
    // resolveQuerySet's destination offset must be a multiple of 256 bytes, so each batch resolves its
    // set from query 0: the earlier queries were written by earlier submissions and resolve to the same values.
    for (const c of this.#chunks) {
      if (c.used > c.resolved) {
        encoder.resolveQuerySet(c.set, 0, c.used, c.resolve, 0);
        c.resolved = c.used;
      }
    }
  }

  /**
   * Without timestamp queries: wall clock from just before each submission to its onSubmittedWorkDone.
   * The start is taken before submit() because some backends (Dawn's GLES) execute the work inside it.
   */
  afterSubmit(startedAt: number): void {
    if (this.timestamps) return;
    const t0 = startedAt;
    this.#fallback.push(this.#ctx.gpu.queue.onSubmittedWorkDone().then(() => void (this.#fallbackMs += now() - t0)));
  }

  async kernelTimes(): Promise<{ ms: number; byLabel: KernelTiming[]; dispatches: number }> {
    if (!this.timestamps) {
      await Promise.all(this.#fallback);
      // No per-dispatch times without timestamp queries (Dawn's GLES backend, some adapters): each kernel is
      // still listed with its dispatches, its time NaN (unknown, not zero).
      const counts = new Map<string, number>();
      for (const l of this.#labels) counts.set(l, (counts.get(l) ?? 0) + 1);
      const byLabel = [...counts.entries()].map(([label, dispatches]) => ({ label, dispatches, ms: NaN })).sort((a, b) => b.dispatches - a.dispatches);
      return { ms: this.#fallbackMs, byLabel, dispatches: this.#labels.length };
    }
    const by = new Map<string, { dispatches: number; ns: number }>();
    let total = 0;
    let k = 0;
    for (const c of this.#chunks) {
      const bytes = c.used * 8;
      const read = this.#ctx.gpu.createBuffer({ label: 'gpukit profile readback', size: Math.max(8, bytes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      const enc = this.#ctx.gpu.createCommandEncoder();
      if (bytes > 0) enc.copyBufferToBuffer(c.resolve, 0, read, 0, bytes);
      this.#ctx.gpu.queue.submit([enc.finish()]);
      await this.#ctx.guard(read.mapAsync(GPUMapMode.READ));
      const ts = new BigInt64Array(read.getMappedRange().slice(0));
      read.unmap();
      read.destroy();
      for (let q = 0; q + 1 < c.used; q += 2) {
        const ns = Number((ts[q + 1] ?? 0n) - (ts[q] ?? 0n));
        const label = this.#labels[k++] ?? '?';
        const e = by.get(label) ?? { dispatches: 0, ns: 0 };
        e.dispatches++;
        e.ns += Math.max(0, ns);
        by.set(label, e);
        total += Math.max(0, ns);
      }
      c.set.destroy();
      c.resolve.destroy();
    }
    const byLabel = [...by.entries()].map(([label, e]) => ({ label, dispatches: e.dispatches, ms: e.ns / 1e6 })).sort((a, b) => b.ms - a.ms);
    return { ms: total / 1e6, byLabel, dispatches: this.#labels.length };
  }
}

const recording = new WeakSet<DeviceContext>();

/**
 * Runs `fn` under a profile. Only one profile per device at a time: a second one started while the first
 * records throws {@link ProfileConflictError}. Work other async tasks enqueue meanwhile is in the wall
 * time but not in the other phases (see `current`).
 */
export async function profile<T>(ctx: DeviceContext, fn: () => Promise<T> | T): Promise<Profile<T>> {
  ctx.assertUsable();
  if (recording.has(ctx) || ctx.timer !== null) throw new ProfileConflictError('a profile is already recording on this device; profiles do not nest or overlap');
  recording.add(ctx);
  const rec = new Recorder(ctx);
  let result: T;
  let wallMs: number;
  try {
    // Work enqueued before the profile is not part of it.
    await ctx.sync();
    ctx.timer = rec;
    ctx.sink = rec;
    const t0 = now();
    try {
      // The chains fn recorded (fusion) and left for later are computed inside the profile's context, so their
      // kernels are the profile's: after fn returns, its results would otherwise run untimed at the next sync.
      result = await current.run(rec, async () => {
        const r = await fn();
        ctx.fusion?.flushRoots();
        return r;
      });
      await ctx.sync();
      wallMs = now() - t0;
    } finally {
      ctx.timer = null;
      ctx.sink = null;
    }
  } finally {
    recording.delete(ctx);
  }
  const k = await rec.kernelTimes();
  const kernelMethod = rec.timestamps ? 'gpu-timestamps' : 'wall-clock-submitted-work-done';
  const phase = (ms: number, method: PhaseTiming['method'], note: string, extra: { bytes?: number; count?: number } = {}): PhaseTiming => ({ ms, method, note, ...extra });
  const hostMs = Math.max(0, wallMs - rec.compileMs - rec.uploadMs - rec.downloadMs - k.ms);
  return {
    result,
    phases: {
      compile: phase(rec.compileMs, 'wall-clock', 'shader module and pipeline creation on the host'),
      upload: phase(rec.uploadMs, 'wall-clock', 'host time in queue.writeBuffer (the copy into Dawn staging memory)', { bytes: rec.uploadBytes }),
      kernel: phase(
        k.ms,
        kernelMethod,
        rec.timestamps ? 'sum of compute-pass durations from GPU timestamp queries (unquantized)' : 'no timestamp-query: wall clock from each submit to onSubmittedWorkDone (includes queue latency)',
        { count: k.dispatches },
      ),
      download: phase(rec.downloadMs, 'wall-clock', 'copy to a staging buffer, mapAsync and copy into JS, after earlier work finished', { bytes: rec.downloadBytes }),
      host: phase(hostMs, 'wall-clock', 'wall time outside the other phases: JS, encoding, submission, waits'),
      wall: phase(wallMs, 'wall-clock', 'the whole profiled function, until the device finished its work'),
    },
    kernels: k.byLabel,
    adapter: describeAdapter(ctx.info),
    isSoftware: ctx.info.isSoftware,
  };
}
