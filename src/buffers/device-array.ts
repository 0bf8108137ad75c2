import { MAX_COPY, type DeviceContext } from '../device/context.js';
import type { HostContext } from '../device/host.js';
import type { EngineName } from '../device/info.js';
import { ArgumentError, DestroyedError, DTypeError, LimitError, ShapeError, UnsupportedOnEngineError, ValidationError } from '../errors.js';
import { bytesOf, f16BitsToF32, f32ToF16Bits, hostArray, hostData, type DType, type HostArray, type HostArrayOf } from './dtype.js';
import { hostPoolOf } from './host-pool.js';
import { poolOf } from './pool.js';

const ARRAY_USAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
const READBACK_USAGE = () => GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST;

/**
 * What a new array's memory holds before anything writes it: `zero` (the default: pooled memory that held
 * another array's data is cleared first), `overwrite` (the caller writes every element before anything
 * reads it: only the slack a vec4 binding could see is cleared) or `uninitialized` (whatever the pool
 * had: `device.empty(n, { uninitialized: true })`, for those who ask).
 */
export type ArrayFill = 'zero' | 'overwrite' | 'uninitialized';

/** Checks a length or shape and returns the element count. */
export function checkShape(shape: number | readonly number[], what = 'length'): { length: number; shape: readonly number[] } {
  const dims = typeof shape === 'number' ? [shape] : [...shape];
  for (const d of dims) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${what} must be a non-negative integer, got ${String(d)}${dims.length > 1 ? ` in shape [${dims.join(', ')}]` : ''}`);
    }
  }
  const length = dims.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(length)) throw new ShapeError(`shape [${dims.join(', ')}] has too many elements`);
  return { length, shape: dims };
}

/**
 * A typed array that lives on the device. Made by `device.array()`, `device.empty()`, `device.zeros()` or
 * returned by ops; read back with `await arr.toArray()`. Owns its memory: `destroy()` (or `using`) returns
 * it to the device's pool. On the `dawn` engine the memory is a GPU buffer; on `gpujs` it is host memory
 * (a typed array gpu.js kernels read and write). The API is the same on both.
 *
 * @example
 * ```ts
 * using x = device.array(new Float32Array([1, 2, 3]));
 * console.log(await x.toArray(), x.engine); // Float32Array [1, 2, 3] 'dawn'
 * ```
 */
export class DeviceArray<D extends DType = DType> {
  readonly dtype: D;
  readonly length: number;
  readonly shape: readonly number[];
  /** Bytes of data (length × element size); the buffer may be larger. */
  readonly byteLength: number;
  /** Which engine's memory holds the array: `dawn` (a GPU buffer) or `gpujs` (host memory). */
  readonly engine: EngineName;
  readonly #ctx: DeviceContext | null;
  /** @internal The gpujs device, or null on Dawn. */
  readonly host: HostContext | null;
  #buffer: GPUBuffer | null = null;
  #block: ArrayBuffer | null = null;

  /** @internal use `device.empty()` / `device.array()` */
  constructor(ctx: DeviceContext | HostContext, dtype: D, shape: number | readonly number[], adopt?: GPUBuffer | ArrayBuffer, fill: ArrayFill = 'zero') {
    ctx.assertUsable();
    const s = checkShape(shape);
    const engine = ctx.info.engine;
    if (dtype === 'f16' && !ctx.features.has('shader-f16')) {
      throw new DTypeError(
        engine === 'gpujs'
          ? 'dtype f16 needs the device feature shader-f16, which the gpujs engine lacks (gpu.js computes in f32 only): use f32'
          : `dtype f16 needs the device feature shader-f16, which ${ctx.info.description || 'this adapter'} lacks`,
      );
    }
    this.engine = engine;
    this.dtype = dtype;
    this.length = s.length;
    this.shape = s.shape;
    this.byteLength = s.length * bytesOf(dtype);
    const maxBuffer = ctx.limits.maxBufferSize;
    if (this.byteLength > maxBuffer) {
      throw new LimitError('maxBufferSize', this.byteLength, maxBuffer, `array of ${this.length} ${dtype} (${this.byteLength} bytes)`);
    }
    if (ctx.info.engine === 'gpujs') {
      const host = ctx as HostContext;
      this.#ctx = null;
      this.host = host;
      this.#block = adopt instanceof ArrayBuffer ? adopt : hostPoolOf(host).acquire(alignedBytes(this.byteLength), fill);
    } else {
      const dawn = ctx as DeviceContext;
      this.#ctx = dawn;
      this.host = null;
      // WebGPU buffers and copies work in multiples of 4 bytes; zero-length arrays still get a small buffer.
      this.#buffer =
        adopt !== undefined && !(adopt instanceof ArrayBuffer)
          ? adopt
          : poolOf(dawn).acquire(Math.max(4, alignedBytes(this.byteLength)), ARRAY_USAGE(), `array|${dtype}|${this.length}`, fill === 'uninitialized' ? 'none' : fill);
    }
  }

  /** @internal The Dawn device; throws {@link UnsupportedOnEngineError} for a gpujs array. */
  get ctx(): DeviceContext {
    if (this.#ctx === null) throw new UnsupportedOnEngineError(`this array lives on the ${this.engine} engine, which has no WebGPU device context`);
    return this.#ctx;
  }

  /**
   * @internal Moves this array's memory into a new array of another 4-byte dtype with the same length
   * (kernels that write bit patterns, e.g. random numbers as u32 bits of f32). This array is left destroyed.
   */
  reinterpret<E extends DType>(dtype: E, shape: readonly number[] = this.shape): DeviceArray<E> {
    if (bytesOf(dtype) !== bytesOf(this.dtype)) throw new DTypeError(`cannot reinterpret ${this.dtype} as ${dtype}: element sizes differ`);
    if (checkShape(shape).length !== this.length) throw new ShapeError(`cannot reshape ${this.length} elements to [${shape.join(', ')}]`);
    if (this.host !== null) {
      const out = new DeviceArray<E>(this.host, dtype, shape, this.#hostBlock());
      this.#block = null;
      return out;
    }
    const out = new DeviceArray<E>(this.ctx, dtype, shape, this.buffer);
    this.#buffer = null;
    return out;
  }

  /** The GPU buffer; throws if the array was destroyed, or lives on the gpujs engine. */
  get buffer(): GPUBuffer {
    if (this.host !== null) throw new UnsupportedOnEngineError(`this array lives on the gpujs engine (host memory): it has no GPU buffer`);
    if (this.#buffer === null) throw new DestroyedError(`this ${this.dtype} array of length ${this.length} was destroyed`);
    return this.#buffer;
  }

  #hostBlock(): ArrayBuffer {
    if (this.#block === null) throw new DestroyedError(`this ${this.dtype} array of length ${this.length} was destroyed`);
    return this.#block;
  }

  /**
   * @internal On the gpujs engine: a typed view of the array's host memory (exactly `length` elements;
   * f32 for f32, Int32Array / Uint32Array for i32 / u32). Read or write it only inside a task on the
   * device's queue, so it is ordered with the other work.
   */
  get data(): HostArrayOf[D] {
    const block = this.#hostBlock();
    return viewOf(this.dtype, block, this.length) as HostArrayOf[D];
  }

  get destroyed(): boolean {
    return this.#buffer === null && this.#block === null;
  }

  /** Bytes a binding of this array covers: the data rounded up to 4 (at least 4). */
  get bindingSize(): number {
    return Math.max(4, alignedBytes(this.byteLength));
  }

  /** Copies host data into the array (same length). Enqueued after every op enqueued before it. */
  write(data: ArrayLike<number>): this {
    data = hostData('write', this.dtype, data); // refuses what would not arrive intact (see hostData)
    if (this.host !== null) return this.#writeHost(this.host, data);
    const buffer = this.buffer;
    const ctx = this.ctx;
    ctx.assertUsable();
    if (data.length !== this.length) {
      throw new ShapeError(`cannot write ${data.length} elements into an array of length ${this.length}`);
    }
    if (this.length === 0) return this;
    const t0 = performance.now();
    const bytes = toBytes(this.dtype, data);
    const size = alignedBytes(bytes.byteLength);
    ctx.flush();
    if (ctx.quiet) {
      // Nothing queued can still read or write this buffer (and no verdict is pending that could replay
      // an op into it): write straight into it. queue.writeBuffer runs before any later submit.
      for (let done = 0; done < size; done += MAX_COPY) {
        ctx.gpu.queue.writeBuffer(buffer, done, bytes.buffer, bytes.byteOffset + done, Math.min(MAX_COPY, size - done));
      }
      ctx.forget(buffer);
      ctx.wrote(buffer);
    } else {
      // Work is queued ahead of this write: stage the data in an idle buffer and copy it in the batch,
      // so the write lands after that work, in order.
      const pool = poolOf(ctx);
      const staging = pool.acquire(size, GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, 'upload', 'none');
      for (let done = 0; done < size; done += MAX_COPY) {
        ctx.gpu.queue.writeBuffer(staging, done, bytes.buffer, bytes.byteOffset + done, Math.min(MAX_COPY, size - done));
      }
      ctx.copy(staging, 0, buffer, 0, size, `upload|${this.dtype}|${this.length}`);
      pool.release(staging);
    }
    ctx.sink?.upload(this.byteLength, performance.now() - t0);
    return this;
  }

  #writeHost(host: HostContext, data: ArrayLike<number>): this {
    const target = this.data;
    host.assertUsable();
    if (data.length !== this.length) {
      throw new ShapeError(`cannot write ${data.length} elements into an array of length ${this.length}`);
    }
    if (this.length === 0) return this;
    const t0 = performance.now();
    // A snapshot now: the caller may change `data` after write() returns, before the queue reaches it.
    const bytes = toBytes(this.dtype, data);
    const copy = new ArrayBuffer(this.byteLength);
    new Uint8Array(copy).set(bytes.subarray(0, this.byteLength));
    const snapshot = viewOf(this.dtype, copy, this.length);
    host.sink?.upload(this.byteLength, performance.now() - t0);
    const block = this.#hostBlock();
    host.enqueue(() => {
      target.set(snapshot);
      host.forget(block);
    });
    return this;
  }

  /** Downloads into a new host typed array (f16 arrives as Float32Array). Waits for every op before it. */
  async toArray(options: ReadOptions = {}): Promise<HostArrayOf[D]> {
    const timeoutMs = readTimeout('toArray', options);
    if (this.host !== null) {
      const host = this.host;
      const src = this.data;
      const block = this.#hostBlock();
      host.assertUsable();
      await host.drained();
      const failed = host.failureOf(block);
      if (failed !== undefined) throw failed;
      const t0 = performance.now();
      const out = src.slice() as HostArrayOf[D];
      host.sink?.download(this.byteLength, performance.now() - t0);
      return out;
    }
    const buffer = this.buffer;
    const ctx = this.ctx;
    ctx.assertUsable();
    const failed = ctx.failureOf(buffer);
    if (failed !== undefined) throw failed;
    const out = hostArray(this.dtype, this.length);
    if (this.length === 0) return out;
    const size = alignedBytes(this.byteLength);
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
        ctx.copy(buffer, 0, staging, 0, size, `readback|${this.dtype}|${this.length}`, true);
        const batch = await ctx.settled(timeoutMs ?? ctx.timeoutMs);
        const error = ctx.failureOf(buffer);
        if (error !== undefined) throw error;
        if (batch?.failed === true) {
          if (attempt < 3) continue;
          throw new ValidationError(`reading back ${this.toString()}: the batch carrying the copy was rejected ${attempt + 1} times`);
        }
        await ctx.guard(staging.mapAsync(GPUMapMode.READ, 0, size), timeoutMs ?? ctx.timeoutMs, `reading back ${this.toString()}`);
        mapped = true;
        const target = new Uint8Array(out.buffer, out.byteOffset, this.dtype === 'f16' ? 0 : this.byteLength);
        for (let done = 0; done < size; done += MAX_COPY) {
          const piece = Math.min(MAX_COPY, size - done);
          const range = staging.getMappedRange(done, piece);
          if (this.dtype === 'f16') {
            const bits = new Uint16Array(range, 0, Math.min(piece, this.byteLength - done) / 2);
            const first = done / 2;
            for (let i = 0; i < bits.length; i++) out[first + i] = f16BitsToF32(bits[i] ?? 0);
          } else {
            target.set(new Uint8Array(range, 0, Math.min(piece, this.byteLength - done)), done);
          }
        }
      } finally {
        if (mapped) staging.unmap();
        if (!ctx.closed) pool.release(staging);
      }
      ctx.sink?.download(this.byteLength, performance.now() - t0);
      return out;
    }
  }

  /** The single element of a length-1 array (a device scalar, as reductions return). */
  async item(options: ReadOptions = {}): Promise<number> {
    if (this.length !== 1) throw new ShapeError(`item() needs an array of length 1, this one has length ${this.length}`);
    const a = await this.toArray(options);
    return a[0] ?? NaN;
  }

  /** Returns the memory to the device's pool. Idempotent. */
  destroy(): void {
    const block = this.#block;
    if (block !== null) {
      this.#block = null;
      if (this.host !== null && !this.host.closed) hostPoolOf(this.host).release(block);
      return;
    }
    const b = this.#buffer;
    if (b === null) return;
    this.#buffer = null;
    if (!this.ctx.closed) poolOf(this.ctx).release(b);
  }

  [Symbol.dispose](): void {
    this.destroy();
  }

  toString(): string {
    return `DeviceArray<${this.dtype}>[${this.shape.join('×')}]${this.destroyed ? ' (destroyed)' : ''}`;
  }
}

/** Options of a readback (`toArray`, `item`). */
export interface ReadOptions {
  /**
   * Give up after this many ms of waiting for the GPU, with `TimeoutError`; the device is then unusable
   * (see `openDevice({ timeoutMs })`). Dawn engine only: gpujs work runs on this thread. @default the device's timeoutMs
   */
  readonly timeoutMs?: number;
}

function readTimeout(op: string, options: ReadOptions): number | undefined {
  const o = options as unknown; // checked at run time: callers from plain JS can pass anything
  if (typeof o !== 'object' || o === null) throw new ArgumentError(`${op}: options must be an object ({ timeoutMs }), got ${o === null ? 'null' : typeof o}`);
  const t = options.timeoutMs;
  if (t !== undefined && !(typeof t === 'number' && Number.isFinite(t) && t > 0)) throw new ArgumentError(`${op}: option 'timeoutMs' must be a positive number of ms, got ${String(t)}`);
  return t;
}

function viewOf(dtype: DType, block: ArrayBuffer, length: number): HostArray {
  switch (dtype) {
    case 'f32':
    case 'f16':
      return new Float32Array(block, 0, length);
    case 'i32':
      return new Int32Array(block, 0, length);
    case 'u32':
      return new Uint32Array(block, 0, length);
  }
}

export function alignedBytes(n: number): number {
  return Math.ceil(n / 4) * 4;
}

/**
 * The bytes to upload for `data` as `dtype`, after {@link hostData} has refused whatever would not arrive
 * intact. Always over a plain ArrayBuffer: Dawn's writeBuffer refuses SharedArrayBuffer-backed views, so
 * those are copied.
 */
function toBytes(dtype: DType, data: ArrayLike<number>): Uint8Array {
  const host = hostData('write', dtype, data);
  if (dtype === 'f16') {
    const bits = new Uint16Array(alignedBytes(host.length * 2) / 2);
    for (let i = 0; i < host.length; i++) bits[i] = f32ToF16Bits(host[i] ?? 0);
    return new Uint8Array(bits.buffer);
  }
  const view = new Uint8Array(host.buffer, host.byteOffset, host.byteLength);
  return host.buffer instanceof ArrayBuffer ? view : view.slice();
}
