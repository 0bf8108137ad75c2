import type { Backend, BackendPool, BackendStreams, PerEngine } from '../backend.js';
import type { Streamer, StreamJob, StreamRoute } from '../../buffers/stream.js';
import type { OpManifest } from '../../ops/manifest.js';
import { alignedBytes, DeviceArray, toBytes, viewOf, type ArrayFill } from '../../buffers/device-array.js';
import { Storage } from '../../buffers/storage.js';
import { bytesOf, hostArray, type DType, type StoredArrayOf } from '../../buffers/dtype.js';
import { storageIndices } from '../../buffers/strided.js';
import { DTypeError, LimitError, UnsupportedOnEngineError } from '../../errors.js';
import type { DeviceInfo } from '../../device/info.js';
import type { Profile } from '../../timing/profiler.js';
import type { DeviceContext } from '../dawn/context.js';
import type { Kernel } from '../dawn/kernel.js';
import type { HostContext } from './context.js';
import { hostPoolOf } from './pool.js';
import { profileHost } from './profile.js';

/** A gpujs array (checked by shape, not by class: this module loads before the array class does). */
function isHostArray(v: unknown): v is DeviceArray {
  return typeof v === 'object' && v !== null && (v as { engine?: unknown }).engine === 'gpujs' && typeof (v as { destroyed?: unknown }).destroyed === 'boolean';
}

/** The host memory blocks of the arrays in `v`: an array, or arrays inside a list or a plain record. */
export function hostBlocksOf(v: unknown, depth = 0): ArrayBuffer[] {
  // A lazy array (a recorded chain) has no block yet: its chain's own op tracks it when it is computed.
  // The block is named, not taken (no read or write of it here): `storage`, not `storageBlock`, so
  // recorded chains reading it are not computed for this (src/backends/host/fusion.ts).
  if (isHostArray(v)) return v.destroyed || v.pending !== undefined ? [] : [v.storage.block as ArrayBuffer];
  if (depth > 1 || typeof v !== 'object' || v === null) return [];
  const items: unknown[] = Array.isArray(v) ? v : Object.values(v);
  return items.flatMap((x) => hostBlocksOf(x, depth + 1));
}

/**
 * The host backend: arrays are blocks of host memory from the host pool, and work runs as tasks on the
 * device's ordered queue. An op runs its host implementation (gpu.js kernels or CPU loops) as one unit on
 * that queue ({@link HostContext.op}): if it fails, or it read an array a failed op left undefined, the
 * arrays it returns are marked failed with that error. The host implementations read plain host memory,
 * so views among the call's arrays are gathered into plain arrays first, on the same queue.
 */
/** Elements per side of the tiles a transposed view is gathered in. */
const TILE = 32;

/**
 * A view (rank ≥ 2, extents ≥ 2 in its last two axes) whose last two axes are those of contiguous memory
 * swapped: its matrices' size, how many, and where the first starts; else undefined.
 */
function transposedRun(view: DeviceArray): { rows: number; cols: number; batch: number; offset: number } | undefined {
  const d = view.ndim;
  const rows = view.shape[d - 2] ?? 0;
  const cols = view.shape[d - 1] ?? 0;
  if (d < 2 || rows < 2 || cols < 2) return undefined;
  const swapped = view.layout.strides.slice();
  [swapped[d - 2], swapped[d - 1]] = [swapped[d - 1] ?? 0, swapped[d - 2] ?? 0];
  const shape = view.shape.slice();
  [shape[d - 2], shape[d - 1]] = [cols, rows];
  let want = 1;
  for (let k = d - 1; k >= 0; k--) {
    if ((shape[k] ?? 0) !== 1 && swapped[k] !== want) return undefined;
    want *= shape[k] ?? 0;
  }
  return { rows, cols, batch: view.length / (rows * cols), offset: view.layout.offset };
}

export class HostBackend implements Backend {
  readonly engine = 'gpujs' as const;
  readonly #ctx: HostContext;
  readonly streams: BackendStreams;
  /** Host memory has no binding alignment. */
  readonly windowAlignment = 1;

  constructor(ctx: HostContext) {
    this.#ctx = ctx;
    this.streams = new HostStreams(ctx);
  }

  run<C extends object, R>(op: OpManifest<never[], C, R>, call: C): R {
    if (op.composite === true) return op.host(this.#ctx, call);
    const temps: DeviceArray[] = [];
    const plain = (v: unknown): unknown => {
      if (!isHostArray(v) || v.destroyed || v.isPlain) return v;
      const c = v.contiguous();
      temps.push(c);
      return c;
    };
    const gathered = Object.fromEntries(Object.entries(call).map(([k, v]) => [k, Array.isArray(v) ? v.map(plain) : plain(v)])) as C;
    try {
      // The inputs' blocks before the op runs, and after it those of lazy inputs it computed (one it
      // recorded into a chain has none yet: that chain's own op tracks it when it runs).
      const before = hostBlocksOf(call);
      return this.#ctx.op(op.name, () => [...new Set([...before, ...hostBlocksOf(call)])], () => op.host(this.#ctx, gathered), (r) => hostBlocksOf(r));
    } finally {
      for (const t of temps) t.destroy();
    }
  }

  // ---- the device ----

  get info(): DeviceInfo {
    return this.#ctx.info;
  }

  get limits(): GPUSupportedLimits {
    return this.#ctx.limits as unknown as GPUSupportedLimits;
  }

  get features(): ReadonlySet<string> {
    return this.#ctx.features;
  }

  get closed(): boolean {
    return this.#ctx.closed;
  }

  assertUsable(): void {
    this.#ctx.assertUsable();
  }

  get pool(): BackendPool {
    return hostPoolOf(this.#ctx);
  }

  get hostContext(): HostContext {
    return this.#ctx;
  }

  setTimeout(): void {
    // gpujs work runs on this thread: there is no wait on a device to bound.
  }

  flushQueue(): Promise<void> {
    return this.#ctx.sync(); // the host queue runs its tasks on this thread: submitted is done
  }

  sync(): Promise<void> {
    return this.#ctx.sync();
  }

  close(): Promise<void> {
    return this.#ctx.close();
  }

  profile<T>(fn: () => Promise<T> | T): Promise<Profile<T>> {
    return profileHost(this.#ctx, fn);
  }

  kernel(): Promise<Kernel> {
    throw new UnsupportedOnEngineError(
      'device.kernel() (raw WGSL) needs WGSL, which only the dawn engine runs; this device runs on gpujs. Write the kernel in JS with device.jsKernel(fn, { output }), which gpu.js runs.',
    );
  }

  jsKernel<R>(make: (host: HostContext) => R): R {
    return make(this.#ctx);
  }

  build<R>(impl: PerEngine<Promise<R> | R>): Promise<R> {
    // gpujs: the body is translated to JavaScript and runs on the CPU (src/backends/host/builders.ts).
    return Promise.resolve().then(() => {
      this.#ctx.assertUsable();
      return impl.host(this.#ctx);
    });
  }

  dawnContext(error: () => Error): DeviceContext {
    throw error();
  }

  onClose(hook: () => void): void {
    this.#ctx.onClose(hook);
  }

  // ---- storage ----

  checkDType(dtype: DType): void {
    if (dtype === 'f16' && !this.#ctx.features.has('shader-f16')) {
      throw new DTypeError('dtype f16 needs the device feature shader-f16, which the gpujs engine lacks (gpu.js computes in f32 only): use f32');
    }
  }

  allocate(dtype: DType, length: number, byteLength: number, fill: ArrayFill): Storage {
    const maxBuffer = this.#ctx.limits.maxBufferSize;
    if (byteLength > maxBuffer) throw new LimitError('maxBufferSize', byteLength, maxBuffer, `array of ${length} ${dtype} (${byteLength} bytes)`);
    return new Storage(null, hostPoolOf(this.#ctx).acquire(alignedBytes(byteLength), fill === 'host' || fill === 'host-kept' ? 'overwrite' : fill));
  }

  adopt(memory: GPUBuffer | ArrayBuffer, dtype: DType, length: number, byteLength: number, fill: ArrayFill): Storage {
    // A GPU buffer means nothing in host memory: the array gets pooled memory as a new one would.
    if (!(memory instanceof ArrayBuffer)) return this.allocate(dtype, length, byteLength, fill);
    const maxBuffer = this.#ctx.limits.maxBufferSize;
    if (byteLength > maxBuffer) throw new LimitError('maxBufferSize', byteLength, maxBuffer, `array of ${length} ${dtype} (${byteLength} bytes)`);
    return new Storage(null, memory);
  }

  retiring(storage: Storage): boolean {
    // Recorded chains that read this memory are computed first (src/backends/host/fusion.ts); then it
    // goes back to the pool as usual (the pool reuses it only after the queue has run them).
    if (!this.#ctx.closed) this.#ctx.fusion?.retiring(storage);
    return false;
  }

  accessing(storage: Storage): void {
    const block = storage.block;
    if (block !== null) this.#ctx.fusion?.touch(block);
  }

  setFusion(on: boolean): void {
    this.#ctx.fuse = on;
  }

  get fusion(): boolean {
    return this.#ctx.fuse;
  }

  release(storage: Storage): void {
    if (storage.block !== null && !this.#ctx.closed) hostPoolOf(this.#ctx).release(storage.block);
  }

  gpuBuffers(): readonly GPUBuffer[] {
    throw new UnsupportedOnEngineError(`this array lives on the gpujs engine (host memory): it has no GPU buffer`);
  }

  /** A view's elements gathered into a new plain host array, on the gpujs queue. */
  gather<D extends DType>(view: DeviceArray<D>): DeviceArray<D> {
    const out = new DeviceArray<D>(this.#ctx, view.dtype, view.shape, undefined, 'overwrite');
    // 4-byte elements move as u32 words: bits kept (an f32 NaN's payload included), as on Dawn.
    const words = bytesOf(view.dtype) === 4;
    const src = words ? new Uint32Array(view.storageBlock, 0, view.storageBlock.byteLength >> 2) : viewOf(view.dtype, view.storageBlock, view.storageBlock.byteLength / 4);
    const data = out.data;
    const dst = words ? new Uint32Array(data.buffer, data.byteOffset, data.length) : data;
    const t = transposedRun(view);
    if (t !== undefined) {
      // A stack of transposed matrices of contiguous memory: moved in square tiles (no index table).
      const { rows, cols, batch, offset } = t;
      this.#ctx.enqueue(() => {
        for (let b = 0; b < batch; b++) {
          const base = b * rows * cols;
          for (let c0 = 0; c0 < cols; c0 += TILE) {
            for (let r0 = 0; r0 < rows; r0 += TILE) {
              const c1 = Math.min(cols, c0 + TILE);
              const r1 = Math.min(rows, r0 + TILE);
              for (let c = c0; c < c1; c++) for (let r = r0; r < r1; r++) dst[base + r * cols + c] = src[offset + base + c * rows + r] ?? 0;
            }
          }
        }
      });
      return out;
    }
    const idx = storageIndices(view.layout);
    this.#ctx.enqueue(() => {
      for (let i = 0; i < idx.length; i++) dst[i] = src[idx[i] ?? 0] ?? 0;
    });
    return out;
  }

  write(x: DeviceArray, data: ArrayLike<number>): void {
    const host = this.#ctx;
    const target = x.data;
    const t0 = performance.now();
    // A snapshot now: the caller may change `data` after write() returns, before the queue reaches it.
    const bytes = toBytes(x.dtype, data);
    const copy = new ArrayBuffer(x.byteLength);
    new Uint8Array(copy).set(bytes.subarray(0, x.byteLength));
    const snapshot = viewOf(x.dtype, copy, x.length);
    host.sink?.upload(x.byteLength, performance.now() - t0);
    const block = x.storageBlock;
    host.enqueue(() => {
      target.set(snapshot);
      host.forget(block);
    });
  }

  writeView(x: DeviceArray, data: ArrayLike<number>): void {
    const bytes = toBytes(x.dtype, data);
    const snapshot = viewOf(x.dtype, bytes.slice().buffer, x.length);
    const target = viewOf(x.dtype, x.storageBlock, x.storageBindingSize / 4);
    const idx = storageIndices(x.layout);
    this.#ctx.enqueue(() => {
      for (let i = 0; i < idx.length; i++) target[idx[i] ?? 0] = snapshot[i] ?? 0;
    });
  }

  assign(dst: DeviceArray, src: DeviceArray): void {
    if (dst.length === 0) return;
    const from = viewOf(src.dtype, src.storageBlock, src.storageBlock.byteLength / 4);
    const to = viewOf(dst.dtype, dst.storageBlock, dst.storageBindingSize / 4);
    const host = this.#ctx;
    const n = dst.length;
    // Contiguous on both sides: one TypedArray.set (which copies through a clone when the ranges overlap).
    const whole = src.isContiguous && dst.isContiguous;
    // Rows contiguous on both sides (last stride 1): one set per row.
    const nd = dst.ndim;
    const rows = !whole && nd > 1 && src.strides[nd - 1] === 1 && dst.strides[nd - 1] === 1;
    const outer = (l: DeviceArray['layout']): Float64Array => storageIndices({ shape: l.shape.slice(0, -1), strides: l.strides.slice(0, -1), offset: l.offset });
    const so = rows ? outer(src.layout) : undefined;
    const dOut = rows ? outer(dst.layout) : undefined;
    const row = dst.shape[nd - 1] ?? 1;
    const same = src.storageBlock === dst.storageBlock;
    const si = whole || rows ? undefined : storageIndices(src.layout);
    const di = whole || rows ? undefined : storageIndices(dst.layout);
    // One op of the host queue: a failed source (or target) leaves the target failed.
    host.op('assign', [src.storageBlock, dst.storageBlock], () => {
      host.enqueue(() => {
        if (whole) {
          to.set(from.subarray(src.offset, src.offset + n), dst.offset);
          return;
        }
        if (so !== undefined && dOut !== undefined) {
          const source = same ? from.slice() : from; // a snapshot when src and dst share memory
          for (let r = 0; r < so.length; r++) {
            const a = so[r] ?? 0;
            to.set(source.subarray(a, a + row), dOut[r] ?? 0);
          }
          return;
        }
        if (si === undefined || di === undefined) return;
        // Read all of src before writing: it may overlap dst.
        const snapshot = hostArray(src.dtype, n);
        for (let i = 0; i < n; i++) snapshot[i] = from[si[i] ?? 0] ?? 0;
        for (let i = 0; i < n; i++) to[di[i] ?? 0] = snapshot[i] ?? 0;
      });
    }, () => [dst.storageBlock]);
  }

  async read<D extends DType>(x: DeviceArray<D>, given: StoredArrayOf[D] | undefined): Promise<StoredArrayOf[D]> {
    const host = this.#ctx;
    if (!x.isPlain) {
      // A view moves only its own elements: read from host memory.
      const block = x.storageBlock;
      host.assertUsable();
      await host.drained();
      const failed = host.failureOf(block);
      if (failed !== undefined) throw failed;
      const src = viewOf(x.dtype, block, block.byteLength / 4);
      const out = given ?? hostArray(x.dtype, x.length);
      const idx = storageIndices(x.layout);
      for (let i = 0; i < idx.length; i++) out[i] = src[idx[i] ?? 0] ?? 0;
      return out;
    }
    const src = x.data;
    const block = x.storageBlock;
    host.assertUsable();
    await host.drained();
    const failed = host.failureOf(block);
    if (failed !== undefined) throw failed;
    const t0 = performance.now();
    let out: StoredArrayOf[D];
    if (given !== undefined) {
      given.set(src);
      out = given;
    } else out = src.slice() as StoredArrayOf[D];
    host.sink?.download(x.byteLength, performance.now() - t0);
    return out;
  }

  readBytes(): number {
    return 0;
  }

  copyInto(src: DeviceArray, dst: DeviceArray, at: number): void {
    const from = src.data;
    const target = dst.data;
    this.#ctx.enqueue(() => {
      target.set(from, at);
    });
  }
}

/** The plain route only: host memory has nothing to overlap, a stream runs chunk after chunk. */
const PLAIN: readonly StreamRoute[] = Object.freeze(['plain']);

/** The streams of a gpujs device: chunk after chunk in host memory, by the plain route. */
class HostStreams implements BackendStreams {
  live: Set<Streamer> | undefined;
  readonly #ctx: HostContext;

  constructor(ctx: HostContext) {
    this.#ctx = ctx;
  }

  chunkLimit(): number {
    return this.#ctx.limits.maxBufferSize;
  }

  routes(): readonly StreamRoute[] {
    return PLAIN;
  }

  pipeline(job: StreamJob): Promise<void> {
    return job.plain();
  }

  freeUploads(): void {
    // The plain route takes no upload buffers.
  }
}

/**
 * A user's gpu.js kernel (`device.jsKernel()`) as one op on its device's queue, like a manifest's host
 * implementation under {@link HostBackend.run}: view arguments are gathered into plain arrays first, and a
 * failure marks the arrays it returns failed.
 */
export function trackedKernel<A extends unknown[], R>(label: string, fn: (...args: A) => R, host: HostContext): (...args: A) => R {
  return (...args: A): R => {
    const temps: DeviceArray[] = [];
    const plainArgs = args.map((a) => {
      if (!isHostArray(a) || a.destroyed || a.isPlain) return a;
      const c = a.contiguous();
      temps.push(c);
      return c;
    }) as A;
    try {
      return host.op(label, hostBlocksOf(args), () => fn(...plainArgs), (r) => hostBlocksOf(r));
    } finally {
      for (const t of temps) t.destroy();
    }
  };
}
