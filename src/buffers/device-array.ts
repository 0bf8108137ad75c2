import type { DeviceContext } from '../device/context.js';
import { DestroyedError, DTypeError, LimitError, ShapeError } from '../errors.js';
import { bytesOf, f16BitsToF32, f32ToF16Bits, hostArray, type DType, type HostArrayOf } from './dtype.js';
import { poolOf } from './pool.js';

const ARRAY_USAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
const READBACK_USAGE = () => GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST;

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
 * returned by ops; read back with `await arr.toArray()`. Owns its buffer: `destroy()` (or `using`) returns
 * it to the device's pool.
 *
 * @example
 * ```ts
 * using x = device.array(new Float32Array([1, 2, 3]));
 * console.log(await x.toArray()); // Float32Array [1, 2, 3]
 * ```
 */
export class DeviceArray<D extends DType = DType> {
  readonly dtype: D;
  readonly length: number;
  readonly shape: readonly number[];
  /** Bytes of data (length × element size); the buffer may be larger. */
  readonly byteLength: number;
  /** @internal */
  readonly ctx: DeviceContext;
  #buffer: GPUBuffer | null;

  /** @internal use `device.empty()` / `device.array()` */
  constructor(ctx: DeviceContext, dtype: D, shape: number | readonly number[], adopt?: GPUBuffer) {
    ctx.assertUsable();
    const s = checkShape(shape);
    if (dtype === 'f16' && !ctx.features.has('shader-f16')) {
      throw new DTypeError(`dtype f16 needs the device feature shader-f16, which ${ctx.info.description || 'this adapter'} lacks`);
    }
    this.ctx = ctx;
    this.dtype = dtype;
    this.length = s.length;
    this.shape = s.shape;
    this.byteLength = s.length * bytesOf(dtype);
    const maxBuffer = ctx.limits.maxBufferSize;
    if (this.byteLength > maxBuffer) {
      throw new LimitError('maxBufferSize', this.byteLength, maxBuffer, `array of ${this.length} ${dtype} (${this.byteLength} bytes)`);
    }
    // WebGPU buffers and copies work in multiples of 4 bytes; zero-length arrays still get a small buffer.
    this.#buffer = adopt ?? poolOf(ctx).acquire(Math.max(4, alignedBytes(this.byteLength)), ARRAY_USAGE(), `array|${dtype}|${this.length}`);
  }

  /**
   * @internal Moves this array's buffer into a new array of another 4-byte dtype with the same length
   * (kernels that write bit patterns, e.g. random numbers as u32 bits of f32). This array is left destroyed.
   */
  reinterpret<E extends DType>(dtype: E, shape: readonly number[] = this.shape): DeviceArray<E> {
    if (bytesOf(dtype) !== bytesOf(this.dtype)) throw new DTypeError(`cannot reinterpret ${this.dtype} as ${dtype}: element sizes differ`);
    if (checkShape(shape).length !== this.length) throw new ShapeError(`cannot reshape ${this.length} elements to [${shape.join(', ')}]`);
    const out = new DeviceArray<E>(this.ctx, dtype, shape, this.buffer);
    this.#buffer = null;
    return out;
  }

  /** The GPU buffer; throws if the array was destroyed. */
  get buffer(): GPUBuffer {
    if (this.#buffer === null) throw new DestroyedError(`this ${this.dtype} array of length ${this.length} was destroyed`);
    return this.#buffer;
  }

  get destroyed(): boolean {
    return this.#buffer === null;
  }

  /** Bytes a binding of this array covers: the data rounded up to 4 (at least 4). */
  get bindingSize(): number {
    return Math.max(4, alignedBytes(this.byteLength));
  }

  /** Copies host data into the array (same length). Enqueued after every op enqueued before it. */
  write(data: ArrayLike<number>): this {
    const buffer = this.buffer;
    this.ctx.assertUsable();
    if (data.length !== this.length) {
      throw new ShapeError(`cannot write ${data.length} elements into an array of length ${this.length}`);
    }
    if (this.length === 0) return this;
    // Work already encoded may still read this buffer (pool reuse): submit it first, since writeBuffer
    // executes before any later submit.
    this.ctx.flush();
    const t0 = performance.now();
    const bytes = toBytes(this.dtype, data);
    this.ctx.gpu.queue.writeBuffer(buffer, 0, bytes.buffer, bytes.byteOffset, alignedBytes(bytes.byteLength));
    this.ctx.sink?.upload(this.byteLength, performance.now() - t0);
    return this;
  }

  /** Downloads into a new host typed array (f16 arrives as Float32Array). Waits for every op before it. */
  async toArray(): Promise<HostArrayOf[D]> {
    const buffer = this.buffer;
    const ctx = this.ctx;
    ctx.assertUsable();
    const out = hostArray(this.dtype, this.length);
    if (this.length === 0) {
      await ctx.checkErrors();
      return out;
    }
    const size = alignedBytes(this.byteLength);
    const pool = poolOf(ctx);
    // While profiling, let earlier work finish first so the download is timed on its own.
    if (ctx.sink !== null) await ctx.sync();
    const t0 = performance.now();
    const staging = pool.acquire(size, READBACK_USAGE(), 'readback');
    try {
      ctx.copy(buffer, 0, staging, 0, size);
      ctx.flush();
      await ctx.guard(staging.mapAsync(GPUMapMode.READ, 0, size));
      const mapped = staging.getMappedRange(0, size);
      if (this.dtype === 'f16') {
        const bits = new Uint16Array(mapped, 0, this.length);
        for (let i = 0; i < bits.length; i++) out[i] = f16BitsToF32(bits[i] ?? 0);
      } else {
        new Uint8Array(out.buffer).set(new Uint8Array(mapped, 0, this.byteLength));
      }
      staging.unmap();
      ctx.sink?.download(this.byteLength, performance.now() - t0);
    } finally {
      if (!ctx.closed) pool.release(staging);
    }
    await ctx.checkErrors();
    return out;
  }

  /** The single element of a length-1 array (a device scalar, as reductions return). */
  async item(): Promise<number> {
    if (this.length !== 1) throw new ShapeError(`item() needs an array of length 1, this one has length ${this.length}`);
    const a = await this.toArray();
    return a[0] ?? NaN;
  }

  /** Returns the buffer to the device's pool. Idempotent. */
  destroy(): void {
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

export function alignedBytes(n: number): number {
  return Math.ceil(n / 4) * 4;
}

function toBytes(dtype: DType, data: ArrayLike<number>): Uint8Array {
  if (dtype === 'f16') {
    const bits = new Uint16Array(alignedBytes(data.length * 2) / 2);
    for (let i = 0; i < data.length; i++) bits[i] = f32ToF16Bits(data[i] ?? 0);
    return new Uint8Array(bits.buffer);
  }
  const want = hostArray(dtype, 0).constructor;
  if (data instanceof want && ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  if (ArrayBuffer.isView(data)) {
    throw new DTypeError(`cannot write a ${data.constructor.name} into a ${dtype} array: pass a ${want.name}`);
  }
  const typed = hostArray(dtype, data.length);
  typed.set(data);
  return new Uint8Array(typed.buffer);
}
