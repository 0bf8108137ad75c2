import { checkShape, DeviceArray } from './buffers/device-array.js';
import { checkNoExtra, checkOptions, describeValue, type OptionCheck } from './args.js';
import { hostArray, assertDType, checkInteger, dtypeOfHost, hostData, nestedData, type DType, type HostArray, type NestedArray } from './buffers/dtype.js';
import type { MemoryStats } from './backends/dawn/pool.js';
import type { Backend } from './backends/backend.js';
import { mapStream, reduceStream, streamer, type FoldStreamOptions, type MapStreamOptions, type ReduceStreamOptions, type StreamFn, type StreamInputs, type Streamer, type StreamerOptions } from './buffers/stream.js';
import { DeviceContext } from './backends/dawn/context.js';
import { ADOPT_CONFLICTS, adoptDevice, CAPPABLE_LIMITS, HOW_TO_GET_ONE, openDawn, type DawnAdapterOptions, type DawnHandle } from './backends/dawn/adapter.js';
import type { HostContext } from './backends/host/context.js';
import type { Profile } from './timing/profiler.js';
import type { DeviceInfo, EngineName } from './device/info.js';
import { ArgumentError, DeviceUnavailableError, DTypeError, ShapeError, UnsupportedOnEngineError } from './errors.js';
import { openGpujs, type GpujsMode } from './backends/host/gpujs.js';
import { jsKernel, type JsKernelFn, type JsKernelOptions } from './backends/host/js-kernel.js';
import { buildHostElementwise, buildHostReduction } from './backends/host/builders.js';
import type { Kernel, KernelOptions } from './backends/dawn/kernel.js';
import { trackedKernel } from './backends/host/backend.js';
import { parseTuningProfile, setTuningProfile, type TuningProfile } from './backends/dawn/tuning.js';
import { buildElementwise, type ElementwiseFn, type ElementwiseSpec } from './ops/elementwise.js';
import { buildReduction, type ReductionFn, type ReductionSpec } from './ops/reduce.js';
import { deviceRandom, type DeviceRandom } from './ops/random.js';

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
   * Bytes of idle memory the buffer pool keeps for reuse; beyond it the oldest idle blocks are freed. 0
   * keeps none (every release frees its memory once queued work is done with it).
   * @default 512 MiB on dawn, 256 MiB on gpujs
   */
  readonly poolCacheBytes?: number;
  /**
   * How long a readback or `sync()` may wait for the GPU, in ms, before it gives up with `TimeoutError`
   * and the device becomes unusable (a runaway kernel cannot be cancelled; see the README). Per call:
   * `toArray({ timeoutMs })`, `item({ timeoutMs })`, `sync({ timeoutMs })`. Dawn engine only. After a
   * timeout the process still exits by itself once nothing of the caller's is left, closed or not.
   * @default none: wait as long as the GPU takes (a correct kernel may run for minutes on a software adapter)
   */
  readonly timeoutMs?: number;
  /**
   * Whether elementwise and math ops record chains that run as one fused kernel when something needs them
   * (a reduction, a readback, another kernel, `sync()`, the end of the tick): bit-identical results, fewer
   * passes over memory. `false` runs each op at its call. Dawn engine (the gpujs engine runs each op).
   * @default true, unless the environment variable GPUKIT_FUSE is 0
   */
  readonly fuse?: boolean;
  /**
   * The most bytes of device memory gpukit may hold (live arrays, memory released but still used by
   * queued work, the pool's cache, op tables). An allocation past it first frees cached memory, then throws
   * `OutOfMemoryError`; the device stays usable.
   * @default on a software adapter and on gpujs (their memory is this process's), three quarters of the
   * host memory free at open: the smallest of `MemAvailable`, the room under a cgroup memory limit and the
   * room under `ulimit -v` (`device.memory.memoryBudgetBasis` says which); none on GPU hardware (the driver
   * reports out-of-memory)
   */
  readonly memoryBudgetBytes?: number;
  /**
   * Whose kernel defaults and tuning candidates the ops use on Dawn: `gpu` (WG 256, shared-memory trees and
   * tiles) or `software` (few long invocations). `gpu` on a software adapter runs the code a hardware GPU
   * runs first, so CI can check it; a forced profile that differs from the adapter's kind ignores the tune cache.
   * @default process.env.GPUKIT_TUNING_PROFILE, else the adapter's kind
   */
  readonly tuningProfile?: TuningProfile;
  /**
   * An outside `GPUDevice` to work on instead of opening one: the `webgpu` package's, TF.js's WebGPU
   * backend's (`tf.backend().device`), or one from your own `adapter.requestDevice()`. gpukit adopts it
   * without owning it: `close()` frees gpukit's buffers, caches and listeners and leaves the device alive
   * (its owner destroys it); its loss still rejects gpukit's waits with DeviceLostError. Limits and features
   * are the device's own (request what gpukit's kernels like, e.g. the adapter's limits, when you make it),
   * tuning follows its adapter (`device.adapterInfo`). Dawn engine only: with `engine: 'gpujs'` (or
   * GPUKIT_ENGINE=gpujs), or next to the Dawn choices that pick an adapter (`backend`, `adapter`,
   * `featureLevel`, `powerPreference`, `unsafeDisableRobustness`, `webgpu`, `gpujsMode`), it is an
   * ArgumentError. One gpukit device per GPUDevice at a time: adopting a device another open gpukit device
   * has adopted is an ArgumentError (they would share its error scopes); after `close()` it may be adopted again.
   * Keep the `webgpu` instance (`create()`'s result) that made the device referenced while you use it.
   * @default none: gpukit opens its own device
   *
   * @example
   * ```ts
   * const gpu = create([]); // from 'webgpu'
   * const raw = await (await gpu.requestAdapter())!.requestDevice();
   * const device = await openDevice({ device: raw });
   * // ... gpukit ops ...
   * await device.close(); // raw is still usable
   * ```
   */
  readonly device?: GPUDevice;
}

export type { GpujsMode, JsKernelFn, JsKernelOptions };

/** Options of {@link GpuDevice.array}. */
export interface ArrayOptions<D extends DType = DType> {
  /** Element type. @default from the typed array (f32 for plain number arrays) */
  readonly dtype?: D;
  /** Shape; its product must equal the data's length. @default [data.length] */
  readonly shape?: readonly number[];
}

/**
 * The dtype `device.array(data)` gives: i32 for an Int32Array (or nested rows of them), u32 for a Uint32Array
 * (likewise), else f32.
 */
export type DTypeOfData<T> = T extends Int32Array | readonly Int32Array[] ? 'i32' : T extends Uint32Array | readonly Uint32Array[] ? 'u32' : T extends ArrayLike<boolean> | readonly (readonly boolean[])[] ? 'bool' : 'f32';

/** Options of the factories that take only a dtype ({@link GpuDevice.zeros}, {@link GpuDevice.full}): NumPy's `dtype=`. */
export interface DTypeOptions<D extends DType = DType> {
  /** Element type. @default 'f32' (for {@link GpuDevice.full}: inferred from the value, i32 for an integer) */
  readonly dtype?: D;
}

/** Options of {@link GpuDevice.arange}: `dtype`, inferred when absent (i32 for all-integer arguments, else f32). */
export type ArangeOptions<D extends DType = DType> = DTypeOptions<D>;

/** Options of {@link GpuDevice.linspace}. */
export interface LinspaceOptions<D extends DType = DType> extends DTypeOptions<D> {
  /** Include `stop` as the last value. @default true */
  readonly endpoint?: boolean;
}

/** Options of {@link GpuDevice.eye} (NumPy's keywords `M`, `k`, `dtype`). */
export interface EyeOptions<D extends DType = DType> extends DTypeOptions<D> {
  /** Columns. @default n */
  readonly m?: number;
  /** The diagonal that holds the ones: 0 the main one, > 0 above it, < 0 below it. @default 0 */
  readonly k?: number;
}

/** Options of {@link GpuDevice.empty}. */
export interface EmptyOptions<D extends DType = DType> extends DTypeOptions<D> {
  /** Skip clearing reused pool memory: the array may hold a previous array's data until written. @default false */
  readonly uninitialized?: boolean;
}

/**
 * A timeout in ms: positive and at most 2^31 - 1, the longest Node's setTimeout waits (a longer one fires
 * after 1 ms, which would declare the device lost at once).
 */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
const timeoutCheck = (v: unknown): string | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= MAX_TIMEOUT_MS ? undefined : `must be a positive number of milliseconds, at most ${MAX_TIMEOUT_MS}`;

/** What `openDevice()` accepts (OpenDeviceOptions); backend and feature-level names are checked where the adapter is chosen. */
const OPEN_OPTIONS = {
  engine: ['dawn', 'gpujs', 'auto'],
  webgpu: ['dawn', 'wgpu'],
  gpujsMode: ['webgpu', 'webasm', 'cpu'],
  backend: 'string',
  adapter: 'string',
  featureLevel: 'string',
  powerPreference: ['high-performance', 'low-power'],
  unsafeDisableRobustness: 'boolean',
  poolCacheBytes: (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : 'must be a non-negative number of bytes'),
  timeoutMs: timeoutCheck,
  fuse: 'boolean',
  memoryBudgetBytes: (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? undefined : 'must be a positive number of bytes'),
  tuningProfile: 'string',
  device: () => undefined, // checked by adoptDevice (an ArgumentError naming what was given)
  limits: (v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'must be an object ({ maxStorageBufferBindingSize, maxBufferSize })';
    const bad = Object.keys(v).find((k) => !(CAPPABLE_LIMITS as readonly string[]).includes(k));
    return bad === undefined ? undefined : `has an unknown key ${bad}; it takes ${CAPPABLE_LIMITS.join(', ')}`;
  },
} as const;

/**
 * A shape argument checked in full here, so the error names the function: a length or an array of
 * non-negative integer lengths whose product is a safe integer.
 */
function shapeArg(op: string, shape: unknown): number | readonly number[] {
  if (typeof shape !== 'number' && !Array.isArray(shape)) throw new ShapeError(`${op}: shape must be a length (a number) or an array of lengths, got ${describeValue(shape)}`);
  const dims: readonly unknown[] = typeof shape === 'number' ? [shape] : shape;
  const show = (d: unknown): string => (typeof d === 'number' ? String(d) : describeValue(d)); // a Symbol cannot be joined
  let size = 1;
  for (const [i, d] of dims.entries()) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: ${typeof shape === 'number' ? 'a length' : `shape[${i}]`} must be a non-negative integer, got ${show(d)}${typeof shape === 'number' ? '' : ` in shape [${dims.map(show).join(', ')}]`}`);
    }
    size *= d;
  }
  if (!Number.isSafeInteger(size)) throw new ShapeError(`${op}: a shape of ${dims.length} dimension(s) with ${size} elements is too large`);
  return shape as number | readonly number[];
}

/** A number argument that must be finite; `integer` also asks for an integer (a safe one). */
function finiteArg(op: string, name: string, v: unknown, integer = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ArgumentError(`${op}: ${name} must be a finite number, got ${describeValue(v)}`);
  if (integer && !Number.isSafeInteger(v)) throw new ArgumentError(`${op}: ${name} must be an integer, got ${describeValue(v)}`);
  return v;
}

/** A plain options object (not null, not an array): what ends a factory's positional arguments. */
function isOptions(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A factory's trailing argument: an options object holding `dtype` and `fields` (the documented form), or,
 * deprecated, the dtype itself. Unknown keys are ArgumentErrors naming the factory.
 */
function factoryOptions(op: string, arg: unknown, fields: Readonly<Record<string, OptionCheck>>): Record<string, unknown> {
  if (isOptions(arg)) return checkOptions(op, arg, { dtype: () => undefined, ...fields }); // the dtype is checked by dtypeOf (a DTypeError)
  return arg === undefined ? {} : { dtype: arg };
}

/** Whether plain data (not a typed array) starts with a boolean: `device.array([true, false])` is a bool array. */
function isBooleans(data: unknown): boolean {
  try {
    return Array.isArray(data) && typeof (data as unknown[])[0] === 'boolean';
  } catch {
    return false; // a throwing getter: hostData reports it
  }
}

/** The dtype an options record names (f32 when it names none); an unknown dtype is a DTypeError. */
function dtypeOf(op: string, o: Readonly<Record<string, unknown>>): DType {
  const d = o['dtype'];
  return d === undefined ? 'f32' : assertDType(d, op);
}

/**
 * Whether a JS number counts as an integer argument for dtype inference (arange, full): an integer value,
 * but not −0, which only a float holds (so `full([2], -0)` is f32 and keeps the sign).
 */
function isIntegerArg(v: number): boolean {
  return Number.isInteger(v) && !Object.is(v, -0);
}

/**
 * The Array API standard's default integer dtype, i32 for gpukit, inferred from integer arguments: `values`
 * (the first and last values the array would hold) must lie in its range, else a DTypeError (never a wrap).
 */
function inferredInt(op: string, what: string, values: readonly number[]): 'i32' {
  for (const v of values) {
    if (v < -0x80000000 || v > 0x7fffffff) {
      throw new DTypeError(`${op}: ${what} infer the default integer dtype i32, but ${v} is outside i32's range [-2147483648, 2147483647]; pass { dtype: 'f32' } (or 'u32') for these values`);
    }
  }
  return 'i32';
}

/**
 * Splits `(a, b, c, options?)`: up to `most` positional arguments, then an options object (or, deprecated,
 * a dtype in the last position). Anything after the options object is an ArgumentError, as ignoring it would be.
 */
function splitArgs(op: string, args: readonly unknown[], most: number, takes: string): { positional: unknown[]; options: unknown } {
  const at = args.findIndex((a, i) => i > 0 && isOptions(a));
  const end = at === -1 ? Math.min(args.length, most) : at;
  if (at === -1) checkNoExtra(op, args.slice(most + 1), takes);
  else checkNoExtra(op, args.slice(at + 1), takes);
  if (at !== -1 && at > most) throw new ArgumentError(`${op}: takes ${takes}; got ${at} arguments before the options`);
  return { positional: args.slice(0, end), options: at === -1 ? args[most] : args[at] };
}

/** The most elements a host-built array (arange, linspace) may have: a JS array's length limit. */
const MAX_BUILT = 2 ** 32 - 1;

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
  readonly #backend: Backend;

  /** @internal use {@link openDevice} */
  constructor(ctx: DeviceContext | HostContext) {
    this.#backend = ctx.backend;
  }

  /** @internal The engine this device's arrays and work live on (src/backends/backend.ts). */
  get backend(): Backend {
    return this.#backend;
  }

  /** @internal The gpujs device (host memory and its task queue), or null on Dawn. */
  get host(): HostContext | null {
    return this.#backend.hostContext;
  }

  /** @internal The Dawn device context; throws {@link UnsupportedOnEngineError} on gpujs. */
  get ctx(): DeviceContext {
    return this.#backend.dawnContext(() => new UnsupportedOnEngineError('this device runs on the gpujs engine: it has no WebGPU device context'));
  }

  /** Which engine runs this device's work: `dawn` or `gpujs` (same as `info.engine`). */
  get engine(): EngineName {
    return this.#backend.info.engine;
  }

  /** What this device runs on: engine, backend, adapter, feature level, features, limits, fallback reason. */
  get info(): DeviceInfo {
    return this.#backend.info;
  }

  /** Device limits (on gpujs only `maxBufferSize`, the largest array). */
  get limits(): GPUSupportedLimits {
    return this.#backend.limits;
  }

  /** The underlying WebGPU device, for work gpukit does not wrap (dawn engine only). */
  get gpu(): GPUDevice {
    return this.#backend.dawnContext(() => unsupported('device.gpu (the raw WebGPU device)', 'Use the ops or device.jsKernel().')).gpu;
  }

  get closed(): boolean {
    return this.#backend.closed;
  }

  /** Pool statistics: bytes backing live arrays vs bytes cached for reuse (GPU buffers, or host memory on gpujs). */
  get memory(): MemoryStats {
    return this.#backend.pool.stats;
  }

  /**
   * Random arrays made on this device (NumPy's `Generator`): `device.random.uniform(shape, { seed, offset })`,
   * `.normal(…)`, `.u32(…)`. Counter-based (Philox4x32-10): bit-identical on every adapter and engine.
   *
   * @example
   * ```ts
   * using u = device.random.uniform([2, 3], { seed: 42 }); // 2×3 f32 in [0, 1)
   * ```
   */
  readonly random: DeviceRandom = deviceRandom(this);

  /**
   * Uploads host data (NumPy's `array`, the standard's `asarray`): a typed array, an array of numbers,
   * nested arrays (`[[1, 2], [3, 4]]`: the shape is inferred, C order; a list of typed arrays works too) or a
   * single number (a 0-d array). The dtype follows a Float32Array / Int32Array / Uint32Array (f32, i32, u32;
   * nested rows of one of them alike); plain numbers default to f32; pass `{ dtype }` for another. Nothing
   * is coerced silently. An array of booleans (nested too) is a bool array (`device.array([true, false])`);
   * with `{ dtype: 'bool' }` the numbers 0 and 1 (and a Uint8Array / Uint32Array of them) are taken too.
   * Otherwise:
   * - another typed array without a dtype (Float64Array, Int16Array, Uint8Array…) is a DTypeError saying
   *   which dtype to ask for (WebGPU has no float64); with a dtype it is converted — exactly for integers in
   *   the dtype's range (else a DTypeError, never a wrap), and for f32 / f16 rounded to the nearest f32 (the
   *   conversion asked for), a value overflowing to ±Infinity being a DTypeError;
   * - data that is not a typed array, a number or (nested) arrays of numbers is an ArgumentError; a non-number
   *   element, or for i32 / u32 a non-integer or out-of-range one, a DTypeError naming it;
   * - ragged nested data is a ShapeError naming where it differs; a `shape` whose size differs from the
   *   data's length (flat data is reshaped), or that differs from nested data's shape, a ShapeError.
   * All are checked before any memory is taken.
   *
   * @example
   * ```ts
   * using m = device.array([[1, 2, 3], [4, 5, 6]], { dtype: 'i32' });   // shape [2, 3]
   * using f = device.array(new Float64Array([0.1, 0.2]), { dtype: 'f32' }); // rounded to f32
   * device.array([3e10], { dtype: 'i32' }); // throws DTypeError: element 0 is 30000000000, outside i32's range
   * ```
   */
  array<T extends NestedArray, D extends DType = DTypeOfData<T>>(data: T, options?: ArrayOptions<D>): DeviceArray<D>;
  array<D extends DType = 'f32'>(data: number, options?: ArrayOptions<D>): DeviceArray<D>;
  /** An array of booleans: a bool array. */
  array(data: ArrayLike<boolean> | readonly (readonly boolean[])[], options?: ArrayOptions<'bool'>): DeviceArray<'bool'>;
  /** @deprecated Pass the dtype and shape as options: `array(data, { dtype, shape })`. */
  array<D extends DType = 'f32'>(data: ArrayLike<number>, dtype?: D, shape?: readonly number[]): DeviceArray<D>;
  array<D extends DType = 'f32'>(data: NestedArray | number, dtypeOrOptions?: D | ArrayOptions<D>, shapeArgument?: readonly number[], ...extra: unknown[]): DeviceArray<D> {
    return this.#upload('array', data, dtypeOrOptions, shapeArgument, extra);
  }

  /**
   * The Array API standard's name for {@link array}: the same function (`asarray(obj, { dtype, shape })`).
   * A DeviceArray is not accepted here (use `copy(x)` or `astype(x, dtype)`).
   *
   * @example
   * ```ts
   * using a = device.asarray([[1, 2], [3, 4]]);
   * ```
   * @see https://data-apis.org/array-api/2021.12/API_specification/generated/signatures.creation_functions.asarray.html
   */
  asarray<T extends NestedArray, D extends DType = DTypeOfData<T>>(data: T, options?: ArrayOptions<D>): DeviceArray<D>;
  asarray<D extends DType = 'f32'>(data: number, options?: ArrayOptions<D>): DeviceArray<D>;
  asarray<D extends DType = 'f32'>(data: NestedArray | number, options?: ArrayOptions<D>, ...extra: unknown[]): DeviceArray<D> {
    if (options !== undefined && (typeof options !== 'object' || (options as unknown) === null)) throw new ArgumentError(`asarray: options must be an object ({ dtype, shape }), got ${describeValue(options)}`);
    return this.#upload('asarray', data, options, undefined, extra);
  }

  #upload<D extends DType>(op: string, data: unknown, dtypeOrOptions: D | ArrayOptions<D> | undefined, shapeArgument: readonly number[] | undefined, extra: readonly unknown[]): DeviceArray<D> {
    checkNoExtra(op, extra, 'data and an options object');
    let dtype: D | undefined;
    let shape = shapeArgument;
    if (typeof dtypeOrOptions === 'object' && (dtypeOrOptions as unknown) !== null) {
      const o = checkOptions(op, dtypeOrOptions, { dtype: ['f32', 'i32', 'u32', 'f16', 'bool'], shape: (v) => (Array.isArray(v) ? undefined : 'must be an array of lengths') });
      dtype = o['dtype'] as D | undefined;
      shape = o['shape'] as readonly number[] | undefined;
      if (shapeArgument !== undefined) throw new ArgumentError(`${op}: give the shape once (in the options object)`);
    } else dtype = dtypeOrOptions as D | undefined;
    if (data instanceof DeviceArray) throw new ArgumentError(`${op}: data is already a DeviceArray (${data.toString()}); use copy(x) for a copy or astype(x, dtype) for another dtype`);
    // A number is a 0-d array; nested data is flattened with its inferred shape.
    const nested = typeof data === 'number' || typeof data === 'bigint' ? { values: [data], shape: [], typed: undefined } : nestedData(op, data);
    let flat: unknown = data;
    if (nested !== undefined) {
      const T = nested.typed?.constructor as (new (v: readonly (number | bigint | boolean)[]) => ArrayBufferView) | undefined;
      flat = T !== undefined ? new T(nested.values) : nested.values;
    }
    const dt = (dtype !== undefined ? assertDType(dtype, op) : ArrayBuffer.isView(flat) ? dtypeOfHost(flat, op) : isBooleans(flat) ? 'bool' : 'f32') as D;
    if (dtype === undefined && dt === 'bool') {
      // Inferred from the first element: every element must be a boolean (0 and 1 only with the dtype named).
      const list = flat as ArrayLike<unknown>;
      for (let i = 0; i < list.length; i++) if (typeof list[i] !== 'boolean') throw new DTypeError(`${op}: element ${i} is ${describeValue(list[i])} in an array of booleans (pass { dtype: 'bool' } to give 0 and 1 as numbers)`);
    }
    const host = hostData(op, dt, flat);
    let dims: readonly number[] = nested?.shape ?? [host.length];
    if (shape !== undefined) {
      const size = checkShape(shapeArg(op, shape), `${op}: shape`).length;
      if (nested !== undefined && typeof data !== 'number' && (shape.length !== dims.length || shape.some((e, d) => e !== dims[d]))) {
        throw new ShapeError(`${op}: shape [${shape.join(', ')}] differs from the nested data's shape [${dims.join(', ')}]`);
      }
      if (size !== host.length) throw new ShapeError(`${op}: shape [${shape.join(', ')}] holds ${size} elements but ${host.length} were given`);
      dims = shape;
    }
    const arr = new DeviceArray<D>(this.#backend, dt, dims, undefined, 'host');
    try {
      return arr.write(host);
    } catch (e) {
      arr.destroy(); // a failed upload must not keep its pooled memory
      throw e;
    }
  }

  /**
   * An array of `shape` filled with `value` (NumPy's and the standard's `full`). Without a dtype, the dtype
   * is inferred from the value as the Array API standard infers it from a Python scalar: an integer value
   * gives i32 (the standard's default integer dtype for gpukit; NumPy's default int64 maps to it), any other
   * number (0.5, NaN, ±Infinity, −0) f32, a boolean bool. An integer outside i32's range with no dtype is a
   * DTypeError, never a wrap: pass `{ dtype: 'f32' }` for it.
   *
   * Changed: before, every number without a dtype gave f32 (`full([2], 7)` was f32, now i32); pass
   * `{ dtype: 'f32' }` to keep a float array of integer values (a JS number cannot say `7.0`).
   *
   * With a dtype the value is checked as {@link array} checks data: for i32 / u32 a non-integer or
   * out-of-range value is a DTypeError (`full([2], 0.5, { dtype: 'i32' })` throws, no truncation).
   *
   * @example
   * ```ts
   * using m = device.full([2, 3], 7, { dtype: 'u32' });
   * using i = device.full([2], 7);                     // i32 [7, 7]
   * using f = device.full([2], 0.5);                   // f32 [0.5, 0.5]
   * using g = device.full([2], 7, { dtype: 'f32' });   // f32 [7, 7]
   * ```
   * @see https://numpy.org/doc/stable/reference/generated/numpy.full.html
   */
  full<D extends DType = 'i32' | 'f32'>(shape: number | readonly number[], value: number, options?: DTypeOptions<D>): DeviceArray<D>;
  /** A bool array filled with `value`. */
  full(shape: number | readonly number[], value: boolean, options?: DTypeOptions<'bool'>): DeviceArray<'bool'>;
  /** @deprecated Pass the dtype as an option: `full(shape, value, { dtype })`. */
   
  full<D extends DType = 'i32' | 'f32'>(shape: number | readonly number[], value: number, dtype?: D): DeviceArray<D>;
  full<D extends DType = 'i32' | 'f32'>(shape: number | readonly number[], value: number | boolean, dtypeOrOptions?: D | DTypeOptions<D>, ...extra: unknown[]): DeviceArray<D> {
    const dims = checkShape(shapeArg('full', shape), 'full: a dimension');
    if (typeof value !== 'number' && typeof value !== 'boolean') throw new ArgumentError(`full: value must be a number (or a boolean: a bool array), got ${describeValue(value)}`);
    const o = factoryOptions('full', dtypeOrOptions, {});
    // No dtype: inferred from the value (a boolean: bool; an integer: i32; else f32). A named dtype judges
    // the value in hostData (only bool takes a boolean).
    const dt = (
      o['dtype'] !== undefined ? dtypeOf('full', o) : typeof value === 'boolean' ? 'bool' : isIntegerArg(value) ? inferredInt('full', `the integer value ${value} and no dtype`, [value]) : 'f32'
    ) as D;
    checkNoExtra('full', extra, 'a shape, a value and an options object');
    const held = hostData('full', dt, [value])[0] ?? 0; // a value the dtype cannot hold is refused here (an empty array too), not wrapped
    return this.#filled('full', dt, dims.shape, () => (dt === 'bool' ? held : (value as number)));
  }

  /**
   * A new array of `shape` holding value(i) at element i. Its memory is granted first (the memory budget and
   * the device's limits), so a size past them fails before any host data is built: arange(2^28) with a
   * JavaScript array of that length killed the process (a V8 fatal heap error) before (issue 24 item 6).
   */
  #filled<D extends DType>(op: string, dt: D, shape: readonly number[], value: (i: number) => number): DeviceArray<D> {
    const arr = new DeviceArray<D>(this.#backend, dt, shape, undefined, 'host');
    try {
      const h = hostArray(dt, arr.length);
      const ints = dt === 'i32' ? 'i32' : dt === 'u32' ? 'u32' : undefined;
      for (let i = 0; i < h.length; i++) {
        const v = value(i);
        if (ints !== undefined) checkInteger(op, ints, i, v);
        h[i] = v;
      }
      return arr.write(h);
    } catch (e) {
      arr.destroy(); // a failed fill must not keep its pooled memory
      throw e;
    }
  }

  /**
   * Evenly spaced values in [start, stop) (NumPy's and the standard's `arange`): `arange(stop)`,
   * `arange(start, stop)`, `arange(start, stop, step)`, each with a trailing `{ dtype }`. Each value is
   * start + i·step, computed in float64 and stored once.
   *
   * Without a dtype, the dtype is inferred from the arguments as the Array API standard infers it from
   * Python scalars: start, stop and step all integers give i32 (the standard's default integer dtype for
   * gpukit; NumPy's default int64 maps to it), any non-integer (or −0) gives f32. Values outside i32's range
   * with an inferred i32 are a DTypeError, never a wrap: pass `{ dtype: 'f32' }` for them. An integer dtype,
   * named or inferred, refuses a value it cannot hold exactly.
   *
   * Changed: before, the dtype defaulted to f32 whatever the arguments (`arange(5)` was f32, now i32); pass
   * `{ dtype: 'f32' }` to keep a float array of integer values (a JS number cannot say `5.0`).
   *
   * @example
   * ```ts
   * using i = device.arange(5);                       // i32 [0, 1, 2, 3, 4]
   * using r = device.arange(-2, 2, { dtype: 'f32' }); // f32 [-2, -1, 0, 1]
   * using h = device.arange(0, 1, 0.25);              // f32 [0, 0.25, 0.5, 0.75]
   * ```
   * @see https://numpy.org/doc/stable/reference/generated/numpy.arange.html
   */
  arange<D extends DType = 'i32' | 'f32'>(stop: number, options?: ArangeOptions<D>): DeviceArray<D>;
  arange<D extends DType = 'i32' | 'f32'>(start: number, stop: number, options?: ArangeOptions<D>): DeviceArray<D>;
  arange<D extends DType = 'i32' | 'f32'>(start: number, stop?: number, step?: number, options?: ArangeOptions<D>): DeviceArray<D>;
  /** @deprecated Pass the dtype as an option: `arange(start, stop, step, { dtype })`. */
  arange<D extends DType = 'i32' | 'f32'>(start: number, stop: number | undefined, step: number | undefined, dtype: D): DeviceArray<D>;
  arange<D extends DType = 'i32' | 'f32'>(...args: unknown[]): DeviceArray<D> {
    const { positional, options } = splitArgs('arange', args, 3, 'start, stop, step and an options object (or a dtype)');
    const [start, stop, step] = positional;
    const [a, b] = stop === undefined ? [0, start] : [start, stop];
    const st = step === undefined ? 1 : step; // null is refused below, not taken for the default
    for (const [name, v] of [['start', a], ['stop', b], ['step', st]] as const) finiteArg('arange', name, v);
    const [a0, b0, s0] = [a, b, st] as [number, number, number];
    if (s0 === 0) throw new ArgumentError('arange: step must not be 0');
    const n = Math.max(0, Math.ceil((b0 - a0) / s0));
    if (n > MAX_BUILT) throw new ShapeError(`arange: (stop - start) / step = ${n} elements is more than ${MAX_BUILT}`);
    const o = factoryOptions('arange', options, {});
    // No dtype: all-integer arguments infer i32 (its range checked on the first and last values), else f32.
    const ints = isIntegerArg(a0) && isIntegerArg(b0) && isIntegerArg(s0);
    const dt = (o['dtype'] !== undefined ? dtypeOf('arange', o) : ints ? inferredInt('arange', 'integer arguments and no dtype', n === 0 ? [] : [a0, a0 + (n - 1) * s0]) : 'f32') as D;
    return this.#filled('arange', dt, [n], (i) => (i === 0 ? a0 : a0 + i * s0)); // the first is start itself (−0 stays −0, as NumPy's)
  }

  /**
   * `num` evenly spaced values from start to stop (NumPy's `linspace`), stop included unless
   * `{ endpoint: false }`. Values are computed in float64 and stored once; an integer dtype takes their floor
   * (as NumPy does). Without a dtype the result is f32 whatever the arguments: the standard's linspace
   * returns the default floating-point dtype, so integer arguments do not infer i32 here (unlike
   * {@link GpuDevice.arange} and {@link GpuDevice.full}).
   *
   * @example
   * ```ts
   * using l = device.linspace(0, 1, 5);                       // [0, 0.25, 0.5, 0.75, 1]
   * using e = device.linspace(0, 1, 4, { endpoint: false });  // [0, 0.25, 0.5, 0.75]
   * ```
   */
  linspace<D extends DType = 'f32'>(start: number, stop: number, num: number, options?: LinspaceOptions<D>, ...extra: unknown[]): DeviceArray<D> {
    finiteArg('linspace', 'start', start);
    finiteArg('linspace', 'stop', stop);
    if (typeof num !== 'number' || !Number.isInteger(num) || num < 0) throw new ArgumentError(`linspace: num must be a non-negative integer, got ${describeValue(num)}`);
    if (num > MAX_BUILT) throw new ShapeError(`linspace: num = ${num} is more than ${MAX_BUILT}`);
    const o = checkOptions('linspace', options, { dtype: () => undefined, endpoint: 'boolean' });
    checkNoExtra('linspace', extra, 'start, stop, num and an options object');
    const dt = dtypeOf('linspace', o) as D;
    const endpoint = o['endpoint'] !== false;
    const n = num;
    const div = endpoint ? n - 1 : n;
    const step = div > 0 ? (stop - start) / div : 0;
    const floor = dt === 'i32' || dt === 'u32';
    return this.#filled('linspace', dt, [n], (i) => {
      const v = endpoint && i === n - 1 && n > 1 ? stop : start + i * step;
      return floor ? Math.floor(v) : v;
    });
  }

  /**
   * An n×m matrix with ones on diagonal `k` and zeros elsewhere (NumPy's `eye`): `eye(n)`, `eye(n, m, k)` or
   * `eye(n, { m, k, dtype })`. `m` defaults to `n`, `k` to 0 (the main diagonal; > 0 above it).
   *
   * @example
   * ```ts
   * using i = device.eye(3, { dtype: 'i32' });
   * using u = device.eye(3, { m: 4, k: 1 }); // same as eye(3, 4, 1)
   * ```
   */
  eye<D extends DType = 'f32'>(n: number, options?: EyeOptions<D>): DeviceArray<D>;
  eye<D extends DType = 'f32'>(n: number, m: number, options?: EyeOptions<D>): DeviceArray<D>;
  eye<D extends DType = 'f32'>(n: number, m?: number, k?: number, options?: EyeOptions<D>): DeviceArray<D>;
  /** @deprecated Pass the dtype as an option: `eye(n, { m, k, dtype })`. */
  eye<D extends DType = 'f32'>(n: number, m: number | undefined, k: number | undefined, dtype: D): DeviceArray<D>;
  eye<D extends DType = 'f32'>(...args: unknown[]): DeviceArray<D> {
    const { positional, options } = splitArgs('eye', args, 3, 'n, m, k and an options object (or a dtype)');
    const o = factoryOptions('eye', options, { m: 'number', k: 'number' });
    for (const [i, name] of [[1, 'm'], [2, 'k']] as const) {
      if (positional[i] !== undefined && o[name] !== undefined) throw new ArgumentError(`eye: ${name} given twice (as an argument and as an option); pass it once`);
    }
    // Only undefined takes a default: null is refused below, as before.
    const given = (i: 1 | 2, name: 'm' | 'k'): unknown => (positional[i] !== undefined ? positional[i] : o[name]);
    const n = positional[0];
    const m = given(1, 'm') === undefined ? n : given(1, 'm');
    const k = given(2, 'k') === undefined ? 0 : given(2, 'k');
    const dims = checkShape(shapeArg('eye', [n, m]), 'eye: a dimension').shape;
    finiteArg('eye', 'k', k, true);
    const rows = dims[0] ?? 0;
    const cols = dims[1] ?? 0;
    const dt = dtypeOf('eye', o) as D;
    const kk = k as number;
    return this.#filled('eye', dt, [rows, cols], (e) => (e % cols === Math.floor(e / cols) + kk ? 1 : 0));
  }

  /**
   * A new array for outputs (NumPy's `empty`, but never stale). Its memory reads as zeros — memory the pool
   * reuses is cleared first, so no array ever sees a previous owner's data — unless `{ uninitialized: true }`
   * asks to skip that clear (then its contents are whatever the pool had: write every element before reading any).
   *
   * @example
   * ```ts
   * using out = device.empty([256, 256], { dtype: 'u32', uninitialized: true });
   * ```
   */
  empty<D extends DType = 'f32'>(shape: number | readonly number[], options?: EmptyOptions<D>): DeviceArray<D>;
  /** @deprecated Pass the dtype as an option: `empty(shape, { dtype, uninitialized })`. */
  empty<D extends DType = 'f32'>(shape: number | readonly number[], dtype?: D, options?: EmptyOptions): DeviceArray<D>;
  empty<D extends DType = 'f32'>(shape: number | readonly number[], dtype?: D | EmptyOptions<D>, options?: EmptyOptions, ...extra: unknown[]): DeviceArray<D> {
    const optsGiven = (dtype as unknown) !== null && typeof dtype === 'object';
    if (optsGiven && options !== undefined) throw new ArgumentError('empty: options given twice (as the second and the third argument); pass one options object');
    checkNoExtra('empty', extra, 'a shape and an options object');
    const opts = optsGiven ? dtype : options === undefined ? {} : options; // null is refused below, not taken for {}
    checkOptions('empty', opts, optsGiven ? { dtype: () => undefined, uninitialized: 'boolean' } : { uninitialized: 'boolean' });
    const dt = dtypeOf('empty', optsGiven ? (opts as Record<string, unknown>) : { dtype }) as D;
    return new DeviceArray<D>(this.#backend, dt, shapeArg('empty', shape), undefined, opts.uninitialized === true ? 'uninitialized' : 'zero');
  }

  /**
   * A new array of zeros (NumPy's `zeros`). New WebGPU memory is zeroed; memory the pool reuses is cleared
   * on the device, enqueued like any op.
   *
   * @example
   * ```ts
   * using z = device.zeros([2, 3], { dtype: 'i32' });
   * ```
   */
  zeros<D extends DType = 'f32'>(shape: number | readonly number[], options?: DTypeOptions<D>): DeviceArray<D>;
  /** @deprecated Pass the dtype as an option: `zeros(shape, { dtype })`. */
   
  zeros<D extends DType = 'f32'>(shape: number | readonly number[], dtype?: D): DeviceArray<D>;
  zeros<D extends DType = 'f32'>(shape: number | readonly number[], dtypeOrOptions?: D | DTypeOptions<D>, ...extra: unknown[]): DeviceArray<D> {
    const dt = dtypeOf('zeros', factoryOptions('zeros', dtypeOrOptions, {})) as D;
    checkNoExtra('zeros', extra, 'a shape and an options object');
    return new DeviceArray<D>(this.#backend, dt, shapeArg('zeros', shape), undefined, 'zero');
  }

  /**
   * A new array of ones (NumPy's and the standard's `ones`): `full(shape, 1)` (true for bool).
   *
   * @example
   * ```ts
   * using o = device.ones([2, 3], { dtype: 'i32' });
   * ```
   * @see https://numpy.org/doc/stable/reference/generated/numpy.ones.html
   */
  ones<D extends DType = 'f32'>(shape: number | readonly number[], options?: DTypeOptions<D>, ...extra: unknown[]): DeviceArray<D> {
    checkNoExtra('ones', extra, 'a shape and an options object');
    const dt = dtypeOf('ones', factoryOptions('ones', options, {})) as D;
    return dt === 'bool' ? (this.full(shape, true, { dtype: 'bool' }) as DeviceArray as DeviceArray<D>) : this.full(shape, 1, { dtype: dt });
  }

  /** Frees the pool's idle cached memory now (memory still used by queued work is freed when that work completes). */
  trimMemory(): void {
    this.#backend.pool.trim();
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
    return this.#backend.kernel(source, options);
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
    return this.#backend.build({ dawn: (ctx) => buildElementwise(ctx, spec), host: () => buildHostElementwise(spec) });
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
    return this.#backend.build({ dawn: (ctx) => buildReduction(ctx, spec), host: () => buildHostReduction(spec) });
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
    if (typeof fn !== 'function') return Promise.reject(new ArgumentError(`profile: fn must be a function to run and time, got ${describeValue(fn)}`));
    return this.#backend.profile(fn);
  }

  /**
   * A kernel written in JS, run by gpu.js on the gpujs engine (gpu.js's own rules: `this.thread.x/y/z`
   * index the output, numbers are f32). Returns a function that enqueues a run and returns a new f32 array
   * of shape `[z, y, x]`. Dawn runs WGSL instead: on the dawn engine this throws UnsupportedOnEngineError.
   *
   * gpu.js stops a loop whose bound it cannot see (`while`, or `for` up to an argument) after
   * `loopMaxIterations` iterations without an error, so such a kernel is refused (ArgumentError) unless
   * `options.loopMaxIterations` states the most iterations any loop makes; see {@link JsKernelOptions}.
   * `fn` must be a `function` expression (not an arrow function, a method or a string).
   *
   * @example
   * ```ts
   * const twice = device.jsKernel(function (x) { return 2 * x[this.thread.x]; }, { output: n });
   * using y = twice(x);
   * const rowSum = device.jsKernel(function (a, k) { let s = 0; for (let j = 0; j < k; j++) s += a[this.thread.x * k + j]; return s; }, { output: rows, loopMaxIterations: 4096 });
   * ```
   */
  jsKernel(fn: (...args: never[]) => unknown, options: JsKernelOptions): JsKernelFn {
    return this.#backend.jsKernel((host) => {
      if (typeof fn !== 'function') throw new ArgumentError(`jsKernel: fn must be a JS function, got ${describeValue(fn)}`);
    checkOptions('jsKernel', options, { output: (v) => (typeof v === 'number' || Array.isArray(v) ? undefined : 'must be a size or an array of 1 to 3 sizes'), settings: 'object', loopMaxIterations: 'number' }, ['output']);
    const output: unknown = options.output;
    if (Array.isArray(output) && (output.length < 1 || output.length > 3)) throw new ShapeError(`jsKernel: option 'output' must be a size or an array of 1 to 3 sizes, got ${describeValue(output)}`);
      shapeArg('jsKernel: output', output);
      return trackedKernel('jsKernel', jsKernel(host, fn, options), host);
    });
  }

  /**
   * Runs `fn` over a host array (or several of one length) chunk by chunk and writes its results into one
   * host array: `fn` gets each chunk as 1-D device arrays and returns the chunk's result, one element per
   * input element. On Dawn, chunk k+1 uploads while chunk k computes and chunk k−1 downloads, through a
   * ring of mapped upload buffers, so the transfers of a memory-bound op overlap and a host array larger
   * than device memory goes through in one pass (device memory ≈ `depth` chunks). The stream destroys what
   * `fn` returns once read; an op failing in any chunk rejects the stream with that op's error. Streaming
   * again and again, use {@link streamer}: it keeps its device memory between calls.
   *
   * @example
   * ```ts
   * const y = await device.mapStream([a, b], (x, z) => add(x, z), { chunk: 1 << 20 }); // a + b, any length
   * ```
   */
  mapStream(inputs: StreamInputs, fn: StreamFn, options: MapStreamOptions = {}): Promise<HostArray> {
    return mapStream(this.#backend, inputs, fn, options);
  }

  /**
   * Runs `fn` over a host array (or several of one length) chunk by chunk, as {@link mapStream} does, and
   * combines the chunks' results on the host in float64: `{ combine: 'sum' | 'min' | 'max' }` for a scalar
   * per chunk (a reduction op's result), or `{ fold, initial }` for any small result (a histogram's counts...).
   *
   * @example
   * ```ts
   * const total = await device.reduceStream(big, (x) => sum(x), { combine: 'sum' });
   * const perChunk = await device.reduceStream(big, (x) => max(x), { fold: (acc: number[], part) => [...acc, part[0] ?? NaN], initial: [] });
   * ```
   */
  reduceStream(inputs: StreamInputs, fn: StreamFn, options: ReduceStreamOptions): Promise<number>;
  reduceStream<A>(inputs: StreamInputs, fn: StreamFn, options: FoldStreamOptions<A>): Promise<A>;
  reduceStream<A>(inputs: StreamInputs, fn: StreamFn, options: ReduceStreamOptions | FoldStreamOptions<A>): Promise<number | A> {
    return reduceStream(this.#backend, inputs, fn, options);
  }

  /**
   * A reusable stream for calling {@link mapStream} / {@link reduceStream} again and again: its `map()` and
   * `reduce()` keep their device arrays and mapped upload buffers between calls (made again only when the
   * chunk size, the input dtypes or the number of inputs changes). Free it with `destroy()` or `using`;
   * closing the device frees it too.
   *
   * @example
   * ```ts
   * using s = device.streamer({ chunk: 1 << 20 });
   * const y = await s.map([a, b], (x, z) => add(x, z));
   * const total = await s.reduce(a, (x) => sum(x), { combine: 'sum' });
   * ```
   */
  streamer(options: StreamerOptions = {}): Streamer {
    return streamer(this.#backend, options);
  }

  /**
   * Submits everything enqueued, waits for the device to finish it, and throws the first op error not
   * reported yet. `{ timeoutMs }` (default: the device's) gives up with `TimeoutError` (Dawn engine).
   */
  async sync(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    checkOptions('sync', options, { timeoutMs: timeoutCheck });
    await this.#backend.sync(options.timeoutMs);
  }

  /**
   * Submits everything enqueued to the GPU queue without waiting for the GPU to run it: once this resolves,
   * work another library submits on the same `GPUDevice` queue runs after gpukit's, so it may read what gpukit
   * wrote (queue order; nothing else to await). Resolves as soon as the submissions are made (the verdict of
   * the batch before is microseconds away); rejects with the first op error not reported yet, so a partner is
   * never handed a failed op's output. Dawn engine; on gpujs it waits for the host queue, as `sync()` does.
   *
   * @example
   * ```ts
   * using y = softmax(x);
   * await device.flush();
   * const t = tf.tensor({ buffer: y.buffer, zeroCopy: true }, y.shape); // TF.js's kernels now see y
   * ```
   */
  async flush(): Promise<void> {
    await this.#backend.flushQueue();
  }

  /**
   * Frees every resource, destroys the device and releases Dawn (or gpu.js) so the process can exit.
   * Idempotent. An adopted device (`openDevice({ device })`) is left alive: only gpukit's resources on it are freed.
   */
  async close(): Promise<void> {
    await this.#backend.close();
  }

  /** The same as {@link close}, so `await using device = await openDevice()` closes it at the end of its scope. */
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
  // Every option value is checked here, before an adapter is opened (poolCacheBytes and memoryBudgetBytes too).
  checkOptions('openDevice', options, OPEN_OPTIONS);
  const device = await openAny(options);
  // The pool now, so that its default memory budget is based on the memory free at open.
  const backend = device.backend;
  const pool = backend.pool;
  backend.setTimeout(options.timeoutMs);
  if (options.fuse !== undefined) backend.setFusion(options.fuse);
  if (options.poolCacheBytes !== undefined) {
    const bytes = options.poolCacheBytes;
    if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0) {
      await device.close();
      throw new ArgumentError(`openDevice: poolCacheBytes must be a non-negative number of bytes, got ${String(bytes)}`);
    }
    pool.maxCachedBytes = bytes;
  }
  if (options.memoryBudgetBytes !== undefined) {
    const bytes = options.memoryBudgetBytes;
    if (!Number.isFinite(bytes) || bytes <= 0) {
      await device.close();
      throw new ArgumentError(`openDevice: memoryBudgetBytes must be a positive number of bytes, got ${String(bytes)}`);
    }
    const budget = { bytes, basis: 'set by openDevice({ memoryBudgetBytes })' };
    pool.setBudget(budget);
  }
  return device;
}

async function openAny(options: OpenDeviceOptions): Promise<GpuDevice> {
  if (options.device !== undefined) return adopt(options);
  const choice = options.engine ?? parseEngine(process.env['GPUKIT_ENGINE']);
  const gpujsMode = options.gpujsMode ?? parseGpujsMode(process.env['GPUKIT_GPUJS_MODE']);
  const mode = gpujsMode !== undefined ? { mode: gpujsMode } : {};
  const profile = parseTuningProfile(options.tuningProfile, 'openDevice({ tuningProfile })') ?? parseTuningProfile(process.env['GPUKIT_TUNING_PROFILE'], 'GPUKIT_TUNING_PROFILE');
  const caps = options.limits !== undefined ? { limits: options.limits } : {};
  if (choice === 'gpujs') return gpujsDevice(await openGpujs({ ...mode, ...caps, probeWebgpu: true }));
  const dawnForced =
    choice === 'dawn' ||
    options.backend !== undefined || options.adapter !== undefined || options.featureLevel !== undefined || options.webgpu !== undefined ||
    ['GPUKIT_BACKEND', 'GPUKIT_ADAPTER', 'GPUKIT_FEATURE_LEVEL', 'GPUKIT_WEBGPU'].some((k) => (process.env[k] ?? '') !== '');
  if (dawnForced) return dawnDevice(await openDawn(options), profile);
  let reason: string;
  try {
    // openDawn loads the webgpu package (a load failure is classified below), or in Deno may use its own WebGPU.
    return dawnDevice(await openDawn(options), profile);
  } catch (e) {
    if (e instanceof DeviceUnavailableError) reason = (e.message.split('\n')[0] ?? e.message).replace(/ On a machine without a GPU.*$/, '').replace(/\.$/, '');
    else if (!(e instanceof Error) || !isLoadFailure(e)) throw e;
    else reason = `the webgpu package (Dawn) could not load: ${e.message.split('\n')[0] ?? ''}`;
  }
  const host = await openGpujs({ ...mode, ...caps, probeWebgpu: false, fallbackReason: reason });
  announceFallback(reason, host.info.backend);
  return gpujsDevice(host);
}

/** The engine choices that name the host engine (an outside GPUDevice cannot run there). */
const HOST_ENGINE: ReadonlySet<string | undefined> = new Set(['gpujs']);

/** `openDevice({ device })`: the Dawn engine over an outside GPUDevice (see {@link OpenDeviceOptions.device}). */
async function adopt(options: OpenDeviceOptions): Promise<GpuDevice> {
  const envEngine = process.env['GPUKIT_ENGINE'];
  const engine = options.engine ?? (envEngine === 'gpujs' ? envEngine : undefined);
  if (HOST_ENGINE.has(engine)) {
    throw new ArgumentError(`openDevice: option 'device' (an outside GPUDevice) runs on the dawn engine only; ${options.engine !== undefined ? "engine 'gpujs' was asked for" : 'GPUKIT_ENGINE=gpujs is set'}, whose host memory cannot hold a GPUDevice's buffers`);
  }
  const conflicts = ADOPT_CONFLICTS.filter((k) => options[k] !== undefined);
  if (conflicts.length > 0) {
    throw new ArgumentError(`openDevice: option 'device' comes with its adapter already chosen; ${conflicts.join(', ')} ${conflicts.length === 1 ? 'chooses' : 'choose'} one and cannot apply to it — drop ${conflicts.length === 1 ? 'it' : 'them'}`);
  }
  const profile = parseTuningProfile(options.tuningProfile, 'openDevice({ tuningProfile })') ?? parseTuningProfile(process.env['GPUKIT_TUNING_PROFILE'], 'GPUKIT_TUNING_PROFILE');
  return dawnDevice(await adoptDevice(options.device, options.limits !== undefined ? { limits: options.limits } : {}), profile);
}

function dawnDevice(handle: DawnHandle, profile: TuningProfile | undefined): GpuDevice {
  const ctx = new DeviceContext(handle);
  if (profile !== undefined) setTuningProfile(ctx, profile);
  return new GpuDevice(ctx);
}

function gpujsDevice(host: HostContext): GpuDevice {
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
