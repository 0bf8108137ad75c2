/**
 * random.uniform, random.normal and random.u32: the manifests (argument check, tolerance, docs). The
 * engines' implementations: src/backends/dawn/ops/random.ts (kernels/random-philox.wgsl) and
 * src/backends/host/ops/random.ts (the CPU references); the references, the Philox4x32-10 generator and
 * the stream conventions both engines share bit for bit: src/reference/random.ts.
 */
import type { DeviceArray } from '../buffers/device-array.js';
import type { Backend } from '../backends/backend.js';
import type { EngineName } from '../device/info.js';
import { describeValue, checkNoExtra, checkOptions } from '../args.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { MAX_RANK } from '../buffers/strided.js';
import { defineOp, type Checked } from './manifest.js';
import { normalCpu, randomU32Cpu, seedToKey, uniformCpu } from '../reference/random.js';
import { dawnRandom } from '../backends/dawn/ops/random.js';
import { hostRandom } from '../backends/host/ops/random.js';

/** What the generators take: a device (`GpuDevice`); its backend draws the stream. */
export interface RandomDevice {
  /** @internal */
  readonly backend: Backend;
  readonly info: { readonly engine: EngineName };
}

/** Options of the random generators. */
export interface RandomOptions {
  /** Seed: an integer in [0, 2^64), as a non-negative safe integer or a bigint. @default 0 */
  readonly seed?: number | bigint;
  /** Position in the stream of the first element, so a stream can be drawn in pieces (offset + n ≤ 2^53 - 1). @default 0 */
  readonly offset?: number;
}


/**
 * Checks a generator's seed and offset (both engines share it) and returns the Philox key and the offset.
 * The stream ends at element 2^53 - 1, the last one the CPU references can index.
 *
 * @example randomStream(4, { seed: 1, offset: 8 }) // { key: [1, 0], offset: 8 }
 */
export function randomStream(n: number, opts: RandomOptions): { key: [number, number]; offset: number } {
  const offset = opts.offset ?? 0;
  if (!Number.isSafeInteger(offset) || offset < 0) throw new ArgumentError(`random: offset must be a non-negative safe integer, got ${offset}`);
  if (Number.isSafeInteger(n) && offset + n > Number.MAX_SAFE_INTEGER) throw new ArgumentError(`random: offset + n = ${offset + n} is past the end of the stream (2^53 - 1)`);
  return { key: seedToKey(opts.seed ?? 0), offset };
}

/**
 * The output's shape and element count: `n` elements (a 1-D array), or an n-d shape (an array of lengths,
 * as `device.zeros` takes; `[]` is a 0-d array of one element).
 */
function sizeArg(op: string, size: number | readonly number[]): { n: number; shape: readonly number[] } {
  if (!Array.isArray(size)) {
    const n = size as unknown;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new ShapeError(`${op}: n must be a non-negative integer, got ${describeValue(n)}`);
    return { n, shape: [n] };
  }
  const dims = size as readonly unknown[];
  if (dims.length > MAX_RANK) throw new ShapeError(`${op}: an array may have at most ${MAX_RANK} dimensions, got ${dims.length}`);
  let n = 1;
  for (const [i, d] of dims.entries()) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) throw new ShapeError(`${op}: shape[${i}] must be a non-negative integer, got ${describeValue(d)}`);
    n *= d;
  }
  if (!Number.isSafeInteger(n)) throw new ShapeError(`${op}: a shape of ${dims.length} dimensions with ${n} elements is too large`);
  return { n, shape: [...(dims as readonly number[])] };
}

/**
 * Checks a generator call the same way for both engines, before either allocates: `device` a GpuDevice,
 * `size` a length or a shape, `opts` an object with a seed in [0, 2^64) and a safe offset. Returns the
 * device's backend and the output's element count and shape.
 */
function checkRandom(op: string, device: RandomDevice, size: number | readonly number[], opts: RandomOptions): { backend: Backend; n: number; shape: readonly number[] } {
  let backend: Partial<Backend> | undefined;
  try {
    // Checked at run time: callers from plain JS can pass anything. A device states its engine (`info`)
    // and holds that engine's backend; an array holds a backend but has no `info`.
    const d = device as unknown;
    const b = (typeof d === 'object' && d !== null ? (d as RandomDevice).backend : undefined) as Partial<Backend> | null | undefined;
    const engine: unknown = typeof b === 'object' && b !== null ? (d as RandomDevice).info.engine : undefined;
    backend = typeof b === 'object' && b !== null && typeof b.run === 'function' && b.engine === engine ? b : undefined;
  } catch {
    backend = undefined; // a Proxy of a GpuDevice cannot reach its private state
  }
  if (backend === undefined) throw new ArgumentError(`${op}: device must be a GpuDevice (from openDevice()), got ${describeValue(device)}`);
  checkOptions(op, opts, { seed: (v) => (typeof v === 'number' || typeof v === 'bigint' ? undefined : 'must be a number or a bigint'), offset: 'number' });
  const { n, shape } = sizeArg(op, size);
  const offset = opts.offset ?? 0;
  if (!Number.isSafeInteger(offset) || offset < 0) throw new ArgumentError(`${op}: offset must be a non-negative safe integer, got ${describeValue(offset)}`);
  if (offset + n > Number.MAX_SAFE_INTEGER) throw new ArgumentError(`${op}: offset + n must stay below 2^53`);
  seedToKey(opts.seed ?? 0, op);
  return { backend: backend as Backend, n, shape };
}

/**
 * A checked generator call: the stream's key and first position, and the output's element count `n`, shape
 * (element i in C order is element `offset + i` of the stream) and dtype.
 */
export interface RandomCall extends Checked {
  readonly dist: 'uniform' | 'normal' | 'u32';
  readonly n: number;
  readonly seed: number | bigint;
  readonly key: [number, number];
  readonly offset: number;
  readonly shape: readonly number[];
  readonly dtype: 'f32' | 'u32';
}

function randomOp(dist: 'uniform' | 'normal' | 'u32', summary: string, reference: (n: number, seed: number | bigint, offset?: number) => Float32Array | Uint32Array) {
  const op = `random.${dist}`;
  return defineOp({
    name: op,
    numpy: dist === 'uniform' ? 'numpy.random.Generator.random' : dist === 'normal' ? 'numpy.random.Generator.standard_normal' : null,
    category: 'random',
    summary,
    tolerance: dist === 'normal' ? 'ulp' : 'exact',
    dtypes: [], // no array argument: it makes f32 (u32 words for random.u32)
    check: (device: RandomDevice, size: number | readonly number[], opts: RandomOptions = {}): RandomCall => {
      const { backend, n, shape } = checkRandom(op, device, size, opts);
      const { key, offset } = randomStream(n, opts);
      return { backend, dist, n, seed: opts.seed ?? 0, key, offset, shape, dtype: dist === 'u32' ? 'u32' : 'f32' };
    },
    dawn: dawnRandom,
    host: hostRandom,
    reference,
  });
}

export const RANDOM_UNIFORM = randomOp('uniform', 'uniform f32 in [0, 1) from the Philox4x32-10 stream (24 random bits each): `device.random.uniform(shape, { seed, offset })`', uniformCpu);
export const RANDOM_NORMAL = randomOp('normal', 'standard normal f32 (Box–Muller on the Philox4x32-10 stream), tails truncated at ±5.77: `device.random.normal(shape, { seed, offset })`', normalCpu);
export const RANDOM_U32 = randomOp('u32', 'raw u32 words of the Philox4x32-10 stream: `device.random.u32(shape, { seed, offset })`', randomU32Cpu);

/**
 * The random generators of one device, `device.random` (NumPy's `Generator` methods: `rng.random(size)`,
 * `rng.standard_normal(size)`, `rng.integers` over the raw words). Counter-based (Philox4x32-10): the same
 * seed and offset give bit-identical streams on every adapter, on both engines and on the CPU reference
 * ({@link uniformCpu}, {@link randomU32Cpu}; {@link normalCpu} within a few ulps). `shape` is a length or an
 * array of lengths, as for `device.zeros`; element i in C order is element `offset + i` of the stream, so
 * `device.random.uniform([2, 3], { seed })` holds the six values `device.random.uniform(6, { seed })` holds.
 *
 * @example
 * ```ts
 * using u = device.random.uniform([1024, 1024], { seed: 42 });
 * using z = device.random.normal(1 << 20, { seed: 42, offset: 1 << 20 }); // the stream's next 2^20 elements
 * ```
 */
export interface DeviceRandom {
  /** Uniform f32 in [0, 1), 24 random bits each (NumPy's `Generator.random`). */
  uniform(shape: number | readonly number[], options?: RandomOptions): DeviceArray<'f32'>;
  /** Standard normal f32 (Box–Muller), tails truncated at ±5.77 (NumPy's `Generator.standard_normal`). */
  normal(shape: number | readonly number[], options?: RandomOptions): DeviceArray<'f32'>;
  /** Raw u32 words of the Philox stream. */
  u32(shape: number | readonly number[], options?: RandomOptions): DeviceArray<'u32'>;
}

/** `device.random`: the generators bound to `device`. */
export function deviceRandom(device: RandomDevice): DeviceRandom {
  return Object.freeze({
    uniform(shape: number | readonly number[], options: RandomOptions = {}, ...extra: unknown[]): DeviceArray<'f32'> {
      checkNoExtra('random.uniform', extra, 'a shape and an options object');
      return RANDOM_UNIFORM.call(device, shape, options) as DeviceArray<'f32'>;
    },
    normal(shape: number | readonly number[], options: RandomOptions = {}, ...extra: unknown[]): DeviceArray<'f32'> {
      checkNoExtra('random.normal', extra, 'a shape and an options object');
      return RANDOM_NORMAL.call(device, shape, options) as DeviceArray<'f32'>;
    },
    u32(shape: number | readonly number[], options: RandomOptions = {}, ...extra: unknown[]): DeviceArray<'u32'> {
      checkNoExtra('random.u32', extra, 'a shape and an options object');
      return RANDOM_U32.call(device, shape, options) as DeviceArray<'u32'>;
    },
  });
}

/** The deprecated form takes a length only (`random.uniform(device, n)`); a shape goes to `device.random`. */
function lengthOnly(op: string, n: number): number {
  if (Array.isArray(n)) throw new ShapeError(`${op}: n must be a non-negative integer, got ${describeValue(n)}; for an n-d array use device.${op}(shape, options)`);
  return n;
}

/**
 * The random generators as functions of a device, the old form of {@link DeviceRandom} (`device.random`).
 *
 * Deprecated (each function is marked): use `device.random.uniform(shape, options)` (and `.normal`,
 * `.u32`): every array gpukit creates from nothing comes from a method of the device.
 * `random.uniform(device, n, options)` equals `device.random.uniform(n, options)` bit for bit; this form
 * stays until the next major version.
 *
 * @example
 * ```ts
 * const u = random.uniform(device, 1 << 20, { seed: 42 }); // now: device.random.uniform(1 << 20, { seed: 42 })
 * ```
 */
export const random = {
  /** @deprecated Use `device.random.uniform(n, options)`. Uniform f32 in [0, 1), 24 random bits each. */
  uniform(device: RandomDevice, n: number, opts: RandomOptions = {}): DeviceArray<'f32'> {
    return RANDOM_UNIFORM.call(device, lengthOnly('random.uniform', n), opts) as DeviceArray<'f32'>;
  },
  /** @deprecated Use `device.random.normal(n, options)`. Standard normal f32 (Box–Muller), tails truncated at ±5.77. */
  normal(device: RandomDevice, n: number, opts: RandomOptions = {}): DeviceArray<'f32'> {
    return RANDOM_NORMAL.call(device, lengthOnly('random.normal', n), opts) as DeviceArray<'f32'>;
  },
  /** @deprecated Use `device.random.u32(n, options)`. Raw u32 words of the Philox stream. */
  u32(device: RandomDevice, n: number, opts: RandomOptions = {}): DeviceArray<'u32'> {
    return RANDOM_U32.call(device, lengthOnly('random.u32', n), opts) as DeviceArray<'u32'>;
  },
};
