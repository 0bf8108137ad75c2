import { DeviceArray } from './buffers/device-array.js';
import { assertDType, dtypeOfHost, type DType } from './buffers/dtype.js';
import { poolOf, type MemoryStats } from './buffers/pool.js';
import { hostPoolOf } from './buffers/host-pool.js';
import { DeviceContext } from './device/context.js';
import { HOW_TO_GET_ONE, loadWebgpu, openDawn, type DawnAdapterOptions, type DawnHandle } from './device/dawn.js';
import type { HostContext } from './device/host.js';
import { profile } from './device/profile.js';
import type { Profile } from './timing/profiler.js';
import type { DeviceInfo, EngineName } from './device/info.js';
import { DeviceUnavailableError, DTypeError, UnsupportedOnEngineError } from './errors.js';
import { openGpujs, type GpujsMode } from './fallback/gpujs.js';
import { jsKernel, registerGpujsOps, type JsKernelFn, type JsKernelOptions } from './fallback/ops.js';
import { profileHost } from './fallback/profile.js';
import { compileKernel, type Kernel, type KernelOptions } from './kernels/kernel.js';
import { resolveSource } from './kernels/load.js';
import { parseTuningProfile, setTuningProfile, type TuningProfile } from './kernels/tuning.js';
import { buildElementwise, type ElementwiseFn, type ElementwiseSpec } from './ops/elementwise.js';
import { buildReduction, type ReductionFn, type ReductionSpec } from './ops/reduce.js';

/** Which engine {@link openDevice} opens: `auto` tries Dawn, then falls back to gpu.js (announced on stderr). */
export type EngineChoice = EngineName | 'auto';

/** Options of {@link openDevice}. */
export interface OpenDeviceOptions extends DawnAdapterOptions {
  /**
   * `dawn` (WGSL on Dawn), `gpujs` (the gpu.js fallback) or `auto` (Dawn, else gpu.js). A Dawn option
   * (`backend`, `adapter`, `featureLevel`, or their environment variables) makes `auto` mean `dawn`.
   * @default process.env.GPUKIT_ENGINE, else 'auto'
   */
  readonly engine?: EngineChoice;
  /**
   * gpu.js mode on the gpujs engine. @default process.env.GPUKIT_GPUJS_MODE, else `webgpu` when a WebGPU
   * adapter exists (on gpukit's Dawn instance), else `webasm`, else `cpu`
   */
  readonly gpujsMode?: GpujsMode;
  /**
   * Whose kernel defaults and tuning candidates the ops use on Dawn: `gpu` (WG 256, shared-memory trees and
   * tiles) or `software` (few long invocations). `gpu` on a software adapter runs the code a hardware GPU
   * runs first, so CI can check it; a forced profile that differs from the adapter's kind ignores the tune cache.
   * @default process.env.GPUKIT_TUNING_PROFILE, else the adapter's kind
   */
  readonly tuningProfile?: TuningProfile;
}

export type { GpujsMode, JsKernelFn, JsKernelOptions };

function unsupported(what: string, instead: string): UnsupportedOnEngineError {
  return new UnsupportedOnEngineError(`${what} needs WGSL, which only the dawn engine runs; this device runs on gpujs. ${instead}`);
}

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
  readonly #dawn: DeviceContext | null;
  /** @internal The gpujs device (host memory and its task queue), or null on Dawn. */
  readonly host: HostContext | null;

  /** @internal use {@link openDevice} */
  constructor(ctx: DeviceContext | HostContext) {
    if (ctx instanceof DeviceContext) {
      this.#dawn = ctx;
      this.host = null;
    } else {
      this.#dawn = null;
      this.host = ctx;
    }
  }

  /** @internal The Dawn device context; throws {@link UnsupportedOnEngineError} on gpujs. */
  get ctx(): DeviceContext {
    if (this.#dawn === null) throw new UnsupportedOnEngineError('this device runs on the gpujs engine: it has no WebGPU device context');
    return this.#dawn;
  }

  #any(): DeviceContext | HostContext {
    return this.#dawn ?? (this.host as HostContext);
  }

  /** Which engine runs this device's work: `dawn` or `gpujs` (same as `info.engine`). */
  get engine(): EngineName {
    return this.#any().info.engine;
  }

  /** What this device runs on: engine, backend, adapter, feature level, features, limits, fallback reason. */
  get info(): DeviceInfo {
    return this.#any().info;
  }

  /** Device limits (on gpujs only `maxBufferSize`, the largest array). */
  get limits(): GPUSupportedLimits {
    return this.#dawn?.limits ?? (this.host?.limits as unknown as GPUSupportedLimits);
  }

  /** The underlying WebGPU device, for work gpukit does not wrap (dawn engine only). */
  get gpu(): GPUDevice {
    if (this.#dawn === null) throw unsupported('device.gpu (the raw WebGPU device)', 'Use the ops or device.jsKernel().');
    return this.#dawn.gpu;
  }

  get closed(): boolean {
    return this.#any().closed;
  }

  /** Pool statistics: bytes backing live arrays vs bytes cached for reuse (GPU buffers, or host memory on gpujs). */
  get memory(): MemoryStats {
    return this.#dawn !== null ? poolOf(this.#dawn).stats : hostPoolOf(this.host as HostContext).stats;
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
    const arr = new DeviceArray<D>(this.#any(), dt, shape ?? [data.length]);
    if (arr.length !== data.length) {
      arr.destroy();
      throw new DTypeError(`shape [${(shape ?? []).join(', ')}] holds ${arr.length} elements but ${data.length} were given`);
    }
    return arr.write(data);
  }

  /** A new array with undefined contents (cheapest; for outputs). */
  empty<D extends DType = 'f32'>(shape: number | readonly number[], dtype?: D): DeviceArray<D> {
    return new DeviceArray<D>(this.#any(), assertDType(dtype ?? 'f32') as D, shape);
  }

  /** A new array of zeros (cleared on the device, enqueued like any op). */
  zeros<D extends DType = 'f32'>(shape: number | readonly number[], dtype?: D): DeviceArray<D> {
    const arr = this.empty(shape, dtype);
    if (this.host !== null) {
      const data = arr.data;
      this.host.enqueue(() => void data.fill(0));
    } else this.ctx.clear(arr.buffer, 0, arr.bindingSize);
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
    if (this.host !== null) throw unsupported('device.kernel() (raw WGSL)', 'Write the kernel in JS with device.jsKernel(fn, { output }), which gpu.js runs.');
    this.ctx.assertUsable();
    const { code, label } = await resolveSource(source);
    return compileKernel(this.ctx, code, label !== undefined && options.label === undefined ? { ...options, label } : options);
  }

  /**
   * Builds an elementwise kernel from an expression (CuPy's ElementwiseKernel); see `device.elementwise()`.
   *
   * @example
   * ```ts
   * const axpy = await device.elementwise({ args: 'x: T[], y: T[], a: T', body: 'y = a * x + y' });
   * axpy({ x, y, a: 2 });
   * ```
   */
  elementwise(spec: ElementwiseSpec): Promise<ElementwiseFn> {
    if (this.host !== null) return Promise.reject(unsupported('device.elementwise() (a WGSL expression)', 'Write the body as a JS function with device.jsKernel(fn, { output }).'));
    this.ctx.assertUsable();
    return buildElementwise(this.ctx, spec);
  }

  /**
   * Builds a reduction kernel (CuPy's ReductionKernel) returning device scalars; see `device.reduction()`.
   *
   * @example
   * ```ts
   * const sumsq = await device.reduction({ args: 'x: T[]', map: 'x * x', reduce: 'a + b', identity: '0', post: 'sqrt(a)' });
   * console.log(await sumsq(x).item());
   * ```
   */
  reduction(spec: ReductionSpec): Promise<ReductionFn> {
    if (this.host !== null) return Promise.reject(unsupported('device.reduction() (WGSL expressions)', 'Use the ready reductions (sum, dot, norm...) or map with device.jsKernel() and reduce with sum().'));
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
    if (this.host !== null) return profileHost(this.host, fn);
    return profile(this.ctx, fn);
  }

  /**
   * A kernel written in JS, run by gpu.js on the gpujs engine (gpu.js's own rules: `this.thread.x/y/z`
   * index the output, numbers are f32). Returns a function that enqueues a run and returns a new f32 array
   * of shape `[z, y, x]`. Dawn runs WGSL instead: on the dawn engine this throws UnsupportedOnEngineError.
   *
   * @example
   * ```ts
   * const twice = device.jsKernel(function (x) { return 2 * x[this.thread.x]; }, { output: n });
   * using y = twice(x);
   * ```
   */
  jsKernel(fn: (...args: never[]) => unknown, options: JsKernelOptions): JsKernelFn {
    if (this.host === null) throw new UnsupportedOnEngineError('device.jsKernel() runs JS kernels through gpu.js, on the gpujs engine; on dawn write the kernel in WGSL with device.kernel() or device.elementwise()');
    return jsKernel(this.host, fn, options);
  }

  /** Submits everything enqueued, waits for the device to finish it, and throws any error it raised. */
  async sync(): Promise<void> {
    if (this.host !== null) await this.host.sync();
    else await this.ctx.sync();
  }

  /** Frees every resource, destroys the device and releases Dawn (or gpu.js) so the process can exit. Idempotent. */
  async close(): Promise<void> {
    if (this.host !== null) await this.host.close();
    else await this.ctx.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Opens a GPU device. Engine `auto` (the default) tries Dawn — its default backend with core features,
 * then its OpenGL ES backend in compatibility mode — and if Dawn cannot load or finds no adapter, runs on
 * gpu.js instead, saying so once on stderr and in `device.info.fallbackReason`. `engine: 'dawn'` or
 * `'gpujs'` (or `GPUKIT_ENGINE`) forces one; a forced engine that cannot start throws
 * {@link DeviceUnavailableError}. `GPUKIT_BACKEND` / `GPUKIT_ADAPTER` / `GPUKIT_FEATURE_LEVEL` force a Dawn choice.
 *
 * @example
 * ```ts
 * const device = await openDevice();
 * console.log(device.info.engine, device.info.description, device.info.fallbackReason ?? '');
 * await device.close();
 * ```
 */
export async function openDevice(options: OpenDeviceOptions = {}): Promise<GpuDevice> {
  const engine = options.engine ?? parseEngine(process.env['GPUKIT_ENGINE']);
  const gpujsMode = options.gpujsMode ?? parseGpujsMode(process.env['GPUKIT_GPUJS_MODE']);
  const mode = gpujsMode !== undefined ? { mode: gpujsMode } : {};
  const profile = parseTuningProfile(options.tuningProfile, 'openDevice({ tuningProfile })') ?? parseTuningProfile(process.env['GPUKIT_TUNING_PROFILE'], 'GPUKIT_TUNING_PROFILE');
  if (engine === 'gpujs') return gpujsDevice(await openGpujs({ ...mode, probeWebgpu: true }));
  const dawnForced =
    engine === 'dawn' ||
    options.backend !== undefined || options.adapter !== undefined || options.featureLevel !== undefined ||
    ['GPUKIT_BACKEND', 'GPUKIT_ADAPTER', 'GPUKIT_FEATURE_LEVEL'].some((k) => (process.env[k] ?? '') !== '');
  if (dawnForced) return dawnDevice(await openDawn(options), profile);
  let reason: string;
  try {
    await loadWebgpu();
    return dawnDevice(await openDawn(options), profile);
  } catch (e) {
    if (e instanceof DeviceUnavailableError) reason = (e.message.split('\n')[0] ?? e.message).replace(/ On a machine without a GPU.*$/, '').replace(/\.$/, '');
    else if (!(e instanceof Error) || !isLoadFailure(e)) throw e;
    else reason = `the webgpu package (Dawn) could not load: ${e.message.split('\n')[0] ?? ''}`;
  }
  const host = await openGpujs({ ...mode, probeWebgpu: false, fallbackReason: reason });
  announceFallback(reason, host.info.backend);
  return gpujsDevice(host);
}

function dawnDevice(handle: DawnHandle, profile: TuningProfile | undefined): GpuDevice {
  const ctx = new DeviceContext(handle);
  if (profile !== undefined) setTuningProfile(ctx, profile);
  return new GpuDevice(ctx);
}

function gpujsDevice(host: HostContext): GpuDevice {
  registerGpujsOps();
  return new GpuDevice(host);
}

// Failures of `import('webgpu')` itself (no prebuilt binary for this platform, a missing shared library).
function isLoadFailure(e: Error): boolean {
  const code = (e as { code?: unknown }).code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || code === 'ERR_DLOPEN_FAILED' || /cannot open shared object|dlopen|not a valid Win32|unsupported platform/i.test(e.message);
}

function parseEngine(v: string | undefined): EngineChoice {
  if (v === undefined || v === '') return 'auto';
  if (v === 'dawn' || v === 'gpujs' || v === 'auto') return v;
  throw new DeviceUnavailableError(`unknown engine '${v}' in GPUKIT_ENGINE; expected dawn, gpujs or auto`);
}

function parseGpujsMode(v: string | undefined): GpujsMode | undefined {
  if (v === undefined || v === '') return undefined;
  if (v === 'webgpu' || v === 'webasm' || v === 'cpu') return v;
  throw new DeviceUnavailableError(`unknown gpu.js mode '${v}' in GPUKIT_GPUJS_MODE; expected webgpu, webasm or cpu`);
}

let announced = false;

/** One stderr line per process, the first time `auto` falls back: never silent, never noisy. */
function announceFallback(reason: string, mode: string): void {
  if (announced) return;
  announced = true;
  const line = `gpukit: Dawn unavailable (${reason}); running on the gpujs engine (gpu.js ${mode}, f32 only, slower). To use Dawn: ${HOW_TO_GET_ONE} To choose gpu.js explicitly and silence this: GPUKIT_ENGINE=gpujs.`;
  process.stderr.write(`${line.replace(/\s+/g, ' ')}\n`);
}
