import { DeviceArray } from './buffers/device-array.js';
import { assertDType, dtypeOfHost, type DType } from './buffers/dtype.js';
import { poolOf, type MemoryStats } from './buffers/pool.js';
import { DeviceContext } from './device/context.js';
import { openDawn, type DawnAdapterOptions } from './device/dawn.js';
import { profile } from './device/profile.js';
import type { Profile } from './timing/profiler.js';
import type { DeviceInfo } from './device/info.js';
import { DTypeError } from './errors.js';
import { compileKernel, type Kernel, type KernelOptions } from './kernels/kernel.js';
import { resolveSource } from './kernels/load.js';
import { buildElementwise, type ElementwiseFn, type ElementwiseSpec } from './ops/elementwise.js';
import { buildReduction, type ReductionFn, type ReductionSpec } from './ops/reduce.js';

/** Options of {@link openDevice}. */
export type OpenDeviceOptions = DawnAdapterOptions;

/**
 * A GPU device: makes device arrays, compiles kernels, runs ops. Close it when done (`await using` works),
 * and Node exits by itself.
 *
 * @example
 * ```ts
 * await using device = await openDevice();
 * const x = device.array(new Float32Array([1, 2, 3]));
 * console.log(device.info.description, await x.toArray());
 * ```
 */
export class GpuDevice {
  /** @internal */
  readonly ctx: DeviceContext;

  /** @internal use {@link openDevice} */
  constructor(ctx: DeviceContext) {
    this.ctx = ctx;
  }

  /** What this device runs on: engine, backend, adapter, feature level, features, limits. */
  get info(): DeviceInfo {
    return this.ctx.info;
  }

  get limits(): GPUSupportedLimits {
    return this.ctx.limits;
  }

  /** The underlying WebGPU device, for work gpukit does not wrap. */
  get gpu(): GPUDevice {
    return this.ctx.gpu;
  }

  get closed(): boolean {
    return this.ctx.closed;
  }

  /** Buffer pool statistics: bytes backing live arrays vs bytes cached for reuse. */
  get memory(): MemoryStats {
    return poolOf(this.ctx).stats;
  }

  /**
   * Uploads a host array. The dtype follows the typed array (Float32Array → f32, Int32Array → i32,
   * Uint32Array → u32); plain number arrays default to f32; pass `'f16'` to store a Float32Array as f16.
   */
  array<D extends DType = 'f32'>(data: ArrayLike<number>, dtype?: D, shape?: readonly number[]): DeviceArray<D> {
    const dt = (dtype !== undefined ? assertDType(dtype) : ArrayBuffer.isView(data) ? dtypeOfHost(data) : 'f32') as D;
    if (dtype !== undefined && ArrayBuffer.isView(data) && dt !== 'f16' && dtypeOfHost(data) !== dt) {
      throw new DTypeError(`cannot upload a ${data.constructor.name} as ${dt}: pass a ${dt === 'f32' ? 'Float32Array' : dt === 'i32' ? 'Int32Array' : 'Uint32Array'}`);
    }
    const arr = new DeviceArray<D>(this.ctx, dt, shape ?? [data.length]);
    if (arr.length !== data.length) {
      arr.destroy();
      throw new DTypeError(`shape [${(shape ?? []).join(', ')}] holds ${arr.length} elements but ${data.length} were given`);
    }
    return arr.write(data);
  }

  /** A new array with undefined contents (cheapest; for outputs). */
  empty<D extends DType = 'f32'>(shape: number | readonly number[], dtype?: D): DeviceArray<D> {
    return new DeviceArray<D>(this.ctx, assertDType(dtype ?? 'f32') as D, shape);
  }

  /** A new array of zeros (cleared on the device, enqueued like any op). */
  zeros<D extends DType = 'f32'>(shape: number | readonly number[], dtype?: D): DeviceArray<D> {
    const arr = this.empty(shape, dtype);
    this.ctx.clear(arr.buffer, 0, arr.bindingSize);
    return arr;
  }

  /**
   * Compiles a WGSL compute kernel (source text or a `file:` URL). Bindings are found by reflection, so
   * `run` takes arguments by name. Compiled pipelines are cached per device.
   *
   * @example
   * ```ts
   * const k = await device.kernel(new URL('./saxpy.wgsl', import.meta.url));
   * k.run({ x, y, params: { n: x.length, a: 2 } }, { invocations: x.length });
   * ```
   */
  async kernel(source: string | URL, options: KernelOptions = {}): Promise<Kernel> {
    this.ctx.assertUsable();
    const { code, label } = await resolveSource(source);
    return compileKernel(this.ctx, code, label !== undefined && options.label === undefined ? { ...options, label } : options);
  }

  /**
   * Builds an elementwise kernel from an expression (CuPy's ElementwiseKernel); see {@link buildElementwise}.
   *
   * @example
   * ```ts
   * const axpy = await device.elementwise({ args: 'x: T[], y: T[], a: T', body: 'y = a * x + y' });
   * axpy({ x, y, a: 2 });
   * ```
   */
  elementwise(spec: ElementwiseSpec): Promise<ElementwiseFn> {
    this.ctx.assertUsable();
    return buildElementwise(this.ctx, spec);
  }

  /**
   * Builds a reduction kernel (CuPy's ReductionKernel) returning device scalars; see {@link buildReduction}.
   *
   * @example
   * ```ts
   * const sumsq = await device.reduction({ args: 'x: T[]', map: 'x * x', reduce: 'a + b', identity: '0', post: 'sqrt(a)' });
   * console.log(await sumsq(x).item());
   * ```
   */
  reduction(spec: ReductionSpec): Promise<ReductionFn> {
    this.ctx.assertUsable();
    return buildReduction(this.ctx, spec);
  }

  /**
   * Runs `fn` and returns the phase breakdown of what ran inside it: compile, upload, kernel (GPU timestamp
   * queries, unquantized; wall clock around onSubmittedWorkDone where the adapter has no timestamp-query),
   * download, host overhead and wall time — each figure says how it was measured. While profiling each
   * dispatch gets its own compute pass, and readbacks wait for earlier work so downloads are timed alone.
   *
   * @example
   * ```ts
   * const p = await device.profile(async () => { using s = sum(x); return s.item(); });
   * console.log(p.result, p.phases.kernel.ms, p.phases.kernel.method); // …, 'gpu-timestamps'
   * ```
   */
  profile<T>(fn: () => Promise<T> | T): Promise<Profile<T>> {
    return profile(this.ctx, fn);
  }

  /** Submits everything enqueued, waits for the device to finish it, and throws any WebGPU error it raised. */
  async sync(): Promise<void> {
    await this.ctx.sync();
  }

  /** Frees every resource, destroys the device and releases Dawn so the process can exit. Idempotent. */
  async close(): Promise<void> {
    await this.ctx.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Opens a GPU device. Tries Dawn's default backend with core features, then Dawn's OpenGL ES backend in
 * compatibility mode; options or `GPUKIT_BACKEND` / `GPUKIT_ADAPTER` / `GPUKIT_FEATURE_LEVEL` force a choice.
 *
 * @example
 * ```ts
 * const device = await openDevice();
 * console.log(device.info.description, device.info.isSoftware ? '(software)' : '');
 * await device.close();
 * ```
 */
export async function openDevice(options: OpenDeviceOptions = {}): Promise<GpuDevice> {
  const handle = await openDawn(options);
  return new GpuDevice(new DeviceContext(handle));
}
