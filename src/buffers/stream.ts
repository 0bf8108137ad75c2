/**
 * Streaming a host array through the device in chunks: `device.mapStream()` and `device.reduceStream()`.
 * On Dawn, chunk k+1 is copied into a mapped upload buffer while the GPU computes chunk k and chunk k−1
 * comes back, so a memory-bound op over a host array of any size (larger than device memory too) runs in
 * one pass with its transfers overlapped. On gpujs (host memory) the same calls run chunk after chunk.
 *
 * The pipeline, per chunk k (R = `depth` slots per input, each an upload buffer and a device array):
 *   upload:   wait for upload buffer k mod R to be mapped again → one copy of the host chunk into it →
 *             unmap → a copy (in the open batch) into device array k mod R (the queue has run chunk
 *             k − R's ops before it, so reusing the array needs no wait)
 *   compute:  `fn(...chunks)` enqueues the user's ops (they return at once)
 *   download: `result.toArray(out.subarray(...))`: the readback copy, then the batch goes to the queue
 *   then:     the upload buffer is mapped for writing again (mapAsync(WRITE) resolves once the GPU copied it)
 * At most R chunk-sized results are in flight: before chunk k starts, chunk k − R has been read back.
 * Scalars (a reduction per chunk) hold no chunk memory: up to 64 of their reads may be in flight.
 * Upload buffers are MAP_WRITE buffers from the device's pool, which only streams take: they go back
 * mapped (or being mapped), so the next stream does not wait for a map.
 */
import { describeValue } from '../args.js';
import type { DeviceContext } from '../device/context.js';
import type { HostContext } from '../device/host.js';
import { ArgumentError, DTypeError, LimitError, ShapeError } from '../errors.js';
import { alignedBytes, DeviceArray, type ReadOptions } from './device-array.js';
import { dtypeOfHost, hostArray, type DType, type HostArray } from './dtype.js';
import { poolOf } from './pool.js';

/** One host array, or several of the same length (chunk k of each is passed to `fn` in order). */
export type StreamInputs = HostArray | readonly HostArray[];

/**
 * What a stream runs on each chunk: the chunks of the inputs as device arrays (1-D, `chunk` elements, the
 * last one shorter) → an array the stream reads back. The stream owns what `fn` returns and destroys it
 * once read (return a fresh array, as ops do; returning an input chunk is fine); destroy any temporaries
 * `fn` makes itself (`using`).
 */
export type StreamFn = (...chunks: DeviceArray[]) => DeviceArray | Promise<DeviceArray>;

/** Options of both streams. */
export interface StreamOptions extends ReadOptions {
  /**
   * Elements per chunk (the last chunk may be shorter). A single chunk of at most
   * {@link MAPPED_UPLOAD_BYTES} of input runs on the plain path (upload, `fn`, `toArray`); a larger one goes
   * once through the mapped upload buffers. @default {@link defaultStreamChunk}(n): one chunk up to 2^21 elements (nothing worth
   * overlapping), else about n / 8 — at least 2^20, at most 2^22 (16 MiB of f32 per input)
   */
  readonly chunk?: number;
  /** Chunks in flight at once (the staging ring's slots): device memory is about depth × the chunk arrays. @default 3 */
  readonly depth?: number;
}

/** Options of `device.mapStream()`. */
export interface MapStreamOptions extends StreamOptions {
  /**
   * Where the results go: a typed array of `fn`'s result dtype (Float32Array for f32 and f16) and the
   * inputs' length. @default a new one
   */
  readonly out?: HostArray;
}

/** How `reduceStream` combines the chunks' scalars, in float64 on the host. */
export type StreamCombine = 'sum' | 'min' | 'max';

/** Options of `device.reduceStream()` with a named combine: `fn` returns a scalar per chunk. */
export interface ReduceStreamOptions extends StreamOptions {
  readonly combine: StreamCombine;
}

/** Options of `device.reduceStream()` with a fold over each chunk's result (any small array). */
export interface FoldStreamOptions<A> extends StreamOptions {
  /** Called once per chunk, in chunk order, with that chunk's result read back. */
  readonly fold: (acc: A, part: HostArray, chunk: number) => A;
  readonly initial: A;
}

/**
 * The chunk a stream of n elements uses by default: all of it up to 2^21 elements, else about n / 8 in
 * multiples of 2^16, clamped to [2^20, 2^22]. Each chunk costs a submission and two map round trips
 * (~0.5 ms on lavapipe), so a few large chunks hide the transfers best; eight keep the ramp-up and the tail
 * of the pipeline (the first upload, the last download, which nothing overlaps) an eighth of the work.
 *
 * @example defaultStreamChunk(1 << 24) // 2^21: eight chunks
 */
export function defaultStreamChunk(n: number): number {
  if (n <= 1 << 21) return Math.max(n, 1);
  const eighth = Math.ceil(n / 8 / 65536) * 65536;
  return Math.min(1 << 22, Math.max(1 << 20, eighth));
}
const DEFAULT_DEPTH = 3;

interface Plan {
  readonly op: string;
  readonly hosts: readonly HostArray[];
  readonly dtypes: readonly DType[];
  readonly n: number;
  readonly chunk: number;
  readonly chunks: number;
  readonly depth: number;
  readonly read: ReadOptions;
}

function plan(op: string, inputs: unknown, fn: unknown, options: StreamOptions, maxBytes: number): Plan {
  if (typeof fn !== 'function') throw new ArgumentError(`${op}: fn must be a function of the chunks, got ${describeValue(fn)}`);
  const list: unknown[] = Array.isArray(inputs) ? inputs : [inputs];
  if (list.length === 0) throw new ArgumentError(`${op}: give at least one host array to stream`);
  const hosts = list.map((h, i) => {
    if (!ArrayBuffer.isView(h)) throw new ArgumentError(`${op}: input ${i} must be a Float32Array, Int32Array or Uint32Array, got ${describeValue(h)}`);
    return h as HostArray;
  });
  const dtypes = hosts.map((h) => dtypeOfHost(h));
  const n = hosts[0]?.length ?? 0;
  const odd = hosts.findIndex((h) => h.length !== n);
  if (odd >= 0) throw new ShapeError(`${op}: every input must have the same length: input 0 has ${n} elements, input ${odd} has ${hosts[odd]?.length ?? 0}`);
  const chunk = options.chunk ?? defaultStreamChunk(n);
  if (!Number.isSafeInteger(chunk) || chunk < 1) throw new ArgumentError(`${op}: option 'chunk' must be a positive integer number of elements, got ${describeValue(chunk)}`);
  if (chunk * 4 > maxBytes) throw new LimitError('maxBufferSize', chunk * 4, maxBytes, `${op}: a chunk of ${chunk} elements (${chunk * 4} bytes)`);
  const depth = options.depth ?? DEFAULT_DEPTH;
  if (!Number.isSafeInteger(depth) || depth < 1 || depth > 16) throw new ArgumentError(`${op}: option 'depth' must be an integer from 1 to 16, got ${describeValue(depth)}`);
  const chunks = Math.max(1, Math.ceil(n / chunk));
  const read: ReadOptions = options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {};
  return { op, hosts, dtypes, n, chunk: chunks === 1 ? Math.max(n, 1) : chunk, chunks, depth, read };
}

/** What a stream does with each chunk's result: reads it back (`read`), then uses it, in chunk order (`use`). */
interface Sink {
  read(k: number, start: number, length: number, result: DeviceArray): Promise<HostArray>;
  use(k: number, part: HostArray): void;
}

type Engine = { readonly kind: 'dawn'; readonly ctx: DeviceContext } | { readonly kind: 'gpujs'; readonly host: HostContext };

function resultOf(p: Plan, engine: Engine, r: unknown, inputs: readonly DeviceArray[]): DeviceArray {
  const ok = r instanceof DeviceArray && !r.destroyed && (engine.kind === 'dawn' ? r.engine === 'dawn' && r.ctx === engine.ctx : r.host === engine.host);
  if (!ok) {
    for (const a of inputs) a.destroy();
    if (r instanceof DeviceArray && r.destroyed) throw new ArgumentError(`${p.op}: fn returned a destroyed array`);
    throw new ArgumentError(`${p.op}: fn must return a DeviceArray of this device (the chunk's result), got ${r instanceof DeviceArray ? `an array of another device` : describeValue(r)}`);
  }
  return r as DeviceArray;
}

/**
 * Bytes of input per call above which a one-chunk stream on Dawn uploads through the pipeline's mapped
 * upload buffers rather than `queue.writeBuffer`. Dawn stages each `writeBuffer` in a 4 MiB upload ring;
 * what does not fit (one large write, or several that add up) gets freshly allocated staging memory on
 * every call — on lavapipe about 1.5 ms per 4 MiB, more than the op. A mapped upload buffer from the pool
 * is allocated once and comes back mapped, but costs a map round trip (~30 µs), so small inputs stay on
 * `writeBuffer`.
 */
export const MAPPED_UPLOAD_BYTES = 4 << 20;

/**
 * Runs the stream: the Dawn pipeline, or the plain path — one chunk on Dawn of at most
 * {@link MAPPED_UPLOAD_BYTES} of input (nothing to overlap: upload, `fn` and the read, exactly as a caller
 * would write them), every chunk in turn on gpujs (host memory). A larger single chunk runs the pipeline
 * (one pass of it: its mapped upload buffers, then `fn` and the read).
 */
async function run(p: Plan, engine: Engine, fn: StreamFn, sink: Sink): Promise<void> {
  if (engine.kind === 'dawn' && (p.chunks > 1 || p.n * 4 * p.hosts.length > MAPPED_UPLOAD_BYTES)) return pipeline(p, engine.ctx, fn, sink);
  const ctx = engine.kind === 'dawn' ? engine.ctx : engine.host;
  for (let k = 0; k < p.chunks; k++) {
    const start = k * p.chunk;
    const length = Math.min(p.chunk, p.n - start);
    const inputs: DeviceArray[] = [];
    let result: DeviceArray | undefined;
    try {
      for (const [i, h] of p.hosts.entries()) {
        const a = new DeviceArray(ctx, p.dtypes[i] ?? 'f32', [length], undefined, 'overwrite');
        inputs.push(a);
        a.write(h.subarray(start, start + length));
      }
      const v = fn(...inputs);
      result = resultOf(p, engine, v instanceof Promise ? await v : v, inputs); // a plain result costs no tick
      sink.use(k, await sink.read(k, start, length, result));
    } finally {
      result?.destroy();
      for (const a of inputs) a.destroy();
    }
  }
}

type Settled = { readonly ok: true; readonly part: HostArray } | { readonly ok: false; readonly error: unknown };

interface InFlight {
  readonly k: number;
  readonly done: Promise<Settled>;
  readonly arrays: readonly DeviceArray[];
  /** A small result (a reduction's scalar): many may wait to be read, they hold no chunk memory. */
  readonly small: boolean;
}

const SMALL_RESULT = 64 * 1024;
/** Reads of small results in flight at most (the upload ring already bounds the chunks in flight). */
const MAX_SMALL_READS = 64;

/** Upload buffers released to the pool while being mapped for writing, with the promise of that map. */
const remaps = new WeakMap<GPUBuffer, Promise<void>>();

/** The overlapped Dawn pipeline (see the file's comment). */
async function pipeline(p: Plan, ctx: DeviceContext, fn: StreamFn, sink: Sink): Promise<void> {
  const pool = poolOf(ctx);
  const slotBytes = alignedBytes(p.chunk * 4);
  const usage = GPUBufferUsage.MAP_WRITE | GPUBufferUsage.COPY_SRC;
  const timeout = p.read.timeoutMs ?? ctx.timeoutMs;
  // slots[input][slot]: an upload buffer, and the promise of it being mapped for writing.
  const slots = p.hosts.map(() => [] as { buffer: GPUBuffer; mapped: Promise<void> }[]);
  // arrays[input][slot]: the device array chunk k of that input is copied into (slot k mod depth), reused
  // chunk after chunk: the queue runs chunk k's ops before chunk k + depth's upload overwrites it.
  const arrays = p.hosts.map(() => [] as DeviceArray[]);
  const inflight: InFlight[] = [];
  const mapForWrite = (buffer: GPUBuffer, afterSettled: boolean): Promise<void> => {
    const mapped = (async () => {
      // A buffer used by a submission must not be mapped before that submission: wait for the batch's verdict.
      if (afterSettled) await ctx.settled(timeout);
      // The whole buffer: the next stream that takes it from the pool may use more of it.
      await ctx.guard(buffer.mapAsync(GPUMapMode.WRITE), timeout, `${p.op}: mapping an upload buffer`);
    })();
    mapped.catch(() => undefined); // awaited when the slot is next used
    return mapped;
  };
  /** An upload buffer from the pool, mapped for writing (most come back from an earlier stream mapped). */
  const takeSlot = (label: string): { buffer: GPUBuffer; mapped: Promise<void> } => {
    const buffer = pool.acquire(slotBytes, usage, label, 'none');
    const prior = remaps.get(buffer);
    if (buffer.mapState === 'mapped') return { buffer, mapped: Promise.resolve() };
    if (prior === undefined) return { buffer, mapped: mapForWrite(buffer, false) };
    const mapped = prior.then(
      () => (buffer.mapState === 'mapped' ? undefined : mapForWrite(buffer, false)),
      () => mapForWrite(buffer, false),
    );
    mapped.catch(() => undefined);
    return { buffer, mapped };
  };
  const drainOne = async (): Promise<void> => {
    const f = inflight.shift();
    if (f === undefined) return;
    const s = await f.done;
    for (const a of f.arrays) a.destroy();
    if (!s.ok) throw s.error;
    sink.use(f.k, s.part);
  };
  let failure: { error: unknown } | undefined;
  try {
    for (let k = 0; k < p.chunks; k++) {
      while (inflight.length >= MAX_SMALL_READS || inflight.filter((f) => !f.small).length >= p.depth) await drainOne();
      const start = k * p.chunk;
      const length = Math.min(p.chunk, p.n - start);
      const bytes = alignedBytes(length * 4);
      const inputs: DeviceArray[] = [];
      let result: DeviceArray | undefined;
      const used: { buffer: GPUBuffer; slot: { buffer: GPUBuffer; mapped: Promise<void> } }[] = [];
      try {
        for (const [i, h] of p.hosts.entries()) {
          const ring = slots[i] ?? [];
          let slot = ring[k % p.depth];
          if (slot === undefined) {
            slot = takeSlot(`stream-upload|${p.dtypes[i] ?? 'f32'}|${p.chunk}`);
            ring[k % p.depth] = slot;
          }
          await slot.mapped;
          const t0 = performance.now();
          // The one host-side copy of the upload: straight into the mapped upload buffer.
          new Uint8Array(slot.buffer.getMappedRange(0, bytes)).set(new Uint8Array(h.buffer, h.byteOffset + start * 4, length * 4));
          slot.buffer.unmap();
          ctx.sink?.upload(length * 4, performance.now() - t0);
          const held = arrays[i] ?? [];
          let a = held[k % p.depth];
          if (a === undefined || a.length !== length) {
            a?.destroy();
            a = new DeviceArray(ctx, p.dtypes[i] ?? 'f32', [length], undefined, 'overwrite');
            held[k % p.depth] = a;
          }
          inputs.push(a);
          ctx.copy(slot.buffer, 0, a.buffer, 0, bytes, `${p.op}-upload|${a.dtype}|${length}`);
          used.push({ buffer: slot.buffer, slot });
        }
        const v = fn(...inputs);
        const r = resultOf(p, { kind: 'dawn', ctx }, v instanceof Promise ? await v : v, inputs);
        result = r;
        const done = sink.read(k, start, length, r).then(
          (part): Settled => ({ ok: true, part }),
          (error: unknown): Settled => ({ ok: false, error }),
        );
        // The result is freed once read, unless it is an input chunk (or a view of one): the ring owns those.
        // A result that shares an input's memory counts as large: that input is not overwritten (chunk
        // k + depth) before this read has its verdict, so a failed op's output is never read as valid.
        const shared = inputs.some((a) => a.buffer === r.storageBuffer);
        inflight.push({ k, done, arrays: shared && !r.isView ? [] : [r], small: !shared && r.byteLength <= SMALL_RESULT });
        result = undefined;
      } catch (e) {
        if (result !== undefined && !inputs.some((a) => a.buffer === result?.storageBuffer)) result.destroy();
        throw e;
      } finally {
        // The read above flushed the batch carrying the upload copies: map each slot again once it is submitted.
        for (const u of used) u.slot.mapped = mapForWrite(u.buffer, true);
      }
    }
    while (inflight.length > 0) await drainOne();
  } catch (e) {
    failure = { error: e };
  } finally {
    // Let everything in flight settle before freeing: no buffer leaves while queued work still uses it.
    for (const f of inflight.splice(0)) {
      await f.done;
      for (const a of f.arrays) a.destroy();
    }
    for (const a of arrays.flat()) a.destroy();
    // Upload buffers go back to the pool as they are, mapped or being mapped for the next stream (only
    // streams take MAP_WRITE buffers): the next stream finds them ready instead of paying a map round trip.
    for (const slot of slots.flat()) {
      remaps.set(slot.buffer, slot.mapped);
      if (!ctx.closed) pool.release(slot.buffer);
    }
  }
  if (failure !== undefined) throw failure.error;
}

/** The engine of a stream's device. */
export type StreamDevice = { readonly ctx: DeviceContext } | { readonly host: HostContext };

/** The largest chunk in bytes per Dawn device (its limits are native getters: read them once). */
const chunkLimit = new WeakMap<DeviceContext, number>();

function engineOf(d: StreamDevice): { engine: Engine; maxBytes: number } {
  if ('ctx' in d) {
    d.ctx.assertUsable();
    let maxBytes = chunkLimit.get(d.ctx);
    if (maxBytes === undefined) chunkLimit.set(d.ctx, (maxBytes = Math.min(d.ctx.limits.maxBufferSize, d.ctx.limits.maxStorageBufferBindingSize)));
    return { engine: { kind: 'dawn', ctx: d.ctx }, maxBytes };
  }
  d.host.assertUsable();
  return { engine: { kind: 'gpujs', host: d.host }, maxBytes: d.host.limits.maxBufferSize };
}

function hostTypeOf(dtype: DType): string {
  return dtype === 'i32' ? 'Int32Array' : dtype === 'u32' ? 'Uint32Array' : 'Float32Array';
}

/**
 * @internal `device.mapStream()`: `fn` over each chunk, its results written into one host array.
 */
export async function mapStream(device: StreamDevice, inputs: StreamInputs, fn: StreamFn, options: MapStreamOptions = {}): Promise<HostArray> {
  const op = 'mapStream';
  const { engine, maxBytes } = engineOf(device);
  const p = plan(op, inputs, fn, options, maxBytes);
  let out: HostArray | undefined = options.out;
  if (out !== undefined) {
    if (!ArrayBuffer.isView(out)) throw new ArgumentError(`${op}: option 'out' must be a typed array, got ${describeValue(out)}`);
    if (out.length !== p.n) throw new ShapeError(`${op}: option 'out' has ${out.length} elements but the inputs have ${p.n}`);
  }
  await run(p, engine, fn, {
    read(k, start, length, result) {
      if (result.length !== length) {
        throw new ShapeError(`${op}: fn returned ${result.length} elements for chunk ${k} of ${length}: a map returns one element per input element (reduceStream combines per-chunk results)`);
      }
      if (out === undefined) out = hostArray(result.dtype, p.n);
      else if (hostTypeOf(result.dtype) !== out.constructor.name) {
        throw new DTypeError(`${op}: fn returns ${result.dtype} but option 'out' is a ${out.constructor.name}: pass a ${hostTypeOf(result.dtype)}`);
      }
      return result.toArray(out.subarray(start, start + length), p.read);
    },
    use: () => undefined,
  });
  return out ?? hostArray('f32', 0);
}

/** @internal `device.reduceStream()`: `fn` over each chunk, the results combined on the host. */
export async function reduceStream<A>(device: StreamDevice, inputs: StreamInputs, fn: StreamFn, options: ReduceStreamOptions | FoldStreamOptions<A>): Promise<number | A> {
  const op = 'reduceStream';
  const { engine, maxBytes } = engineOf(device);
  if (typeof options !== 'object' || (options as unknown) === null) throw new ArgumentError(`${op}: options must be an object with 'combine' ('sum', 'min' or 'max') or 'fold' and 'initial', got ${describeValue(options)}`);
  const p = plan(op, inputs, fn, options, maxBytes);
  if ('fold' in options) {
    if (typeof options.fold !== 'function') throw new ArgumentError(`${op}: option 'fold' must be a function (acc, part, chunk) => acc, got ${describeValue(options.fold)}`);
    let acc = options.initial;
    await run(p, engine, fn, {
      read: (_k, _s, _l, result) => result.toArray(p.read),
      use: (k, part) => {
        acc = options.fold(acc, part, k);
      },
    });
    return acc;
  }
  const combine = options.combine as unknown;
  if (combine !== 'sum' && combine !== 'min' && combine !== 'max') {
    throw new ArgumentError(`${op}: option 'combine' must be 'sum', 'min' or 'max' (or pass 'fold' and 'initial'), got ${describeValue(combine)}`);
  }
  let acc = combine === 'sum' ? 0 : combine === 'min' ? Infinity : -Infinity;
  await run(p, engine, fn, {
    read(k, _s, _l, result) {
      if (result.length !== 1) throw new ShapeError(`${op}: fn returned ${result.length} elements for chunk ${k}; combine '${combine}' takes one scalar per chunk (use 'fold' for larger results)`);
      return result.toArray(p.read);
    },
    use(_k, part) {
      const v = part[0] ?? NaN;
      // min / max propagate NaN, as the ops do (Math.min / Math.max already do).
      acc = combine === 'sum' ? acc + v : combine === 'min' ? Math.min(acc, v) : Math.max(acc, v);
    },
  });
  return acc;
}
