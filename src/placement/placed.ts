/**
 * The placed front end: ops on host typed arrays (or n-d host arrays `{ data, shape }`) that run where this
 * machine's measurements say they are fastest — on the CPU (the bench's own loops, one thread or the worker
 * pool) or on the GPU end to end (upload, op, download) — and say why (`explain`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DeviceArray } from '../buffers/device-array.js';
import { calibrate } from '../bench/calibrate.js';
import { ceilingsOf, placementPath, readPlacementFile, savePlacement, warnPlacement, type PlacementFile } from '../bench/placement-file.js';
import { axpyLoop, dotLoop, matmulRows, radixSortU32, scanLoop, sumLoop } from '../cpu/loops.js';
import { CpuPool, sharedF32, sharedU32 } from '../cpu/pool.js';
import { loadWasmCpu, wasmInstalled, type WasmCpu, type WasmUnavailable } from '../cpu/wasm.js';
import { describeValue } from '../args.js';
import { isDetached } from '../buffers/dtype.js';
import { engineTraits } from '../device/engines.js';
import { ArgumentError, DestroyedError, DTypeError, ShapeError } from '../errors.js';
import { GpuDevice, openDevice, type OpenDeviceOptions } from '../gpu-device.js';
import { axpy as axpyOp } from '../ops/elementwise.js';
import { add as addOp, softmax as softmaxOp } from '../ops/math.js';
import { matmul as matmulOp } from '../ops/matmul.js';
import { dot as dotOp, sum as sumOp } from '../ops/reduce.js';
import { scan as scanOp } from '../ops/scan.js';
import { sort as sortOp } from '../ops/sort.js';
import { sortCpu } from '../reference/sort.js';
import type { Profile } from '../timing/profiler.js';
import { addSize, elementSize, matmulSize, PlacementModel, PLACED_OPS, sizeOf, type CallSize, type Decision, type PlacedOp } from './model.js';

/** The host arrays the front end takes. */
export type HostArray = Float32Array | Int32Array | Uint32Array;

/** An n-d host array: row-major data and its shape (the product of the shape is the data's length). */
export interface NdHost<A extends HostArray = HostArray> {
  readonly data: A;
  readonly shape: readonly number[];
}

/** A host input: a typed array (1-D) or `{ data, shape }`. Results come back in the same form. */
export type HostInput<A extends HostArray = HostArray> = A | NdHost<A>;

/**
 * How calls are placed: by the model, or always on one side (for comparisons, as `gpukit bench --placement`
 * does): `cpu` the fastest predicted CPU contender, `cpu-js` the faster of one thread and the pool, `cpu-wasm`
 * TF.js's wasm backend (where installed and it runs the call; else as `cpu-js`), `gpu` end to end.
 */
export type PlacementMode = 'measured' | 'cpu' | 'gpu' | 'cpu-js' | 'cpu-wasm';

/** Options of {@link openPlaced} and {@link placeOn}. */
export interface PlacementOptions {
  /** `measured` places each call by the model; `cpu` / `gpu` always run there. @default 'measured' */
  readonly placement?: PlacementMode;
  /** A model to use instead of the adapter's file (tests, experiments). @default the adapter's placement file */
  readonly model?: PlacementModel;
  /**
   * Run the calibration kernels (a few seconds) when the adapter's placement file has no calibration, and
   * save them, so ops without measured lines get lines derived from this adapter's ceilings instead of the
   * built-in ones. Dawn only. @default true
   */
  readonly calibrate?: boolean;
  /** Let the CPU side use the worker pool (started on first use). @default true */
  readonly pool?: boolean;
  /**
   * Let the CPU side use TF.js's wasm backend (`cpu-wasm`) where its optional packages are installed
   * (loaded on first use). @default true
   */
  readonly wasm?: boolean;
}

/** One placed call, as `profile()` records it. */
export interface PlacementRecord extends Decision {
  /** Wall time of the whole call, ms. */
  readonly ms: number;
}

const recording = new AsyncLocalStorage<PlacementRecord[]>();

type F32In = HostInput<Float32Array>;

/** The result form of an input form: a typed array for a typed array, `{ data, shape }` for `{ data, shape }`. */
export type SameForm<T> = T extends NdHost ? NdHost<Float32Array> : Float32Array;

function isNd(x: unknown): x is NdHost {
  return typeof x === 'object' && x !== null && !ArrayBuffer.isView(x) && 'data' in x && 'shape' in x;
}

/**
 * The data and shape of a host input, checked the same way whichever side will run the call: a typed array
 * of another kind is a DTypeError; anything else that is not one of `types` (null, a plain array, a shape
 * that is not an array), or one over a detached buffer (which reads as empty, and would sum to 0), an
 * ArgumentError naming the op and the argument.
 */
function hostOf(op: string, name: string, x: unknown, types: readonly (new (n: number) => HostArray)[]): { data: HostArray; shape: number[]; nd: boolean } {
  const nd = isNd(x);
  const data: unknown = nd ? x.data : x;
  const kinds = `${types.map((t) => t.name).join(' or ')} (or { data, shape } of one)`;
  if (!types.some((t) => data instanceof t)) {
    if (ArrayBuffer.isView(data)) throw new DTypeError(`placed ${op}: ${name} must be ${kinds}, got ${data.constructor.name}`);
    throw new ArgumentError(`placed ${op}: ${name}${nd ? '.data' : ''} must be ${kinds}, got ${describeValue(data)}`);
  }
  const arr = data as HostArray;
  if (isDetached(arr.buffer)) throw new ArgumentError(`placed ${op}: ${name}${nd ? '.data' : ''} is a ${arr.constructor.name} over a detached ArrayBuffer (transferred or freed): it holds no data`);
  if (!nd) return { data: arr, shape: [arr.length], nd: false };
  if (!Array.isArray(x.shape)) throw new ArgumentError(`placed ${op}: ${name}.shape must be an array of non-negative integers, got ${describeValue(x.shape)}`);
  const shape = [...(x.shape as readonly unknown[])] as number[];
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw new ShapeError(`placed ${op}: ${name}.shape must be non-negative integers, got [${shape.join(', ')}]`);
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== arr.length) throw new ShapeError(`placed ${op}: ${name}.shape [${shape.join(', ')}] holds ${size} elements but its data has ${arr.length}`);
  return { data: arr, shape, nd: true };
}

const F32 = [Float32Array] as const;
const KEYS = [Uint32Array, Int32Array, Float32Array] as const;

const isShared = (a: HostArray): boolean => typeof SharedArrayBuffer !== 'undefined' && a.buffer instanceof SharedArrayBuffer;

/**
 * Shared memory the pool reads its inputs from: one grow-only SharedArrayBuffer per input slot, reused call
 * after call, so an input costs a memcpy into it (~0.05–0.2 ns/byte here) rather than a new shared buffer
 * (allocating and faulting in 64 MiB took 30 ms to over 200 ms on this loaded VM). Inputs already on a
 * SharedArrayBuffer are used as they are.
 */
class Staging {
  readonly #slots: SharedArrayBuffer[] = [];
  f32(slot: number, a: Float32Array): Float32Array {
    if (isShared(a)) return a;
    const v = new Float32Array(this.#buffer(slot, a.byteLength), 0, a.length);
    v.set(a);
    return v;
  }
  u32(slot: number, n: number): Uint32Array {
    return new Uint32Array(this.#buffer(slot, 4 * n), 0, n);
  }
  #buffer(slot: number, bytes: number): SharedArrayBuffer {
    const have = this.#slots[slot];
    if (have !== undefined && have.byteLength >= bytes) return have;
    const made = new SharedArrayBuffer(Math.max(64, bytes));
    this.#slots[slot] = made;
    return made;
  }
  clear(): void {
    this.#slots.length = 0;
  }
}

function result<A extends HostArray>(nd: boolean, data: A, shape: readonly number[]): A | NdHost<A> {
  return nd ? { data, shape } : data;
}

/**
 * Host-array ops placed per call on the CPU or the GPU. Make one with {@link openPlaced} (opens and owns a
 * device) or {@link placeOn} (an open device, not closed by it).
 *
 * @example
 * ```ts
 * await using gk = await openPlaced();
 * const s = await gk.sum(new Float32Array(1000).fill(1)); // 1000, on the CPU: a launch costs more
 * console.log(gk.explain('sum', 1000));                 // { side: 'cpu', cpu: { ms, … }, gpu: { ms, … }, … }
 * ```
 */
export class Placed {
  readonly #owned: boolean;
  readonly #usePool: boolean;
  #useWasm: boolean;
  #pool: Promise<CpuPool> | undefined;
  #wasm: Promise<WasmCpu | WasmUnavailable> | undefined;
  readonly #staging = new Staging();
  #closed = false;

  /** @internal use {@link openPlaced} or {@link placeOn} */
  constructor(
    readonly device: GpuDevice,
    readonly model: PlacementModel,
    readonly placement: PlacementMode,
    options: { readonly owned: boolean; readonly pool: boolean; readonly wasm?: boolean },
  ) {
    this.#owned = options.owned;
    this.#usePool = options.pool;
    this.#useWasm = options.wasm === true;
  }

  /** Whether the CPU side may run calls on TF.js's wasm backend (installed, allowed, and it started). */
  get wasm(): boolean {
    return this.#useWasm;
  }

  /**
   * What placement decides for `op` at the bench's size n (n elements; for matmul N×N matrices with N² = n;
   * for add and softmax-rows rows of 1024): the side, both predictions (ms) and where each came from.
   *
   * @example
   * ```ts
   * const d = gk.explain('matmul', 512 * 512);
   * console.log(d.side, d.cpu.ms, d.gpu.ms, d.gpu.source.kind); // 'gpu' 180.2 31.5 'measured'
   * ```
   */
  explain(op: PlacedOp, n: number): Decision {
    if (!(PLACED_OPS as readonly string[]).includes(op)) throw new ArgumentError(`explain: unknown op ${JSON.stringify(op)}; placed ops: ${PLACED_OPS.join(', ')}`);
    if (!(Number.isInteger(n) && n >= 0)) throw new ArgumentError(`explain: n must be a non-negative integer, got ${String(n)}`);
    const s = sizeOf(op, n);
    return this.#decide(op, s, poolCopyBytes(op, s), false, true);
  }

  #decide(op: PlacedOp, s: CallSize, copyBytes: number, shared: boolean, wasmRuns: boolean): Decision {
    const force = this.placement === 'measured' ? undefined : this.placement;
    return this.model.decide(op, s, { pool: this.#usePool, wasm: this.#useWasm && wasmRuns, copyBytes: shared ? 0 : copyBytes, ...(force !== undefined ? { force } : {}) });
  }

  /**
   * Runs `fn` under `device.profile()` and adds where each placed call inside it ran (`placements`: op, side,
   * both predictions, wall ms).
   *
   * @example
   * ```ts
   * const p = await gk.profile(() => gk.sum(x));
   * console.log(p.placements[0]?.side, p.phases.kernel.ms);
   * ```
   */
  async profile<T>(fn: () => Promise<T> | T): Promise<Profile<T> & { readonly placements: readonly PlacementRecord[] }> {
    const placements: PlacementRecord[] = [];
    const p = await recording.run(placements, () => this.device.profile(fn));
    return { ...p, placements };
  }

  async #cpuPool(): Promise<CpuPool> {
    this.#pool ??= CpuPool.create();
    return this.#pool;
  }

  /**
   * The wasm library, loaded on first use. If it does not start after all (installed but broken), the CPU
   * side stops offering it (one warning) and this returns null: the call runs the JS loops instead.
   */
  async #wasmCpu(): Promise<WasmCpu | null> {
    this.#wasm ??= loadWasmCpu();
    const w = await this.#wasm;
    if (!('unavailable' in w)) return w;
    this.#useWasm = false;
    warnPlacement(`${w.unavailable}; placement runs the CPU side on the JS loops`);
    return null;
  }

  /**
   * Runs one placed call: decides, runs the side, records it. `wasmRuns` false: the wasm library cannot run
   * this call (a sort of keys other than u32), so it is not offered.
   */
  async #run<T>(op: PlacedOp, s: CallSize, copyBytes: number, shared: boolean, cpu: (pool: CpuPool | null, wasm: WasmCpu | null) => T, gpu: () => Promise<T>, wasmRuns = true): Promise<T> {
    if (this.#closed) throw new DestroyedError(`placed ${op}: this placed front end is closed`);
    let d = this.#decide(op, s, copyBytes, shared, wasmRuns);
    const t0 = performance.now();
    let out: T;
    if (d.side === 'gpu') out = await gpu();
    else if (d.cpu.contender === 'cpu-wasm') {
      const w = await this.#wasmCpu();
      if (w === null) d = this.#decide(op, s, copyBytes, shared, false);
      out = cpu(d.cpu.contender === 'cpu-pool' ? await this.#cpuPool() : null, w);
    } else out = cpu(d.cpu.contender === 'cpu-pool' ? await this.#cpuPool() : null, null);
    recording.getStore()?.push({ ...d, ms: performance.now() - t0 });
    return out;
  }

  /** A call on arrays already on the device runs there, and its result stays there. */
  #resident(op: PlacedOp, s: CallSize): void {
    const d = this.model.decide(op, s, { pool: false, force: 'gpu' });
    recording.getStore()?.push({ ...d, reason: 'resident', ms: 0 });
  }

  /**
   * Σ x, an f32 value on every side: the CPU side accumulates in float64 and rounds the total to f32 once, the
   * GPU side sums in f32 (both within γ_n·Σ|x| of the exact sum), so a total past f32's range is ±Inf wherever
   * the call runs. (Terms whose f32 partial sums overflow while the exact total does not — huge values that
   * cancel — can still give ±Inf or NaN on the GPU side only.)
   */
  async sum(x: F32In | DeviceArray): Promise<number> {
    if (x instanceof DeviceArray) {
      this.#resident('sum', elementSize('sum', x.length));
      return scalar(sumOp(x));
    }
    const { data } = hostOf('sum', 'x', x, F32);
    const a = data as Float32Array;
    return this.#run('sum', elementSize('sum', a.length), 4 * a.length, isShared(a),
      (pool, wasm) => Math.fround(wasm !== null ? wasm.sum(a) : pool === null ? sumLoop(a) : pool.sum(this.#staging.f32(0, a))),
      () => this.#onDevice([a], ([d]) => sumOp(d as DeviceArray), (r) => r.item()));
  }

  /** Σ x·y (f32, same length): an f32 value on every side, as {@link sum}. */
  async dot(x: F32In | DeviceArray, y: F32In | DeviceArray): Promise<number> {
    if (x instanceof DeviceArray || y instanceof DeviceArray) {
      if (!(x instanceof DeviceArray && y instanceof DeviceArray)) throw new ArgumentError('placed dot: give both inputs on the host or both on the device');
      this.#resident('dot', elementSize('dot', x.length));
      return scalar(dotOp(x, y));
    }
    const a = hostOf('dot', 'x', x, F32).data as Float32Array;
    const b = hostOf('dot', 'y', y, F32).data as Float32Array;
    if (a.length !== b.length) throw new ShapeError(`placed dot: x has ${a.length} elements, y has ${b.length}`);
    return this.#run('dot', elementSize('dot', a.length), 8 * a.length, isShared(a) && isShared(b),
      (pool, wasm) => Math.fround(wasm !== null ? wasm.dot(a, b) : pool === null ? dotLoop(a, b) : pool.dot(this.#staging.f32(0, a), this.#staging.f32(1, b))),
      () => this.#onDevice([a, b], ([d, e]) => dotOp(d as DeviceArray, e as DeviceArray), (r) => r.item()));
  }

  /** a·x + y into a new array (x and y the same shape; neither input is changed). */
  async axpy(a: number, x: DeviceArray, y: DeviceArray): Promise<DeviceArray>;
  async axpy<T extends F32In>(a: number, x: T, y: F32In): Promise<SameForm<T>>;
  async axpy(a: number, x: F32In | DeviceArray, y: F32In | DeviceArray): Promise<F32In | DeviceArray> {
    if (typeof a !== 'number' || !Number.isFinite(a)) throw new ArgumentError(`placed axpy: a must be a finite number, got ${String(a)}`);
    if (x instanceof DeviceArray || y instanceof DeviceArray) {
      if (!(x instanceof DeviceArray && y instanceof DeviceArray)) throw new ArgumentError('placed axpy: give both inputs on the host or both on the device');
      this.#resident('axpy', elementSize('axpy', x.length));
      // axpy writes into y: the result is a copy, as on the host.
      const c = y.contiguous();
      const out = this.device.empty(y.shape);
      try {
        c.copyInto(out, 0);
      } finally {
        c.destroy();
      }
      return axpyOp(a, x, out);
    }
    const hx = hostOf('axpy', 'x', x, F32);
    const hy = hostOf('axpy', 'y', y, F32);
    if (hx.shape.join() !== hy.shape.join()) throw new ShapeError(`placed axpy: x has shape [${hx.shape.join(', ')}], y [${hy.shape.join(', ')}]; they must match`);
    const xd = hx.data as Float32Array;
    const yd = hy.data as Float32Array;
    const data = await this.#run('axpy', elementSize('axpy', xd.length), poolCopyBytes('axpy', elementSize('axpy', xd.length)), isShared(xd),
      (pool, wasm) => {
        if (wasm !== null) return wasm.axpy(a, xd, yd);
        if (pool === null) {
          const out = new Float32Array(yd);
          axpyLoop(a, xd, out);
          return out;
        }
        const out = sharedF32(yd.length);
        out.set(yd);
        pool.axpy(a, this.#staging.f32(0, xd), out);
        return out;
      },
      () => this.#onDevice([xd, yd], ([d, e]) => axpyOp(a, d as DeviceArray, e as DeviceArray), (r) => r.toArray() as Promise<Float32Array>, false));
    return result(hx.nd, data, hx.shape);
  }

  /**
   * x + y: the same shape, or y's shape a suffix of x's (broadcast over x's leading axes, as NumPy does;
   * other broadcasts are a ShapeError here — use gpukit's `add` on device arrays).
   */
  async add(x: DeviceArray, y: DeviceArray): Promise<DeviceArray>;
  async add<T extends F32In>(x: T, y: F32In): Promise<SameForm<T>>;
  async add(x: F32In | DeviceArray, y: F32In | DeviceArray): Promise<F32In | DeviceArray> {
    if (x instanceof DeviceArray || y instanceof DeviceArray) {
      if (!(x instanceof DeviceArray && y instanceof DeviceArray)) throw new ArgumentError('placed add: give both inputs on the host or both on the device');
      const same = x.shape.join() === y.shape.join();
      this.#resident(same ? 'add' : 'add-bcast', same ? elementSize('add', x.length) : addSize(x.length, y.length));
      return addOp(x, y);
    }
    const hx = hostOf('add', 'x', x, F32);
    const hy = hostOf('add', 'y', y, F32);
    const same = hx.shape.join() === hy.shape.join();
    const suffix = hy.shape.length <= hx.shape.length && hy.shape.every((d, i) => d === hx.shape[hx.shape.length - hy.shape.length + i]);
    if (!same && !suffix) throw new ShapeError(`placed add: y's shape [${hy.shape.join(', ')}] must equal x's [${hx.shape.join(', ')}] or be a suffix of it`);
    const xd = hx.data as Float32Array;
    const yd = hy.data as Float32Array;
    const cols = Math.max(1, yd.length);
    const op: PlacedOp = same ? 'add' : 'add-bcast';
    const data = await this.#run(op, same ? elementSize('add', xd.length) : addSize(xd.length, yd.length), 0, false,
      (_pool, wasm) => {
        if (wasm !== null) return wasm.add(xd, yd, xd.length / cols, cols);
        const out = new Float32Array(xd.length);
        if (same) for (let i = 0; i < xd.length; i++) out[i] = (xd[i] as number) + (yd[i] as number);
        else {
          for (let o = 0; o < xd.length; o += cols) for (let c = 0; c < cols; c++) out[o + c] = (xd[o + c] as number) + (yd[c] as number);
        }
        return out;
      },
      () => this.#onDevice([xd, yd], ([d, e]) => addOp((d as DeviceArray).reshape(hx.shape), (e as DeviceArray).reshape(hy.shape)), (r) => r.toArray() as Promise<Float32Array>));
    return result(hx.nd, data, hx.shape);
  }

  /** Softmax along the last axis (rows max-shifted; the CPU side computes in float64). */
  async softmax(x: DeviceArray): Promise<DeviceArray>;
  async softmax<T extends F32In>(x: T): Promise<SameForm<T>>;
  async softmax(x: F32In | DeviceArray): Promise<F32In | DeviceArray> {
    if (x instanceof DeviceArray) {
      this.#resident('softmax-rows', elementSize('softmax-rows', x.length));
      return softmaxOp(x, { axis: -1 });
    }
    const hx = hostOf('softmax', 'x', x, F32);
    const xd = hx.data as Float32Array;
    const cols = hx.shape.at(-1) ?? 0;
    const data = await this.#run('softmax-rows', elementSize('softmax-rows', xd.length), 0, false,
      (_pool, wasm) => (wasm !== null ? wasm.softmaxRows(xd, xd.length / cols, cols) : softmaxRows(xd, cols)),
      () => this.#onDevice([xd], ([d]) => softmaxOp((d as DeviceArray).reshape(hx.shape), { axis: -1 }), (r) => r.toArray() as Promise<Float32Array>));
    return result(hx.nd, data, hx.shape);
  }

  /** Inclusive prefix sum of the flattened array (NumPy's `cumsum(x)` without an axis: a 1-D result). */
  async cumsum(x: DeviceArray): Promise<DeviceArray>;
  async cumsum(x: F32In): Promise<Float32Array>;
  async cumsum(x: F32In | DeviceArray): Promise<Float32Array | DeviceArray> {
    if (x instanceof DeviceArray) {
      this.#resident('scan', elementSize('scan', x.length));
      return scanOp(x);
    }
    const xd = hostOf('cumsum', 'x', x, F32).data as Float32Array;
    return this.#run('scan', elementSize('scan', xd.length), 4 * xd.length, isShared(xd),
      (pool, wasm) => {
        if (wasm !== null) return wasm.cumsum(xd);
        if (pool === null) {
          const out = new Float32Array(xd.length);
          scanLoop(xd, out);
          return out;
        }
        const out = sharedF32(xd.length);
        pool.scan(this.#staging.f32(0, xd), out);
        return out;
      },
      () => this.#onDevice([xd], ([d]) => scanOp(d as DeviceArray), (r) => r.toArray() as Promise<Float32Array>));
  }

  /** Ascending sort of the flattened keys (u32: radix sort on the CPU side; i32, f32: gpukit's `sortCpu`). */
  async sort(x: DeviceArray): Promise<DeviceArray>;
  async sort<A extends HostArray>(x: A): Promise<A>;
  async sort(x: HostArray | DeviceArray): Promise<HostArray | DeviceArray> {
    if (x instanceof DeviceArray) {
      this.#resident('sort', elementSize('sort', x.length));
      return sortOp(x);
    }
    const keys = hostOf('sort', 'x', x, KEYS).data;
    const u32 = keys instanceof Uint32Array;
    return this.#run('sort', elementSize('sort', keys.length), poolCopyBytes('sort', elementSize('sort', keys.length)), false,
      (pool, wasm) => {
        if (!u32) return sortCpu(keys);
        if (wasm !== null) return wasm.sortU32(keys);
        if (pool === null) {
          const out = new Uint32Array(keys);
          radixSortU32(out, new Uint32Array(keys.length));
          return out;
        }
        const out = sharedU32(keys.length);
        out.set(keys);
        pool.sort(out, this.#staging.u32(0, keys.length));
        return out;
      },
      () => this.#onDevice([keys], ([d]) => sortOp(d as DeviceArray), (r) => r.toArray() as Promise<HostArray>),
      u32);
  }

  /** C = A·B of 2-D f32 arrays `{ data, shape: [m, k] }` and `{ data, shape: [k, n] }`; returns `{ data, shape: [m, n] }`. */
  async matmul(a: DeviceArray, b: DeviceArray): Promise<DeviceArray>;
  async matmul(a: NdHost<Float32Array>, b: NdHost<Float32Array>): Promise<NdHost<Float32Array>>;
  async matmul(a: NdHost<Float32Array> | DeviceArray, b: NdHost<Float32Array> | DeviceArray): Promise<NdHost<Float32Array> | DeviceArray> {
    if (a instanceof DeviceArray || b instanceof DeviceArray) {
      if (!(a instanceof DeviceArray && b instanceof DeviceArray)) throw new ArgumentError('placed matmul: give both inputs on the host or both on the device');
      const [m = 1, k = 1] = a.shape.slice(-2);
      this.#resident('matmul', matmulSize(m, k, b.shape.at(-1) ?? 1));
      return matmulOp(a, b);
    }
    const ha = hostOf('matmul', 'a', a, F32);
    const hb = hostOf('matmul', 'b', b, F32);
    if (ha.shape.length !== 2 || hb.shape.length !== 2) throw new ShapeError(`placed matmul: a and b must be 2-D { data, shape: [rows, cols] }, got shapes [${ha.shape.join(', ')}] and [${hb.shape.join(', ')}]`);
    const [m = 0, k = 0] = ha.shape;
    const [k2 = 0, n = 0] = hb.shape;
    if (k !== k2) throw new ShapeError(`placed matmul: shapes [${m}, ${k}] and [${k2}, ${n}] do not align (${k} ≠ ${k2})`);
    const ad = ha.data as Float32Array;
    const bd = hb.data as Float32Array;
    const data = await this.#run('matmul', matmulSize(m, k, n), 4 * (m * k + k * n), isShared(ad) && isShared(bd),
      (pool, wasm) => {
        if (wasm !== null) return wasm.matmul(ad, bd, m, k, n);
        if (pool === null) {
          const c = new Float32Array(m * n);
          matmulRows(ad, bd, c, m, k, n);
          return c;
        }
        const c = sharedF32(m * n);
        pool.matmul(this.#staging.f32(0, ad), this.#staging.f32(1, bd), c, m, k, n);
        return c;
      },
      () => this.#onDevice([ad, bd], ([d, e]) => matmulOp((d as DeviceArray).reshape(m, k), (e as DeviceArray).reshape(k, n)), (r) => r.toArray() as Promise<Float32Array>));
    return { data, shape: [m, n] };
  }

  /**
   * Uploads, enqueues the op, reads the result back and frees every device array (also on error). `outOwned`
   * false: the op wrote into an input (axpy), which is then the result.
   */
  async #onDevice<R>(inputs: readonly HostArray[], enqueue: (x: DeviceArray[]) => DeviceArray, read: (r: DeviceArray) => Promise<R>, outOwned = true): Promise<R> {
    const x: DeviceArray[] = [];
    try {
      for (const h of inputs) x.push(this.device.array(h));
      const out = enqueue(x);
      try {
        return await read(out);
      } finally {
        if (outOwned) out.destroy();
      }
    } finally {
      for (const a of x) a.destroy();
    }
  }

  /** Stops the worker pool (if started) and closes the device if this front end opened it. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool !== undefined) await (await pool).close();
    this.#staging.clear();
    if (this.#owned) await this.device.close();
  }

  /** The same as `close()`, so `await using gk = await openPlaced()` closes it at the end of its scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Bytes the pool copies into shared memory beyond what one thread copies too (both copy sort's keys and
 * axpy's y into the result, and the bench's lines include that): the inputs it reads, unless already shared.
 */
function poolCopyBytes(op: PlacedOp, s: CallSize): number {
  switch (op) {
    case 'sort':
      return 0;
    case 'axpy':
      return s.upload / 2;
    default:
      return s.upload;
  }
}

/** Reads a device scalar and frees it. */
async function scalar(s: DeviceArray): Promise<number> {
  try {
    return await s.item();
  } finally {
    s.destroy();
  }
}

/** A row softmax (each row max-shifted), in float64, stored as f32: the bench's CPU loop. */
function softmaxRows(x: Float32Array, cols: number): Float32Array {
  const out = new Float32Array(x.length);
  if (cols === 0) return out;
  for (let o = 0; o < x.length; o += cols) {
    let m = -Infinity;
    for (let c = 0; c < cols; c++) m = Math.max(m, x[o + c] as number);
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp((x[o + c] as number) - m);
    for (let c = 0; c < cols; c++) out[o + c] = Math.exp((x[o + c] as number) - m) / s;
  }
  return out;
}

/** The adapter's model: its placement file, calibrated once (and saved) if asked and the file has no calibration. */
async function modelOf(device: GpuDevice, options: PlacementOptions): Promise<PlacementModel> {
  if (options.model !== undefined) return options.model;
  const kind = device.info.isSoftware || !engineTraits(device.info.engine).runsWgsl ? 'software' : 'gpu';
  const cores = (await import('node:os')).availableParallelism();
  let file: PlacementFile | null = readPlacementFile(placementPath(device.info), device.info);
  if (options.calibrate !== false && file?.calibration === undefined && engineTraits(device.info.engine).runsWgsl) {
    try {
      const cal = await calibrate(device, { elements: 2 ** 22, reps: 5 });
      file = savePlacement(device.info, { calibration: ceilingsOf(cal) }).file;
    } catch (e) {
      warnPlacement(`calibration for placement failed (${e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e)}); placement uses built-in defaults`);
    }
  }
  return PlacementModel.fromFile(file, kind, { cores });
}

const PLACEMENT_MODES: readonly PlacementMode[] = ['measured', 'cpu', 'gpu', 'cpu-js', 'cpu-wasm'];

const PLACEMENT_OPTIONS = new Set(['placement', 'model', 'calibrate', 'pool', 'wasm']);

function checkPlacementOptions(op: string, o: PlacementOptions): void {
  if (typeof o !== 'object' || (o as unknown) === null || Array.isArray(o)) throw new ArgumentError(`${op}: options must be an object ({ placement, model, calibrate, pool, ... }), got ${describeValue(o)}`);
  if (o.placement !== undefined && !PLACEMENT_MODES.includes(o.placement)) throw new ArgumentError(`placement must be one of ${PLACEMENT_MODES.slice(0, -1).map((m) => `'${m}'`).join(', ')} or '${PLACEMENT_MODES.at(-1) ?? ''}', got ${JSON.stringify(o.placement)}`);
  if (o.model !== undefined && !(o.model instanceof PlacementModel)) throw new ArgumentError('placement: model must be a PlacementModel');
  for (const k of ['calibrate', 'pool', 'wasm'] as const) if (o[k] !== undefined && typeof o[k] !== 'boolean') throw new ArgumentError(`placement: ${k} must be a boolean`);
}

/**
 * Opens a device and a placed front end over it (closing the front end closes the device). Without a model
 * file and with `calibrate` (the default) it runs the calibration kernels once (seconds) and caches them.
 *
 * @example
 * ```ts
 * await using gk = await openPlaced({ placement: 'measured' });
 * const sorted = await gk.sort(new Uint32Array([3, 1, 2]));
 * ```
 */
export async function openPlaced(options: OpenDeviceOptions & PlacementOptions = {}): Promise<Placed> {
  checkPlacementOptions('openPlaced', options);
  const open = Object.fromEntries(Object.entries(options).filter(([k]) => !PLACEMENT_OPTIONS.has(k))) as OpenDeviceOptions;
  const device = await openDevice(open);
  try {
    return new Placed(device, await modelOf(device, options), options.placement ?? 'measured', { owned: true, pool: options.pool !== false, wasm: options.wasm !== false && wasmInstalled() });
  } catch (e) {
    await device.close();
    throw e;
  }
}

/**
 * A placed front end over an open device (which it does not close).
 *
 * @example
 * ```ts
 * const gk = await placeOn(device, { model: PlacementModel.given({ sum: { 'cpu-1t': l1, 'gpu-e2e': l2 } }) });
 * ```
 */
export async function placeOn(device: GpuDevice, options: PlacementOptions = {}): Promise<Placed> {
  if (!(device instanceof GpuDevice)) throw new ArgumentError(`placeOn: device must be a GpuDevice (from openDevice()), got ${describeValue(device)}`);
  checkPlacementOptions('placeOn', options);
  return new Placed(device, await modelOf(device, options), options.placement ?? 'measured', { owned: false, pool: options.pool !== false, wasm: options.wasm !== false && wasmInstalled() });
}
