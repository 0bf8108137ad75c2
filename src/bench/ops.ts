/**
 * The op registry of `gpukit bench`: for each op, its contenders (CPU single thread, CPU worker pool, GPU
 * kernel-only, GPU end-to-end), its work and its memory traffic. Ops are looked up in gpukit's public
 * barrel by name, so an op that is not exported (yet) is simply absent from the registry.
 */
import * as api from '../index.js';
import type { DeviceArray } from '../buffers/device-array.js';
import type { GpuDevice } from '../gpu-device.js';
import { EXPLORATION_CALLS, type Streamer } from '../buffers/stream.js';
import { axpyLoop, chainLoop, dotLoop, matmulRows, radixSortU32, scanLoop, sumLoop } from '../cpu/loops.js';
import { sharedF32, sharedU32 } from '../cpu/pool.js';
import type { BenchEnv, BenchOp, Contender, CpuLabel, PhaseSample } from './contender.js';

/** Deterministic pseudo-random fill (xorshift32) so every contender and every run sees the same data. */
export function fill(a: Float32Array | Uint32Array, seed: number, kind: 'unit' | 'u32'): void {
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < a.length; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    a[i] = kind === 'u32' ? s : (s >>> 8) / 16777216 - 0.5;
  }
}

type Host = Float32Array | Uint32Array;

/**
 * Host inputs of one op, per size, shared by its contenders (CPU arrays on SharedArrayBuffers). Sizes are kept
 * until `release()`: the sweep comes back to every size once per round.
 */
class Inputs {
  readonly #bySize = new Map<number, { shared: Host[]; plain: Host[] }>();
  constructor(readonly kinds: readonly ('unit' | 'u32')[], readonly sizeOf: (n: number, input: number) => number = (n) => n) {}
  at(n: number): { shared: Host[]; plain: Host[] } {
    const kept = this.#bySize.get(n);
    if (kept !== undefined) return kept;
    const shared = this.kinds.map((k, i) => {
      const len = this.sizeOf(n, i);
      const a = k === 'u32' ? sharedU32(len) : sharedF32(len);
      fill(a, 17 + i, k);
      return a;
    });
    // The GPU uploads from ordinary (non-shared) host arrays, as a user's data would be.
    const plain = shared.map((a) => (a instanceof Uint32Array ? new Uint32Array(a) : new Float32Array(a)));
    const made = { shared, plain };
    this.#bySize.set(n, made);
    return made;
  }
  release(): void {
    this.#bySize.clear();
  }
}

function sharedCopy(a: Host): Host {
  const c = a instanceof Uint32Array ? sharedU32(a.length) : sharedF32(a.length);
  c.set(a);
  return c;
}

const f32 = (a: Host | undefined): Float32Array => a as Float32Array;
const u32 = (a: Host | undefined): Uint32Array => a as Uint32Array;

/** A CPU contender over the shared inputs. */
/** Results of CPU runs land here, so the engine cannot drop the work as unused. */
export let cpuSink: unknown;

/** What the plain-JS CPU contenders run on: V8's code for gpukit's loops (V8 does not vectorise JS loops). */
export function jsCpuLabel(threads: number): CpuLabel {
  return {
    library: threads === 1 ? 'plain JS typed-array loops (gpukit src/cpu/loops.ts)' : 'plain JS typed-array loops on a worker_threads pool (gpukit src/cpu/pool.ts)',
    version: `node ${process.versions.node} (V8 ${process.versions.v8})`,
    simd: false,
    threads,
    note: 'V8 does not vectorise JS loops',
  };
}

function cpu(name: 'cpu-1t' | 'cpu-pool', inputs: Inputs, method: string, prepare: (n: number, x: Host[]) => () => unknown, threads = 1): Contender {
  let body: () => unknown = () => undefined;
  return {
    name,
    role: name,
    method,
    label: jsCpuLabel(threads),
    sync: true,
    setup(n) {
      // Fresh copies every round: where the arrays land (alignment, 4K aliasing between x and y, pages) is
      // then sampled across rounds instead of being fixed for a whole run.
      body = prepare(n, inputs.at(n).shared.map(sharedCopy));
    },
    run() {
      cpuSink = body();
    },
    teardown() {
      body = () => undefined;
    },
  };
}

interface GpuSpec {
  /** Enqueues the op on the device inputs; returns the array to read back and whether the op made it. */
  enqueue(x: readonly DeviceArray[], n: number): { out: DeviceArray; owned: boolean };
  /** How the op streams (see {@link StreamSpec}); absent: no gpu-stream contender. */
  stream?: StreamSpec | undefined;
}

/**
 * Runs `f` with the device's fusion (recording elementwise chains, run as one kernel when needed) set to `on`,
 * restored after. The chain op's fused and unfused contenders share one device this way: the same adapter,
 * memory pool and inputs, only the recording differs. What `f` recorded stays recorded when fusion is
 * restored: its chain is computed at its first use (a readback, `sync()`, the profile's end), as any chain.
 *
 * @example
 * ```ts
 * const p = await device.profile(() => withFusion(device, false, () => benchChain(x, y))); // six kernels
 * ```
 */
export function withFusion<T>(device: GpuDevice, on: boolean, f: () => T): T {
  const backend = device.backend;
  const was = backend.fusion;
  backend.setFusion(on);
  try {
    return f();
  } finally {
    backend.setFusion(was);
  }
}

/** What the method lines add for a contender run with fusion on or off. */
const FUSION_NOTE = {
  on: '; fusion on (openDevice default): the chain is recorded and runs as one fused kernel',
  off: "; fusion off (as openDevice({ fuse: false })) on the same device: each op dispatched at its call, one kernel per op",
} as const;

/**
 * A memory-bound op as a stream over its host inputs: `map` (one output element per input element, into a
 * host array) or `sum` (a scalar per chunk, summed on the host), with the op on one chunk.
 */
export interface StreamSpec {
  readonly kind: 'map' | 'sum';
  readonly chunkOp: (...chunks: DeviceArray[]) => DeviceArray;
}

const STREAM_METHOD = 'wall clock of streamer.map / reduce over the host inputs, one streamer for the whole sweep, its device memory kept between runs as gpu-e2e keeps its arrays and its routing explored at the first setup of each size (default chunk: one chunk up to 2^21 elements, else about n/8; uploads through mapped buffers overlapping the op and the downloads), until the result is in a JS typed array / number';

const KERNEL_METHOD = 'GPU timestamp queries around each compute pass (device.profile().phases.kernel), inputs already resident; excludes submission and the round trip';
const E2E_METHOD = 'wall clock (performance.now) of upload (queue.writeBuffer) + op + download (toArray/item), until the data is back in a JS typed array';

/**
 * The GPU contenders of an op: gpu-kernel, gpu-e2e and (with a stream) gpu-stream. With `fuse` given, every
 * enqueue runs with the device's fusion set to it ({@link withFusion}); `fuse: false` makes the unfused pair,
 * `gpu-kernel-unfused` and `gpu-e2e-unfused` (roles gpu-kernel and gpu-e2e), without a stream or a phase
 * breakdown (the op's phases stay those of its default gpu-e2e).
 */
function gpuContenders(env: BenchEnv, inputs: Inputs, given: GpuSpec, fuse?: boolean): Contender[] {
  const { device } = env;
  const spec: GpuSpec = fuse === undefined ? given : { enqueue: (x, n) => withFusion(device, fuse, () => given.enqueue(x, n)) };
  const suffix = fuse === false ? '-unfused' : '';
  const note = fuse === undefined ? '' : FUSION_NOTE[fuse ? 'on' : 'off'];
  const upload = (n: number): DeviceArray[] => inputs.at(n).plain.map((h) => (h instanceof Uint32Array ? device.array(h, { dtype: 'u32' }) : device.array(h)));
  let kx: DeviceArray[] = [];
  let kn = 0;
  const kernel: Contender = {
    name: `gpu-kernel${suffix}`,
    role: 'gpu-kernel',
    method: KERNEL_METHOD + note,
    async setup(n) {
      kn = n;
      kx = upload(n);
      // Compile and warm the pipelines outside the timed runs.
      const { out, owned } = spec.enqueue(kx, n);
      await device.sync();
      if (owned) out.destroy();
    },
    async run() {
      const p = await device.profile(() => spec.enqueue(kx, kn));
      if (p.result.owned) p.result.out.destroy();
      return { measuredMs: p.phases.kernel.ms };
    },
    teardown() {
      for (const a of kx) a.destroy();
      kx = [];
    },
  };
  let ex: DeviceArray[] = [];
  let eh: Host[] = [];
  let en = 0;
  const body = async (): Promise<void> => {
    ex.forEach((a, i) => a.write(eh[i] ?? []));
    const { out, owned } = spec.enqueue(ex, en);
    try {
      await out.toArray();
    } finally {
      if (owned) out.destroy();
    }
  };
  const e2e: Contender = {
    name: `gpu-e2e${suffix}`,
    role: 'gpu-e2e',
    method: E2E_METHOD + note,
    async setup(n) {
      en = n;
      eh = inputs.at(n).plain;
      ex = upload(n);
      await body();
    },
    run: body,
    ...(fuse === false
      ? {}
      : {
          async phases(): Promise<PhaseSample> {
            const p = await device.profile(body);
            const ph = p.phases;
            return { upload: ph.upload.ms, kernel: ph.kernel.ms, download: ph.download.ms, host: ph.host.ms, wall: ph.wall.ms };
          },
        }),
    teardown() {
      for (const a of ex) a.destroy();
      ex = [];
    },
  };
  const stream = spec.stream;
  if (stream === undefined) return [kernel, e2e];
  let sh: Host[] = [];
  // One streamer for the whole sweep, as gpu-e2e keeps its device arrays through a run: its rings of arrays
  // and upload buffers stay allocated, so a run pays transfers and the op, not allocation; and its measured
  // routing explores each size once (its first setup), not again in every round.
  let streamer: Streamer | undefined;
  const explored = new Set<number>();
  const streamBody = async (): Promise<unknown> => {
    const s = streamer;
    if (s === undefined) throw new api.ArgumentError('gpu-stream: run() before setup()');
    return stream.kind === 'map' ? s.map(sh, stream.chunkOp) : s.reduce(sh, stream.chunkOp, { combine: 'sum' });
  };
  const streamed: Contender = {
    name: 'gpu-stream',
    role: 'gpu-stream',
    method: STREAM_METHOD,
    async setup(n) {
      sh = inputs.at(n).plain;
      streamer ??= device.streamer();
      // Untimed calls: past measured routing's exploration at a size's first setup, so timed runs use the
      // route it picked; two at a later round's setup, to warm its rings again.
      const warm = explored.has(n) ? 2 : EXPLORATION_CALLS + 6;
      explored.add(n);
      for (let i = 0; i < warm; i++) await streamBody();
    },
    run: streamBody,
    teardown() {
      sh = [];
    },
    release() {
      streamer?.destroy();
      streamer = undefined;
      explored.clear();
    },
  };
  return [kernel, e2e, streamed];
}

const ONE_T = 'wall clock of one call of a plain typed-array loop on the main thread';
const POOL = (env: BenchEnv) => `wall clock of one call split over ${env.pool.size} worker_threads (one per core) on SharedArrayBuffers, woken with Atomics`;

/** Looks an op up in the public barrel; undefined when it is not exported. */
// F is the caller's statement of the export's signature: the barrel is looked up by name, so nothing
// else can carry the type.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
function exported<F>(name: string): F | undefined {
  const v = (api as unknown as Readonly<Record<string, unknown>>)[name];
  return typeof v === 'function' ? (v as F) : undefined;
}

type Unary = (x: DeviceArray) => DeviceArray;

/** What makes one op of the bench; {@link defineOp} adds the host inputs and the four contenders. */
interface OpSpec {
  readonly name: string;
  readonly summary: string;
  /** Kinds of the host inputs, and the length of input `input` at size n (default n). */
  readonly inputs: readonly ('unit' | 'u32')[];
  readonly inputLength?: (n: number, input: number) => number;
  readonly unit?: BenchOp['unit'];
  readonly work?: (n: number) => number;
  readonly maxSize?: number;
  readonly sizeStride?: number;
  readonly bytes: (n: number) => number;
  readonly flops: (n: number) => number;
  readonly transfer: BenchOp['transfer'];
  /** The single-thread loop and the pool's version: each prepares a call on (copies of) the inputs. */
  readonly cpu1t: { readonly note?: string; readonly prepare: (n: number, x: Host[]) => () => unknown };
  /** Absent: the op has no worker-pool version (the pool's workers run a fixed set of loops). */
  readonly pool?: { readonly note?: string; readonly prepare: (env: BenchEnv, n: number, x: Host[]) => () => unknown };
  readonly enqueue: GpuSpec['enqueue'];
  /** The op as a stream over its host inputs: a gpu-stream contender beside gpu-e2e (memory-bound ops). */
  readonly stream?: StreamSpec;
  /**
   * The GPU contenders run twice: with fusion on (gpu-kernel, gpu-e2e) and off (gpu-kernel-unfused,
   * gpu-e2e-unfused), on the same device ({@link withFusion}). Absent: the device's own setting.
   */
  readonly fusion?: boolean;
}

function defineOp(o: OpSpec): BenchOp {
  const inputs = new Inputs(o.inputs, o.inputLength);
  return {
    name: o.name,
    summary: o.summary,
    unit: o.unit ?? 'element',
    ...(o.maxSize !== undefined ? { maxSize: o.maxSize } : {}),
    ...(o.sizeStride !== undefined ? { sizeStride: o.sizeStride } : {}),
    work: o.work ?? ((n) => n),
    bytes: o.bytes,
    flops: o.flops,
    transfer: o.transfer,
    hostInputs: (n) => inputs.at(n).plain,
    release: () => { inputs.release(); },
    async once(device, n) {
      const x = inputs.at(n).plain.map((h) => (h instanceof Uint32Array ? device.array(h, { dtype: 'u32' }) : device.array(h)));
      try {
        const { out, owned } = o.fusion === true ? withFusion(device, true, () => o.enqueue(x, n)) : o.enqueue(x, n);
        try {
          return (await out.toArray()) as Float32Array | Int32Array | Uint32Array; // the bench's ops give no bool
        } finally {
          if (owned) out.destroy();
        }
      } finally {
        for (const a of x) a.destroy();
      }
    },
    contenders: (env) => {
      const pool = o.pool;
      return [
        cpu('cpu-1t', inputs, ONE_T + (o.cpu1t.note ?? ''), o.cpu1t.prepare),
        ...(pool !== undefined ? [cpu('cpu-pool', inputs, POOL(env) + (pool.note ?? ''), (n, x) => pool.prepare(env, n, x), env.pool.size)] : []),
        ...(o.fusion === true
          ? [...gpuContenders(env, inputs, { enqueue: o.enqueue }, true), ...gpuContenders(env, inputs, { enqueue: o.enqueue }, false)]
          : gpuContenders(env, inputs, { enqueue: o.enqueue, stream: o.stream })),
      ];
    },
  };
}

/** Columns of the add benches' matrices: size n is (⌊n / 1024⌋, 1024) (or (1, n) below 1024). */
export const ADD_COLS = 1024;

/** The (rows, cols) of the add benches at size n; rows·cols elements (n rounded down to whole rows). */
export function addGrid(n: number): { rows: number; cols: number } {
  const cols = Math.max(1, Math.min(ADD_COLS, n));
  return { rows: Math.max(1, Math.floor(n / cols)), cols };
}

/** out = x + y over rows·cols elements (y a full matrix), or + b[c] (a row broadcast over the rows). */
function addRowsLoop(x: Float32Array, y: Float32Array, out: Float32Array, rows: number, cols: number, broadcast: boolean): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const yo = broadcast ? 0 : o;
    for (let c = 0; c < cols; c++) out[o + c] = (x[o + c] ?? 0) + (y[yo + c] ?? 0);
  }
}

const addOp = (): BenchOp =>
  defineOp({
    name: 'add',
    summary: 'out = x + y, f32 (rows, 1024) + (rows, 1024): the same-size contiguous baseline of add-bcast',
    inputs: ['unit', 'unit'],
    inputLength: (n) => addGrid(n).rows * addGrid(n).cols,
    work: (n) => addGrid(n).rows * addGrid(n).cols,
    bytes: (n) => 12 * addGrid(n).rows * addGrid(n).cols,
    flops: (n) => addGrid(n).rows * addGrid(n).cols,
    transfer: (n) => ({ upload: 8 * addGrid(n).rows * addGrid(n).cols, download: 4 * addGrid(n).rows * addGrid(n).cols }),
    cpu1t: {
      prepare: (n, [x, y]) => {
        const { rows, cols } = addGrid(n);
        const out = new Float32Array(rows * cols);
        return () => { addRowsLoop(f32(x), f32(y), out, rows, cols, false); };
      },
    },
    enqueue: ([x, y], n) => {
      const { rows, cols } = addGrid(n);
      return { out: api.add((x as DeviceArray).reshape(rows, cols), (y as DeviceArray).reshape(rows, cols)), owned: true };
    },
    stream: { kind: 'map', chunkOp: (x, y) => api.add(x, y) },
  });

const addBroadcastOp = (): BenchOp =>
  defineOp({
    name: 'add-bcast',
    summary: 'out = x + b, f32 (rows, 1024) + (1024,): NumPy broadcasting (compare with add at the same size)',
    inputs: ['unit', 'unit'],
    inputLength: (n, input) => (input === 0 ? addGrid(n).rows * addGrid(n).cols : addGrid(n).cols),
    work: (n) => addGrid(n).rows * addGrid(n).cols,
    // The minimum traffic: x read and out written once, b once (it stays in cache).
    bytes: (n) => 8 * addGrid(n).rows * addGrid(n).cols + 4 * addGrid(n).cols,
    flops: (n) => addGrid(n).rows * addGrid(n).cols,
    transfer: (n) => ({ upload: 4 * addGrid(n).rows * addGrid(n).cols + 4 * addGrid(n).cols, download: 4 * addGrid(n).rows * addGrid(n).cols }),
    cpu1t: {
      prepare: (n, [x, b]) => {
        const { rows, cols } = addGrid(n);
        const out = new Float32Array(rows * cols);
        return () => { addRowsLoop(f32(x), f32(b), out, rows, cols, true); };
      },
    },
    enqueue: ([x, b], n) => {
      const { rows, cols } = addGrid(n);
      return { out: api.add((x as DeviceArray).reshape(rows, cols), b as DeviceArray), owned: true };
    },
  });

/** A row softmax over rows·cols elements (each row max-shifted), in float64 and stored as f32. */
function softmaxRowsLoop(x: Float32Array, out: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let m = -Infinity;
    for (let c = 0; c < cols; c++) m = Math.max(m, x[o + c] ?? 0);
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp((x[o + c] ?? 0) - m);
    for (let c = 0; c < cols; c++) out[o + c] = Math.exp((x[o + c] ?? 0) - m) / s;
  }
}

const softmaxRowsOp = (): BenchOp =>
  defineOp({
    name: 'softmax-rows',
    summary: 'a row softmax of (rows, 1024) f32: the row kernel of the axis reductions (one pass, max-shifted)',
    inputs: ['unit'],
    inputLength: (n) => addGrid(n).rows * addGrid(n).cols,
    work: (n) => addGrid(n).rows * addGrid(n).cols,
    bytes: (n) => 8 * addGrid(n).rows * addGrid(n).cols,
    // Per element: a max, two exponentials, a subtraction, an add and a division.
    flops: (n) => 6 * addGrid(n).rows * addGrid(n).cols,
    transfer: (n) => ({ upload: 4 * addGrid(n).rows * addGrid(n).cols, download: 4 * addGrid(n).rows * addGrid(n).cols }),
    cpu1t: {
      prepare: (n, [x]) => {
        const { rows, cols } = addGrid(n);
        const out = new Float32Array(rows * cols);
        return () => { softmaxRowsLoop(f32(x), out, rows, cols); };
      },
    },
    enqueue: ([x], n) => {
      const { rows, cols } = addGrid(n);
      return { out: api.softmax((x as DeviceArray).reshape(rows, cols), { axis: 1 }), owned: true };
    },
    // Chunks are whole rows: the default chunk is a multiple of 1024 (or all of a smaller input).
    stream: {
      kind: 'map',
      chunkOp: (x) => {
        const { rows, cols } = addGrid(x.length);
        return api.softmax(x.reshape(rows, cols), { axis: 1 });
      },
    },
  });

const axpyOp = (): BenchOp =>
  defineOp({
    name: 'axpy',
    summary: 'y = a·x + y in place, f32',
    inputs: ['unit', 'unit'],
    bytes: (n) => 12 * n,
    flops: (n) => 2 * n,
    transfer: (n) => ({ upload: 8 * n, download: 4 * n }),
    cpu1t: { prepare: (n, [x, y]) => () => { axpyLoop(2, f32(x), f32(y)); } },
    pool: { prepare: (env, n, [x, y]) => () => { env.pool.axpy(2, f32(x), f32(y)); } },
    enqueue: ([x, y]) => ({ out: api.axpy(2, x as DeviceArray, y as DeviceArray), owned: false }),
    stream: { kind: 'map', chunkOp: (x, y) => api.axpy(2, x, y) },
  });

const sumOp = (): BenchOp =>
  defineOp({
    name: 'sum',
    summary: 'Σ x, f32 (a device scalar)',
    inputs: ['unit'],
    bytes: (n) => 4 * n,
    flops: (n) => n,
    transfer: (n) => ({ upload: 4 * n, download: 4 }),
    cpu1t: { prepare: (n, [x]) => () => sumLoop(f32(x)) },
    pool: { prepare: (env, n, [x]) => () => env.pool.sum(f32(x)) },
    enqueue: ([x]) => ({ out: api.sum(x as DeviceArray), owned: true }),
    stream: { kind: 'sum', chunkOp: (x) => api.sum(x) },
  });

const dotOp = (): BenchOp =>
  defineOp({
    name: 'dot',
    summary: 'Σ x·y, f32 (a device scalar)',
    inputs: ['unit', 'unit'],
    bytes: (n) => 8 * n,
    flops: (n) => 2 * n,
    transfer: (n) => ({ upload: 8 * n, download: 4 }),
    cpu1t: { prepare: (n, [x, y]) => () => dotLoop(f32(x), f32(y)) },
    pool: { prepare: (env, n, [x, y]) => () => env.pool.dot(f32(x), f32(y)) },
    enqueue: ([x, y]) => ({ out: api.dot(x as DeviceArray, y as DeviceArray), owned: true }),
    stream: { kind: 'sum', chunkOp: (x, y) => api.dot(x, y) },
  });

const scanOp = (scan: Unary): BenchOp =>
  defineOp({
    name: 'scan',
    summary: 'inclusive prefix sum, f32, into a new array',
    inputs: ['unit'],
    bytes: (n) => 8 * n,
    flops: (n) => n,
    transfer: (n) => ({ upload: 4 * n, download: 4 * n }),
    cpu1t: {
      prepare: (n, [x]) => {
        const out = sharedF32(n);
        return () => scanLoop(f32(x), out);
      },
    },
    pool: {
      prepare: (env, n, [x]) => {
        const out = sharedF32(n);
        return () => { env.pool.scan(f32(x), out); };
      },
    },
    enqueue: ([x]) => ({ out: scan(x as DeviceArray), owned: true }),
  });

const SORT_COPY_NOTE = '; each run first copies the unsorted keys back (0.1–0.3 ns/element, included)';

const sortOp = (sort: Unary): BenchOp =>
  defineOp({
    name: 'sort',
    summary: 'ascending sort of random u32 keys (GPU: LSD radix sort; CPU: 3-pass LSD radix sort)',
    inputs: ['u32'],
    maxSize: 2 ** 22,
    // A radix sort reads and writes every key once per pass; the minimum for any sort is one read, one write.
    bytes: (n) => 8 * n,
    flops: () => 0,
    transfer: (n) => ({ upload: 4 * n, download: 4 * n }),
    cpu1t: {
      note: SORT_COPY_NOTE,
      prepare: (n, [k]) => {
        const work = new Uint32Array(n);
        const scratch = new Uint32Array(n);
        return () => {
          work.set(u32(k));
          radixSortU32(work, scratch);
        };
      },
    },
    pool: {
      note: '; chunks radix-sorted in parallel, then merged in parallel (merge path)' + SORT_COPY_NOTE,
      prepare: (env, n, [k]) => {
        const work = sharedU32(n);
        const scratch = sharedU32(n);
        return () => {
          work.set(u32(k));
          env.pool.sort(work, scratch);
        };
      },
    },
    enqueue: ([x]) => ({ out: sort(x as DeviceArray), owned: true }),
  });

/**
 * The six-op chain of `gpukit bench chain`, the expression of bench/fusion.ts (so their figures compare):
 * maximum(multiply(square(add(mul(sub(x, 0.5), 1.5), y)), y), 0). The intermediates are destroyed (with
 * fusion on they are absorbed into the chain's kernel; off, each was computed at its call); the result is
 * returned, never destroyed unread (a result nobody reads is never computed under fusion).
 *
 * @example
 * ```ts
 * using r = benchChain(x, y); // one fused kernel at r's first use; six with openDevice({ fuse: false })
 * ```
 */
export function benchChain(x: DeviceArray, y: DeviceArray): DeviceArray {
  using s = api.sub(x, 0.5);
  using m = api.mul(s, 1.5);
  using a = api.add(m, y);
  using q = api.square(a);
  using p = api.multiply(q, y);
  return api.maximum(p, 0);
}

const chainOp = (): BenchOp =>
  defineOp({
    name: 'chain',
    summary: 'six elementwise ops on f32, max(((x − 0.5) · 1.5 + y)² · y, 0): GPU fused (one kernel) and unfused (six) against the CPU',
    inputs: ['unit', 'unit'],
    // Six contenders (four GPU, two CPU): the default sweep runs it at 2^10, 2^14, 2^18 and 2^22 (the size of
    // bench/fusion.ts's figure), as --quick does, to stay within the default sweep's 3 minutes.
    maxSize: 2 ** 22,
    sizeStride: 4,
    // x and y read, the result written once: the fused kernel's traffic (unfused: every op reads and writes).
    bytes: (n) => 12 * n,
    flops: (n) => 6 * n,
    transfer: (n) => ({ upload: 8 * n, download: 4 * n }),
    cpu1t: {
      note: ' (the whole chain in one loop, float64 in between)',
      prepare: (n, [x, y]) => {
        const out = new Float32Array(n);
        return () => { chainLoop(f32(x), f32(y), out); };
      },
    },
    enqueue: ([x, y]) => ({ out: benchChain(x as DeviceArray, y as DeviceArray), owned: true }),
    fusion: true,
  });

type Matmul = (a: DeviceArray, b: DeviceArray, shape: { m: number; k: number; n: number }) => DeviceArray;

const side = (n: number): number => Math.max(1, Math.round(Math.sqrt(n)));

const matmulOp = (matmul: Matmul): BenchOp =>
  defineOp({
    name: 'matmul',
    summary: 'C = A·B, square f32 matrices; size n = N² elements per matrix, work = N³ multiply-adds',
    inputs: ['unit', 'unit'],
    inputLength: (n) => side(n) ** 2,
    unit: 'multiply-add',
    maxSize: 2 ** 18,
    work: (n) => side(n) ** 3,
    bytes: (n) => 12 * side(n) ** 2,
    flops: (n) => 2 * side(n) ** 3,
    transfer: (n) => ({ upload: 8 * side(n) ** 2, download: 4 * side(n) ** 2 }),
    cpu1t: {
      note: ' (i-k-j order)',
      prepare: (n, [a, b]) => {
        const N = side(n);
        const c = new Float32Array(N * N);
        return () => { matmulRows(f32(a), f32(b), c, N, N, N); };
      },
    },
    pool: {
      note: ' (rows of C split)',
      prepare: (env, n, [a, b]) => {
        const N = side(n);
        const c = sharedF32(N * N);
        return () => { env.pool.matmul(f32(a), f32(b), c, N, N, N); };
      },
    },
    enqueue: ([a, b], n) => ({ out: matmul(a as DeviceArray, b as DeviceArray, { m: side(n), k: side(n), n: side(n) }), owned: true }),
  });

/** Every op gpukit can bench in this build, in sweep order (ops not exported by src/index.ts are absent). */
export function benchOps(): BenchOp[] {
  const ops: BenchOp[] = [axpyOp(), sumOp(), dotOp(), addOp(), addBroadcastOp(), softmaxRowsOp(), chainOp()];
  const scan = exported<Unary>('scan');
  if (scan !== undefined) ops.push(scanOp(scan));
  const sort = exported<Unary>('sort');
  if (sort !== undefined) ops.push(sortOp(sort));
  const matmul = exported<Matmul>('matmul');
  if (matmul !== undefined) ops.push(matmulOp(matmul));
  return ops;
}

/** One op by name, or undefined. */
export function benchOp(name: string): BenchOp | undefined {
  return benchOps().find((o) => o.name === name);
}
