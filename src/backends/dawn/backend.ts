import type { Backend, BackendPool, PerEngine } from '../backend.js';
import type { OpManifest } from '../../ops/manifest.js';
import type { DeviceContext } from './context.js';
import { requireUsage } from './usage.js';
import { MAX_COPY } from './copy-limit.js';
import type { HostContext } from '../host/context.js';
import { poolOf } from './pool.js';
import { compileKernel, type Kernel, type KernelOptions } from './kernel.js';
import { profile } from './profile.js';
import type { Profile } from '../../timing/profiler.js';
import type { DeviceInfo } from '../../device/info.js';
import { checkOptions, describeValue } from '../../args.js';
import { resolveSource } from '../../kernels/load.js';
import { alignedBytes, DeviceArray, toBytes, type ArrayFill, type ReadOptions } from '../../buffers/device-array.js';
import { gatherView, scatterView } from './strided-copy.js';
import { gatherTransposed } from './ops/transpose.js';
import { DawnStreams } from './stream.js';
import { Storage } from '../../buffers/storage.js';
import { bytesOf, f16BitsToF32, hostArray, type DType, type HostArrayOf, type StoredArrayOf } from '../../buffers/dtype.js';
import { pieces, segmentElements } from '../../buffers/chunks.js';
import { storageIndices } from '../../buffers/strided.js';

/** Rows at least this long (elements) and at most this many go through one buffer copy each in assign. */
const ASSIGN_ROW_MIN = 256;
const ASSIGN_ROWS_MAX = 16384;
import { ArgumentError, DTypeError, LimitError, UnsupportedOnEngineError, ValidationError } from '../../errors.js';

const ARRAY_USAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
const READBACK_USAGE = () => GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST;

const finiteConstants = (v: unknown): string | undefined => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'must be an object of override values';
  const bad = Object.entries(v).find(([, c]) => typeof c !== 'number' || !Number.isFinite(c));
  return bad === undefined ? undefined : `must map override names to finite numbers (${bad[0]} is ${describeValue(bad[1])})`;
};

/** What `device.kernel()` accepts in its options (KernelOptions). */
const KERNEL_OPTIONS = { entryPoint: 'string', constants: finiteConstants, dtype: ['f32', 'i32', 'u32', 'f16'], label: 'string', mapper: 'function' } as const;

/**
 * The Dawn backend: arrays are GPU buffers from the context's pool (several segments for an array larger
 * than one buffer), work is recorded into the context's batch, and ops run their WGSL implementation.
 */
export class DawnBackend implements Backend {
  readonly engine = 'dawn' as const;
  readonly #ctx: DeviceContext;
  readonly streams: DawnStreams;
  readonly hostContext: HostContext | null = null;

  constructor(ctx: DeviceContext) {
    this.#ctx = ctx;
    this.streams = new DawnStreams(ctx);
  }

  run<C extends object, R>(op: OpManifest<never[], C, R>, call: C): R {
    return op.dawn(this.#ctx, call);
  }

  // ---- the device ----

  get info(): DeviceInfo {
    return this.#ctx.info;
  }

  get limits(): GPUSupportedLimits {
    return this.#ctx.limits;
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
    return poolOf(this.#ctx);
  }

  setTimeout(ms: number | undefined): void {
    this.#ctx.timeoutMs = ms;
  }

  async sync(timeoutMs?: number): Promise<void> {
    await this.#ctx.sync(timeoutMs ?? this.#ctx.timeoutMs);
    // Leases tied to a partner's object (a disposed tensor) end without a call into gpukit: take their memory back.
    if (this.#ctx.parked.size > 0) this.unpark();
  }

  async flushQueue(): Promise<void> {
    await this.#ctx.settled();
    this.#ctx.checkErrors();
  }

  close(): Promise<void> {
    return this.#ctx.close();
  }

  profile<T>(fn: () => Promise<T> | T): Promise<Profile<T>> {
    return profile(this.#ctx, fn);
  }

  async kernel(source: string | URL, options: KernelOptions): Promise<Kernel> {
    this.#ctx.assertUsable();
    checkOptions('kernel', options, KERNEL_OPTIONS);
    const { code, label } = await resolveSource(source);
    return compileKernel(this.#ctx, code, label !== undefined && options.label === undefined ? { ...options, label } : options);
  }

  jsKernel(): never {
    throw new UnsupportedOnEngineError('device.jsKernel() runs JS kernels through gpu.js, on the gpujs engine; on dawn write the kernel in WGSL with device.kernel() or device.elementwise()');
  }

  build<R>(impl: PerEngine<Promise<R> | R>): Promise<R> {
    this.#ctx.assertUsable();
    return Promise.resolve(impl.dawn(this.#ctx));
  }

  dawnContext(): DeviceContext {
    return this.#ctx;
  }

  onClose(hook: () => void): void {
    this.#ctx.onClose(hook);
  }

  // ---- storage ----

  checkDType(dtype: DType): void {
    if (dtype === 'f16' && !this.#ctx.features.has('shader-f16')) {
      throw new DTypeError(`dtype f16 needs the device feature shader-f16, which ${this.#ctx.info.description || 'this adapter'} lacks`);
    }
  }

  allocate(dtype: DType, length: number, byteLength: number, fill: ArrayFill): Storage {
    const ctx = this.#ctx;
    if (ctx.parked.size > 0) this.unpark();
    const pool = poolOf(ctx);
    const mode = fill === 'uninitialized' ? 'none' : fill;
    if (byteLength <= ctx.limits.maxBufferSize) {
      // WebGPU buffers and copies work in multiples of 4 bytes; zero-length arrays still get a small buffer.
      return new Storage(pool.acquire(Math.max(4, alignedBytes(byteLength)), ARRAY_USAGE(), `array|${dtype}|${length}`, mode), null);
    }
    // Larger than one buffer: segments of a whole number of chunks each (src/buffers/chunks.ts), so
    // every chunk an op binds lies inside one buffer.
    const seg = segmentElements(ctx.limits);
    // The whole array against the budget first: segment by segment, a too-large array would take
    // everything up to the budget before failing (2^40 f32 took 16.6 GB of 4 TiB on a 24 GiB machine).
    pool.assertRoom(alignedBytes(byteLength), `array|${dtype}|${length}`);
    const buffers: GPUBuffer[] = [];
    try {
      for (const p of pieces(length, seg)) {
        buffers.push(pool.acquire(alignedBytes(p.length * bytesOf(dtype)), ARRAY_USAGE(), `array|${dtype}|${length}|segment ${buffers.length}`, mode));
      }
    } catch (e) {
      for (const b of buffers) pool.release(b);
      throw e;
    }
    return new Storage(buffers, null, seg);
  }

  adopt(memory: GPUBuffer | ArrayBuffer, dtype: DType, length: number, byteLength: number, fill: ArrayFill): Storage {
    const maxBuffer = this.#ctx.limits.maxBufferSize;
    if (byteLength > maxBuffer) throw new LimitError('maxBufferSize', byteLength, maxBuffer, `array of ${length} ${dtype} (${byteLength} bytes)`);
    // A host block means nothing on Dawn: the array gets pooled memory as a new one would.
    if (memory instanceof ArrayBuffer) return this.allocate(dtype, length, byteLength, fill);
    return new Storage(memory, null);
  }

  retiring(storage: Storage): boolean {
    return !this.#ctx.closed && (this.#ctx.fusion?.keep(storage) ?? false);
  }

  accessing(): void {
    // Dawn's writes reach fusion through its context (beforeWrite): no host memory here.
  }

  setFusion(on: boolean): void {
    this.#ctx.fuse = on;
  }

  get fusion(): boolean {
    return this.#ctx.fuse;
  }

  release(storage: Storage): void {
    const borrow = storage.borrowed;
    if (borrow !== null) {
      // An outside buffer: never pooled, never destroyed here; the lender's hold (a tensor reference) ends.
      borrow.onRelease?.();
      return;
    }
    if (this.#ctx.closed) return;
    if (storage.leased) {
      // Memory handed out under a lease: gpukit takes it back only once every lease has ended.
      this.#ctx.parked.add(storage);
      return;
    }
    const pool = poolOf(this.#ctx);
    for (const b of storage.buffers) pool.release(b);
  }

  /**
   * Returns the memory of destroyed arrays whose leases have all ended to the pool (through its usual
   * timeline check: reused only after the work queued on it). Called as batches complete and when a lease
   * is released.
   */
  unpark(): void {
    if (this.#ctx.closed) {
      // Closed: the leased buffers (which close() kept) are freed once free of their leases.
      for (const st of this.#ctx.parked) {
        if (st.leased) continue;
        this.#ctx.parked.delete(st);
        if (this.#ctx.adopted) for (const b of st.buffers) b.destroy();
      }
      return;
    }
    const pool = poolOf(this.#ctx);
    for (const st of this.#ctx.parked) {
      if (st.leased) continue;
      this.#ctx.parked.delete(st);
      for (const b of st.buffers) pool.release(b);
    }
  }

  gpuBuffers(storage: () => Storage): readonly GPUBuffer[] {
    return storage().buffers;
  }

  get windowAlignment(): number {
    return this.#ctx.limits.minStorageBufferOffsetAlignment;
  }

  gather<D extends DType>(view: DeviceArray<D>): DeviceArray<D> {
    if (view.isContiguous && (view.offset * bytesOf(view.dtype)) % 4 === 0) {
      // A contiguous view: buffer copies into a new plain array (no kernel), segment by segment, so it
      // works for slices along axis 0 of arrays larger than one binding or one buffer.
      const out = new DeviceArray<D>(this.#ctx, view.dtype, view.shape, undefined, 'overwrite');
      view.copyRangeTo(out, 0);
      return out;
    }
    // A transposed matrix (or stack of them) of contiguous memory: the tiled transpose kernel.
    return gatherTransposed(this.#ctx, view) ?? gatherView(view);
  }

  write(x: DeviceArray, data: ArrayLike<number>): void {
    const ctx = this.#ctx;
    const st = x.storage;
    // A recorded chain reading x is computed before the data lands (it was recorded against x's values).
    ctx.fusion?.beforeWrite(st.buffers);
    const t0 = performance.now();
    const bytes = toBytes(x.dtype, data);
    const elem = bytesOf(x.dtype);
    ctx.flush();
    const quiet = ctx.quiet;
    // One buffer, or each segment of an array larger than one buffer in turn.
    for (const [k, p] of pieces(x.length, st.segmentElements).entries()) {
      const buffer = st.buffers[k] as GPUBuffer;
      const from = p.start * elem;
      const size = Math.min(alignedBytes(p.length * elem), bytes.byteLength - from);
      requireUsage(buffer, 'COPY_DST', 'written', `write|${x.dtype}|${x.length}`);
      if (quiet) {
        // Nothing queued can still read or write this buffer (and no verdict is pending that could replay
        // an op into it): write straight into it. queue.writeBuffer runs before any later submit.
        for (let done = 0; done < size; done += MAX_COPY) {
          ctx.gpu.queue.writeBuffer(buffer, done, bytes.buffer, bytes.byteOffset + from + done, Math.min(MAX_COPY, size - done));
        }
        ctx.forget(buffer);
        ctx.wrote(buffer);
      } else {
        // Work is queued ahead of this write: stage the data in an idle buffer and copy it in the batch,
        // so the write lands after that work, in order.
        const pool = poolOf(ctx);
        const staging = pool.acquire(size, GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, 'upload', 'none');
        for (let done = 0; done < size; done += MAX_COPY) {
          ctx.gpu.queue.writeBuffer(staging, done, bytes.buffer, bytes.byteOffset + from + done, Math.min(MAX_COPY, size - done));
        }
        ctx.copy(staging, 0, buffer, 0, size, `upload|${x.dtype}|${x.length}`);
        pool.release(staging);
      }
    }
    ctx.sink?.upload(x.byteLength, performance.now() - t0);
  }

  writeView(x: DeviceArray, data: ArrayLike<number>): void {
    const src = new DeviceArray(this.#ctx, x.dtype, [x.length], undefined, 'overwrite');
    try {
      src.write(data);
      scatterView(src, x);
    } finally {
      src.destroy();
    }
  }

  assign(dst: DeviceArray, src: DeviceArray): void {
    if (dst.length === 0) return;
    const elem = bytesOf(dst.dtype);
    // Buffer copies move whole 4-byte words: a range that starts or ends mid-word (f16) goes through the kernel.
    const words = (a: DeviceArray): boolean => a.isContiguous && (a.offset * elem) % 4 === 0 && (a.length * elem) % 4 === 0;
    const separate = src.storage !== dst.storage;
    if (separate && words(src) && words(dst)) {
      src.copyRangeTo(dst, 0, true);
      return;
    }
    if (separate && this.#assignRows(dst, src)) return;
    // Any other source (a strided view, a broadcast, memory dst also uses) is gathered first, which also
    // makes an overlapping source a snapshot.
    const plain = separate && src.isPlain ? src : this.gather(src);
    try {
      if (words(dst)) plain.copyRangeTo(dst, 0, true);
      else scatterView(plain, dst);
    } finally {
      if (plain !== src) plain.destroy();
    }
  }

  /**
   * dst ← src row by row with buffer copies, when both are one buffer of 4-byte elements whose rows (the
   * last axis) are contiguous and long enough that a copy per row beats the strided kernel (a region of a
   * larger array: concat along a later axis, pad, roll, tril). False when that does not apply.
   */
  #assignRows(dst: DeviceArray, src: DeviceArray): boolean {
    const nd = dst.ndim;
    const row = dst.shape[nd - 1] ?? 0;
    const count = row === 0 ? 0 : dst.length / row;
    if (nd < 2 || bytesOf(dst.dtype) !== 4 || row < ASSIGN_ROW_MIN || count > ASSIGN_ROWS_MAX) return false;
    if (src.strides[nd - 1] !== 1 || dst.strides[nd - 1] !== 1 || src.storageBuffers.length !== 1 || dst.storageBuffers.length !== 1) return false;
    const ctx = this.#ctx;
    const from = src.storageBuffer;
    const to = dst.storageBuffer;
    const failed = ctx.failureOf(from);
    if (failed !== undefined) throw failed;
    const outer = (l: DeviceArray['layout']): Float64Array => storageIndices({ shape: l.shape.slice(0, -1), strides: l.strides.slice(0, -1), offset: l.offset });
    const so = outer(src.layout);
    const dOut = outer(dst.layout);
    const label = `assign-rows|${dst.dtype}|${count}x${row}`;
    for (let r = 0; r < count; r++) ctx.copy(from, (so[r] ?? 0) * 4, to, (dOut[r] ?? 0) * 4, row * 4, label, false, true);
    return true;
  }

  async read<D extends DType>(x: DeviceArray<D>, given: StoredArrayOf[D] | undefined, options: ReadOptions, timeoutMs: number | undefined): Promise<StoredArrayOf[D]> {
    const ctx = this.#ctx;
    if (!x.isPlain) {
      // A view moves only its own elements: gathered on the device first.
      // An empty view too waits for the verdict of the op that wrote its base (see below).
      if (x.length === 0) await ctx.settled(timeoutMs ?? ctx.timeoutMs);
      for (const b of x.storageBuffers) {
        const failed = ctx.failureOf(b);
        if (failed !== undefined) throw failed;
      }
      if (x.length === 0) return given ?? hostArray(x.dtype, 0);
      const packed = x.contiguous();
      try {
        // Never bool here (DeviceArray.toArray reads a bool array through its u32 view): stored = handed back.
        return (await (given !== undefined ? packed.toArray(given as unknown as HostArrayOf[D], options) : packed.toArray(options))) as unknown as StoredArrayOf[D];
      } finally {
        packed.destroy();
      }
    }
    if (x.storage.buffers.length > 1) return this.#readSegments(x, given, options);
    const buffer = x.buffer;
    ctx.assertUsable();
    const failed = ctx.failureOf(buffer);
    if (failed !== undefined) throw failed;
    const out = given ?? hostArray(x.dtype, x.length);
    if (x.length === 0) {
      // Nothing to copy, but the op that made the array may yet fail (an index checked on the GPU, a
      // rejected batch): its verdict comes with its batch, so wait for that as a copy would.
      await ctx.settled(timeoutMs ?? ctx.timeoutMs);
      const late = ctx.failureOf(buffer);
      if (late !== undefined) throw late;
      return out;
    }
    const size = alignedBytes(x.byteLength);
    const pool = poolOf(ctx);
    // While profiling, let earlier work finish first so the download is timed on its own.
    if (ctx.sink !== null) await ctx.sync();
    const t0 = performance.now();
    // A readback waits for the verdict of the work before it, then maps. If the batch carrying its copy
    // was rejected (another op in it was invalid), the replay has since run every valid op: copy again.
    for (let attempt = 0; ; attempt++) {
      const staging = pool.acquire(size, READBACK_USAGE(), 'readback', 'none');
      let mapped = false;
      try {
        ctx.copy(buffer, 0, staging, 0, size, `readback|${x.dtype}|${x.length}`, true);
        const batch = await ctx.settled(timeoutMs ?? ctx.timeoutMs);
        const error = ctx.failureOf(buffer);
        if (error !== undefined) throw error;
        if (batch?.failed === true) {
          if (attempt < 3) continue;
          throw new ValidationError(`reading back ${x.toString()}: the batch carrying the copy was rejected ${attempt + 1} times`);
        }
        await ctx.guard(staging.mapAsync(GPUMapMode.READ, 0, size), timeoutMs ?? ctx.timeoutMs, `reading back ${x.toString()}`);
        mapped = true;
        // One copy straight from the mapped range into `out` (in pieces of at most MAX_COPY).
        const target = new Uint8Array(out.buffer, out.byteOffset, x.dtype === 'f16' ? 0 : x.byteLength);
        for (let done = 0; done < size; done += MAX_COPY) {
          const piece = Math.min(MAX_COPY, size - done);
          const range = staging.getMappedRange(done, piece);
          if (x.dtype === 'f16') {
            const bits = new Uint16Array(range, 0, Math.min(piece, x.byteLength - done) / 2);
            const first = done / 2;
            for (let i = 0; i < bits.length; i++) out[first + i] = f16BitsToF32(bits[i] ?? 0);
          } else {
            target.set(new Uint8Array(range, 0, Math.min(piece, x.byteLength - done)), done);
          }
        }
      } finally {
        if (mapped) staging.unmap();
        if (!ctx.closed) pool.release(staging);
      }
      ctx.sink?.download(x.byteLength, performance.now() - t0);
      return out;
    }
  }

  /**
   * Reads an array stored in several buffers: each segment is read back as a window (one buffer each, the
   * single-buffer path) straight into its place in one host array (the caller's, for `toArray(out)`).
   */
  async #readSegments<D extends DType>(x: DeviceArray<D>, given: StoredArrayOf[D] | undefined, options: ReadOptions): Promise<StoredArrayOf[D]> {
    const st = x.storage;
    const ctx = this.#ctx;
    ctx.assertUsable();
    for (const b of st.buffers) {
      const failed = ctx.failureOf(b);
      if (failed !== undefined) throw failed;
    }
    const out = given ?? hostArray(x.dtype, x.length);
    for (const [k, p] of pieces(x.length, st.segmentElements).entries()) {
      const seg = new DeviceArray<D>(ctx, x.dtype, [p.length], new Storage(st.buffers[k] as GPUBuffer, null), 'zero');
      // Each segment straight into its place in `out`: one copy, as for a single buffer.
      await seg.toArray(out.subarray(p.start, p.start + p.length) as unknown as HostArrayOf[D], options);
    }
    return out;
  }

  readBytes(x: DeviceArray): number {
    const bytes = alignedBytes(x.byteLength);
    return Math.min(bytes, this.#ctx.limits.maxBufferSize) + (x.isPlain ? 0 : bytes);
  }

  copyInto(src: DeviceArray, dst: DeviceArray, at: number): void {
    const bytes = bytesOf(src.dtype);
    if ((at * bytes) % 4 !== 0 || (src.byteLength % 4 !== 0 && at + src.length < dst.length)) {
      throw new ArgumentError('copyInto: the destination offset must be a multiple of 4 bytes');
    }
    src.copyRangeTo(dst, at); // segment by segment when either spans several buffers
  }
}
