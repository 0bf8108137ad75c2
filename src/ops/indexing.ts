/**
 * Indexing: gather (`take`) and scatter (`scatterAdd`, `bincount`, `segmentSum`, `segmentMax`) along one axis:
 * the manifests (argument checks, NumPy's names, docs). The engines' implementations:
 * src/backends/dawn/ops/indexing.ts (kernels/take.wgsl and kernels/scatter.wgsl, atomics) and
 * src/backends/host/ops/indexing.ts (host loops on the device's queue, which are also the reading of the
 * semantics); the index rules both share: src/reference/indexing.ts.
 *
 * Out-of-range indices are never wrapped nor clamped. On gpujs the host loop checks every index before it
 * writes anything and the op fails (reading its output, or sync(), throws an ArgumentError). On Dawn the
 * kernel skips a bad index and records it in a small error word (count, largest, most negative); the batch
 * carrying the op reads the word before its verdict (`DeviceContext.deferCheck`) and fails the op's output
 * (for scatters, the target) with an ArgumentError naming the op and the values, as it fails the outputs of
 * an invalid op: readbacks of it, of its views and of arrays computed from it throw, and sync() reports it.
 */
import type { DeviceArray } from '../buffers/device-array.js';
import type { DType } from '../buffers/dtype.js';
import { normAxis, sizeOf } from '../buffers/strided.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import { ANY_VALUE, optionsOf, viewOutput } from './signature.js';
import { max, min } from './reduce.js';
import { checkArray, copyOf, sharesMemory } from './signature.js';
import { checkOptions } from '../args.js';
import { defineOp, type Checked } from './manifest.js';
import type { Geometry } from '../reference/indexing.js';
import { dawnScatter, dawnTake } from '../backends/dawn/ops/indexing.js';
import { hostScatter, hostTake } from '../backends/host/ops/indexing.js';

const VALUE_TYPES: readonly DType[] = ['f32', 'i32', 'u32'];

function geometryOf(shape: readonly number[], axis: number, m: number): Geometry {
  return { outer: sizeOf(shape.slice(0, axis)), n: shape[axis] ?? 1, m, inner: sizeOf(shape.slice(axis + 1)) };
}

function checkIndices(op: string, name: string, a: DeviceArray): void {
  checkArray(op, name, a);
  if (a.dtype !== 'i32' && a.dtype !== 'u32') throw new DTypeError(`${op}: ${name} has dtype ${a.dtype}; expected i32 or u32`);
}

function checkValues(op: string, name: string, a: DeviceArray): void {
  if (!VALUE_TYPES.includes(a.dtype)) throw new DTypeError(`${op}: ${name} has dtype ${a.dtype}; expected f32, i32 or u32 (astype(x, 'f32') first)`);
}

/** take moves 32-bit words: bool (stored as u32 0/1) is gathered as they are; f16 (packed) is not. */
export const TAKE_TYPES: readonly DType[] = [...VALUE_TYPES, 'bool'];

function sameDevice(op: string, a: DeviceArray, ...others: DeviceArray[]): void {
  for (const b of others) {
    if (b.backend !== a.backend) throw new ArgumentError(`${op}: arrays belong to different devices`);
  }
}

/** Options of {@link take} and {@link scatterAdd}. */
export interface IndexAxisOptions {
  /** The axis the indices index (negative counts from the end). @default none: the flattened array */
  readonly axis?: number;
}

/** Options of {@link segmentSum} and {@link segmentMax}. */
export interface SegmentOptions {
  /** The number of segments: the result's first extent (ids must lie in [0, numSegments)). */
  readonly numSegments: number;
}

/** The axis of `op(…, { axis })` or (deprecated) of `op(…, axis)`. */
function axisOf(op: string, options: unknown): number | undefined {
  return optionsOf(op, options, { axis: ANY_VALUE }, 'axis')['axis'] as number | undefined;
}

function axisWhat(axis: number | undefined): string {
  return axis === undefined ? 'the flattened array' : `axis ${axis}`;
}

// --- take ---------------------------------------------------------------------------------------------

/** A checked take: x is read in C order with the geometry `g` (flattened when no axis was given). */
export interface TakeCall extends Checked {
  readonly x: DeviceArray;
  readonly indices: DeviceArray;
  readonly g: Geometry;
  /** What the indices index, for the out-of-range error. */
  readonly what: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export const TAKE = defineOp({
  name: 'take',
  numpy: 'numpy.take',
  category: 'indexing',
  summary: 'gathers elements along an axis (negative indices from the end; out of range fails the op)',
  tolerance: 'exact',
  dtypes: ['bool', 'f32', 'i32', 'u32'],
  axis: 'one',
  check: (x: DeviceArray, indices: DeviceArray, options: IndexAxisOptions | number | undefined): TakeCall => {
    const axis = axisOf('take', options);
    checkArray('take', 'x', x);
    checkIndices('take', 'indices', indices);
    if (!TAKE_TYPES.includes(x.dtype)) throw new DTypeError(`take: x has dtype ${x.dtype}; expected f32, i32, u32 or bool (astype(x, 'f32') first)`);
    sameDevice('take', x, indices);
    if (axis !== undefined && typeof axis !== 'number') throw new ArgumentError(`take: axis must be a number or undefined, got ${typeof axis}`);
    // Without an axis x is read flattened: the kernels and host loops read it in C order anyway.
    const ax = axis === undefined ? 0 : normAxis('take', axis, x.ndim);
    const xs = axis === undefined ? [x.size] : x.shape;
    const g = geometryOf(xs, ax, indices.size);
    const shape = [...xs.slice(0, ax), ...indices.shape, ...xs.slice(ax + 1)];
    return { backend: x.backend, x, indices, g, what: axisWhat(axis === undefined ? undefined : ax), shape, dtype: x.dtype };
  },
  dawn: dawnTake,
  host: hostTake,
});

/**
 * Gathers elements along an axis, as NumPy's `np.take(x, indices, axis)`: the result's shape is
 * `x.shape[:axis] + indices.shape + x.shape[axis+1:]`; without `axis`, `x` is read flattened. x is f32, i32,
 * u32 or bool (f16: astype first); the result has x's dtype. Indices are
 * i32 or u32 (any shape); a negative one counts from the end; one out of range fails the op with an
 * ArgumentError (at the next readback or sync() on Dawn), never a wrap or clamp.
 *
 * @example
 * ```ts
 * const rows = take(x, device.array(new Int32Array([2, 0, -1])), { axis: 0 }); // rows 2, 0 and the last of x
 * const oneHot = take(eye, labels, { axis: 0 });                                 // a one-hot row per label
 * ```
 */
export function take(x: DeviceArray, indices: DeviceArray, options?: IndexAxisOptions): DeviceArray;
/** @deprecated The axis as the third argument: pass `{ axis }` (`take(x, idx, { axis: 0 })`). */
export function take(x: DeviceArray, indices: DeviceArray, axis?: number): DeviceArray;
export function take(x: DeviceArray, indices: DeviceArray, options?: IndexAxisOptions | number): DeviceArray {
  return TAKE.call(x, indices, options);
}

// --- scatters -----------------------------------------------------------------------------------------

/**
 * A checked scatter: target[a, idx[j], b] ⊕= values[a, j, b] in place, `values` of the shape
 * [outer, m, inner] (any layout). A null target is a fresh one of the call's shape and dtype, filled with
 * `init` (bincount, segments); null values are ones (bincount without weights).
 */
export interface ScatterCall extends Checked {
  readonly plan: {
    readonly op: 'scatterAdd' | 'bincount' | 'segmentSum' | 'segmentMax';
    /** What the indices index, for the out-of-range error. */
    readonly what: string;
    /** Negative indices count from the end (NumPy); else they are out of range. */
    readonly wrap: boolean;
    readonly combine: 'add' | 'max';
  };
  readonly target: DeviceArray | null;
  readonly init: number;
  readonly indices: DeviceArray;
  readonly values: DeviceArray | null;
  readonly g: Geometry;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** A checked scatterAdd: the scatter, and the shape `values` broadcasts to. */
export interface ScatterAddCall extends ScatterCall {
  readonly target: DeviceArray;
  readonly values: DeviceArray;
  readonly want: readonly number[];
}

export const SCATTER_ADD = defineOp<[DeviceArray, DeviceArray, DeviceArray, IndexAxisOptions | number | undefined], ScatterAddCall, DeviceArray>({
  name: 'scatterAdd',
  numpy: 'numpy.add.at',
  category: 'indexing',
  summary: 'adds values into target at indices along an axis, in place (repeated indices accumulate)',
  tolerance: 'sum',
  dtypes: ['f32', 'i32', 'u32'],
  axis: 'one',
  check: (target: DeviceArray, indices: DeviceArray, values: DeviceArray, options: IndexAxisOptions | number | undefined): ScatterAddCall => {
    const axis = axisOf('scatterAdd', options);
    checkArray('scatterAdd', 'target', target);
    checkIndices('scatterAdd', 'indices', indices);
    checkArray('scatterAdd', 'values', values);
    checkValues('scatterAdd', 'target', target);
    if (values.dtype !== target.dtype) throw new DTypeError(`scatterAdd: values are ${values.dtype} but target is ${target.dtype}`);
    sameDevice('scatterAdd', target, indices, values);
    if (axis !== undefined && typeof axis !== 'number') throw new ArgumentError(`scatterAdd: axis must be a number or undefined, got ${typeof axis}`);
    target.assertWritable('scatterAdd', 'the target');
    if (!target.isPlain) throw viewOutput('scatterAdd', target);
    // Without an axis the target is indexed flattened: the kernels and host loops address plain memory anyway.
    const t = axis === undefined ? [target.size] : target.shape;
    const ax = axis === undefined ? 0 : normAxis('scatterAdd', axis, target.ndim);
    const want = [...t.slice(0, ax), ...indices.shape, ...t.slice(ax + 1)];
    values.broadcastTo(want).destroy(); // a ShapeError before any copy is made
    const plan = { op: 'scatterAdd', what: axisWhat(axis === undefined ? undefined : ax), wrap: true, combine: 'add' } as const;
    return { backend: target.backend, plan, target, init: 0, indices, values, want, g: geometryOf(t, ax, indices.size), shape: target.shape, dtype: target.dtype };
  },
  dawn: dawnScatter,
  host: hostScatter,
});

/**
 * Adds `values` into `target` at `indices` along `axis`, in place, as NumPy's `np.add.at(target, idx, values)`
 * (`np.add.at(target, (slice(None),) * axis + (idx,), values)` with an axis): repeated indices accumulate.
 * `values` broadcasts to `target.shape[:axis] + indices.shape + target.shape[axis+1:]`; without `axis`,
 * `target` is indexed flattened. Negative indices count from the end; out of range fails the op (the
 * target) with an ArgumentError. i32/u32 add exactly (wrapping); f32 adds in an order the GPU picks on Dawn
 * (not bit-reproducible; each bin within the f32 sum bound), in index order on gpujs. Returns `target`.
 *
 * @example
 * ```ts
 * scatterAdd(sums, labels, points, { axis: 0 });   // k-means: sums[labels[i], :] += points[i, :]
 * scatterAdd(oneHot, cols, ones, { axis: 1 });     // NumPy: np.add.at(oneHot, (rows, cols), 1), row by row
 * ```
 */
export function scatterAdd<T extends DeviceArray>(target: T, indices: DeviceArray, values: DeviceArray, options?: IndexAxisOptions): T;
/** @deprecated The axis as the fourth argument: pass `{ axis }` (`scatterAdd(t, idx, v, { axis: 0 })`). */
export function scatterAdd<T extends DeviceArray>(target: T, indices: DeviceArray, values: DeviceArray, axis?: number): T;
export function scatterAdd<T extends DeviceArray>(target: T, indices: DeviceArray, values: DeviceArray, options?: IndexAxisOptions | number): T {
  const call = SCATTER_ADD.check(target, indices, values, options);
  // Values or indices in the target's memory (`scatterAdd(t, idx, t)`) are read from a copy made first, as
  // NumPy's np.add.at buffers them: the adds never see each other's results. The implementations take
  // values already broadcast, so the checked call is run with them (check first: nothing is copied for a
  // call it refuses).
  const ids = sharesMemory(indices, target) ? copyOf(indices) : indices;
  const src = sharesMemory(values, target) ? copyOf(values) : values;
  const vals = src.broadcastTo(call.want);
  try {
    call.backend.run(SCATTER_ADD, { ...call, indices: ids, values: vals });
  } finally {
    vals.destroy();
    if (ids !== indices) ids.destroy();
    if (src !== values) src.destroy();
  }
  return target;
}

/** Options of {@link bincount}. */
export interface BincountOptions {
  /** f32 weights, one per index: the result sums them per bin (f32) instead of counting (u32). @default none */
  readonly weights?: DeviceArray;
  /** The result has at least this many bins. @default 0 */
  readonly minLength?: number;
}

/** bincount's checks (both engines, before anything is read back). */
function checkBincount(indices: DeviceArray, opts: BincountOptions): { minLength: number; weights: DeviceArray | undefined } {
  checkIndices('bincount', 'indices', indices);
  // weights is checked below, as an array.
  checkOptions('bincount', opts, { weights: () => undefined, minLength: 'number' });
  if (indices.ndim !== 1) throw new ShapeError(`bincount: indices must be 1-D, got shape [${indices.shape.join(', ')}]`);
  const minLength = opts.minLength ?? 0;
  if (!Number.isSafeInteger(minLength) || minLength < 0) throw new ArgumentError(`bincount: minLength must be a non-negative integer, got ${String(minLength)}`);
  const w = opts.weights;
  if (w !== undefined) {
    checkArray('bincount', 'weights', w);
    if (w.dtype !== 'f32') throw new DTypeError(`bincount: weights have dtype ${w.dtype}; expected f32`);
    if (w.ndim !== 1 || w.size !== indices.size) throw new ShapeError(`bincount: weights have shape [${w.shape.join(', ')}]; expected [${indices.size}] (one per index)`);
    sameDevice('bincount', indices, w);
  }
  return { minLength, weights: w };
}

export const BINCOUNT = defineOp({
  name: 'bincount',
  numpy: 'numpy.bincount',
  category: 'indexing',
  summary: 'counts of each non-negative integer (or sums of weights), max(max + 1, minLength) bins',
  tolerance: 'sum',
  dtypes: ['i32', 'u32'],
  /** `bins`: the number of bins, once the caller has read max(indices) back. */
  check: (indices: DeviceArray, opts: BincountOptions, bins: number): ScatterCall => {
    const { minLength, weights } = checkBincount(indices, opts);
    if (!Number.isSafeInteger(bins) || bins < minLength) throw new ArgumentError(`bincount: bins must be an integer of at least minLength (${minLength}), got ${String(bins)}`);
    const plan = { op: 'bincount', what: 'the bins', wrap: false, combine: 'add' } as const;
    const g = { outer: 1, n: bins, m: indices.size, inner: 1 };
    return { backend: indices.backend, plan, target: null, init: 0, indices, values: weights ?? null, g, shape: [bins], dtype: weights === undefined ? 'u32' : 'f32' };
  },
  dawn: dawnScatter,
  host: hostScatter,
});

/**
 * Counts each non-negative integer in `indices` (1-D, i32 or u32), as NumPy's `np.bincount`: u32 counts, or
 * f32 sums of `weights`; `max(max(indices) + 1, minLength)` bins. A Promise, because the number of bins
 * depends on the data: it reads min and max of `indices` back first (a negative index → ArgumentError).
 *
 * @example
 * ```ts
 * const counts = await bincount(labels, { minLength: k });            // points per cluster
 * const mass = await bincount(labels, { weights: w, minLength: k });  // their weights' sums
 * ```
 */
export async function bincount(indices: DeviceArray, opts: BincountOptions = {}): Promise<DeviceArray> {
  let bins = checkBincount(indices, opts).minLength;
  if (indices.size > 0) {
    using lo = min(indices);
    using hi = max(indices);
    const [l, h] = await Promise.all([lo.item(), hi.item()]);
    if (l < 0) throw new ArgumentError(`bincount: indices must be non-negative, got ${l}`);
    bins = Math.max(bins, h + 1);
  }
  return BINCOUNT.call(indices, opts, bins);
}

function segmentOp(op: 'segmentSum' | 'segmentMax', summary: string) {
  return defineOp({
    name: op,
    numpy: null,
    category: 'indexing',
    summary,
    tolerance: op === 'segmentSum' ? 'sum' : 'exact',
    dtypes: ['f32', 'i32', 'u32'],
    check: (values: DeviceArray, segmentIds: DeviceArray, options: SegmentOptions | number): ScatterCall => {
      const numSegments = optionsOf(op, options, { numSegments: ANY_VALUE }, 'numSegments', ['numSegments'])['numSegments'] as number;
      checkArray(op, 'values', values);
      checkIndices(op, 'segmentIds', segmentIds);
      checkValues(op, 'values', values);
      sameDevice(op, values, segmentIds);
      if (!Number.isSafeInteger(numSegments) || numSegments < 0) throw new ArgumentError(`${op}: numSegments must be a non-negative integer, got ${String(numSegments)}`);
      const k = segmentIds.ndim;
      if (k === 0 || k > values.ndim || segmentIds.shape.some((e, d) => e !== values.shape[d])) {
        throw new ShapeError(`${op}: segmentIds have shape [${segmentIds.shape.join(', ')}]; expected a leading part of values' shape [${values.shape.join(', ')}] (at least 1-D)`);
      }
      const rest = values.shape.slice(k);
      // Empty segments: 0 for a sum; the dtype's lowest value for a max.
      const init = op === 'segmentMax' ? (values.dtype === 'f32' ? -Infinity : values.dtype === 'i32' ? -(2 ** 31) : 0) : 0;
      const plan = { op, what: 'the segments', wrap: false, combine: op === 'segmentSum' ? 'add' : 'max' } as const;
      // segmentIds and values are read in C order: [m] ids, [m, inner] values.
      const g = { outer: 1, n: numSegments, m: segmentIds.size, inner: sizeOf(rest) };
      return { backend: values.backend, plan, target: null, init, indices: segmentIds, values, g, shape: [numSegments, ...rest], dtype: values.dtype };
    },
    dawn: dawnScatter,
    host: hostScatter,
  });
}

export const SEGMENT_SUM = segmentOp('segmentSum', 'sums of values by segment id (TensorFlow\'s unsorted_segment_sum)');
export const SEGMENT_MAX = segmentOp('segmentMax', 'maxima of values by segment id (NaN propagates; empty segments hold the lowest value)');

/**
 * Sums `values` by segment, as TensorFlow's `unsorted_segment_sum`: `out[s] = Σ values[i]` over the i with
 * `segmentIds[i] == s`; `segmentIds` (i32/u32) has the shape of `values`' leading axes; the result has shape
 * `[numSegments, ...the other axes]`. Empty segments are 0. An id outside `[0, numSegments)` (negatives too)
 * fails the op with an ArgumentError. f32 sums are order-nondeterministic on Dawn (see {@link scatterAdd}).
 *
 * @example
 * ```ts
 * const sums = segmentSum(points, labels, { numSegments: k }); // k-means centroid numerators, [k, d]
 * ```
 */
export function segmentSum(values: DeviceArray, segmentIds: DeviceArray, options: SegmentOptions): DeviceArray;
/** @deprecated The number of segments as the third argument: pass `{ numSegments }`. */
export function segmentSum(values: DeviceArray, segmentIds: DeviceArray, numSegments: number): DeviceArray;
export function segmentSum(values: DeviceArray, segmentIds: DeviceArray, options: SegmentOptions | number): DeviceArray {
  return SEGMENT_SUM.call(values, segmentIds, options);
}

/**
 * The maximum of `values` by segment, as TensorFlow's `unsorted_segment_max` (see {@link segmentSum}).
 * Empty segments hold the dtype's lowest value (-Infinity for f32); NaN propagates, as np.maximum. Exact
 * and deterministic on both engines.
 *
 * @example
 * ```ts
 * const best = segmentMax(scores, groupIds, { numSegments: groups });
 * ```
 */
export function segmentMax(values: DeviceArray, segmentIds: DeviceArray, options: SegmentOptions): DeviceArray;
/** @deprecated The number of segments as the third argument: pass `{ numSegments }`. */
export function segmentMax(values: DeviceArray, segmentIds: DeviceArray, numSegments: number): DeviceArray;
export function segmentMax(values: DeviceArray, segmentIds: DeviceArray, options: SegmentOptions | number): DeviceArray {
  return SEGMENT_MAX.call(values, segmentIds, options);
}
