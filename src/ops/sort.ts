/**
 * sort, argsort and sortPairs along an axis: the manifests (argument check, NumPy's name, tolerance, docs)
 * and the plan (the axis moved last: rows × R). The engines' implementations: src/backends/dawn/ops/sort.ts
 * (LSD radix sort in WGSL) with src/backends/dawn/ops/sort-axis.ts (along an axis: a stable sort of (key,
 * position) pairs, then a stable sort by row, then gathers), and src/backends/host/ops/sort.ts (CPU loops);
 * the references sortCpu and sortPairsCpu: src/reference/sort.ts.
 *
 * Order (NumPy's, `kind='stable'`): ascending; for f32 NaNs last, −0 and +0 equal (a stable sort keeps their
 * input order); equal keys keep their input order. `descending` is numpy.array_api's: the ascending stable
 * sort of the reversed axis, reversed — NaNs first, equal keys still in input order.
 */
import type { DeviceArray } from '../buffers/device-array.js';
import type { DType } from '../buffers/dtype.js';
import { normAxis } from '../buffers/strided.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import { requireDType } from './util.js';
import { checkArray, checkArrays } from './signature.js';
import { checkNoExtra, checkOptions } from '../args.js';
import { defineOp, type Checked } from './manifest.js';
import { backendOf } from './same-device.js';
import { sortCpu, sortPairsCpu } from '../reference/sort.js';
import { dawnArgsort, dawnSearchsorted, dawnSort, dawnSortPairs, dawnTopk } from '../backends/dawn/ops/sort-axis.js';
import { hostArgsort, hostSearchsorted, hostSort, hostSortPairs, hostTopk } from '../backends/host/ops/sort.js';

/** How a sort along an axis lays out its work: the axis moved last (`order`, back by `back`), rows × R. */
export interface SortPlan {
  readonly order: readonly number[];
  readonly back: readonly number[];
  readonly rows: number;
  readonly R: number;
  /** x's shape with the axis moved last. */
  readonly movedShape: readonly number[];
  readonly descending: boolean;
}

/** A checked sort or argsort (`plan` null: the 1-d ascending keys-only radix sort of old). */
export interface SortCall extends Checked {
  readonly op: 'sort' | 'argsort';
  readonly keys: DeviceArray;
  readonly plan: SortPlan | null;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** A checked sortPairs (shape and dtype: the sorted keys'). */
export interface SortPairsCall extends Checked {
  readonly keys: DeviceArray;
  readonly values: DeviceArray<'u32'>;
  readonly plan: SortPlan;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** Options of {@link sort}, {@link argsort} and {@link sortPairs} (the Array API standard's). */
export interface SortOptions {
  /** The axis to sort along (negative counts from the end). @default -1 (the last) */
  readonly axis?: number;
  /** Largest first (numpy.array_api's: the reversed ascending sort of the reversed axis; NaNs first). @default false */
  readonly descending?: boolean;
  /** Equal keys keep their input order. gpukit's sorts are always stable; false is accepted (the standard allows a stable sort). @default true */
  readonly stable?: boolean;
}

/** The plan of sorting x along `options.axis` (ArgumentError for a 0-d x or a bad axis, as NumPy's AxisError). */
function planOf(op: string, x: DeviceArray, options: SortOptions): SortPlan {
  if (x.ndim === 0) throw new ArgumentError(`${op}: a 0-d array has no axis to sort along (NumPy: axis -1 is out of bounds for array of dimension 0)`);
  const a = normAxis(op, options.axis ?? -1, x.ndim);
  const order = [...x.shape.map((_, d) => d).filter((d) => d !== a), a];
  const back = order.map((_, d) => order.indexOf(d));
  const R = x.shape[a] ?? 0;
  const rows = R === 0 ? 0 : x.length / R;
  if (R >= 2 ** 31) throw new ShapeError(`${op}: an axis of ${R} elements is past the i32 indices (2^31 - 1)`);
  return { order, back, rows, R, movedShape: order.map((d) => x.shape[d] ?? 0), descending: options.descending ?? false };
}

function sortOptions(op: string, options: unknown): SortOptions {
  return checkOptions(op, options, { axis: 'number', descending: 'boolean', stable: 'boolean' });
}

function checkSort(op: 'sort' | 'argsort', keys: DeviceArray, options: SortOptions | undefined, extra: readonly unknown[]): SortCall {
  checkArray(op, 'x', keys);
  checkNoExtra(op, extra, 'two arguments (x, options)');
  const o = sortOptions(op, options);
  const backend = backendOf(op, keys);
  requireDType(op, 'x', keys, ['u32', 'i32', 'f32']);
  const plan = planOf(op, keys, o);
  // 1-d, ascending, integer keys: the keys-only radix sort (no positions to carry; ±0 cannot occur).
  const flat = op === 'sort' && keys.ndim === 1 && !plan.descending && keys.dtype !== 'f32';
  return { backend, op, keys, plan: flat ? null : plan, shape: keys.shape, dtype: op === 'argsort' ? 'i32' : keys.dtype };
}

export const SORT = defineOp({
  name: 'sort',
  numpy: 'numpy.sort',
  category: 'sorting',
  summary: 'stable sort along an axis (default the last; NaN last, ±0 equal; descending as numpy.array_api), same shape',
  tolerance: 'exact',
  dtypes: ['f32', 'i32', 'u32'],
  axis: 'one',
  check: (keys: DeviceArray, options: SortOptions | undefined, extra: readonly unknown[]): SortCall => checkSort('sort', keys, options, extra),
  dawn: dawnSort,
  host: hostSort,
  reference: sortCpu,
});

export const ARGSORT = defineOp({
  name: 'argsort',
  numpy: 'numpy.argsort',
  category: 'sorting',
  summary: 'i32 indices that sort along an axis (stable; NaN last; descending as numpy.array_api)',
  tolerance: 'exact',
  dtypes: ['f32', 'i32', 'u32'],
  axis: 'one',
  check: (keys: DeviceArray, options: SortOptions | undefined, extra: readonly unknown[]): SortCall => checkSort('argsort', keys, options, extra),
  dawn: dawnArgsort,
  host: hostArgsort,
});

export const SORT_PAIRS = defineOp({
  name: 'sortPairs',
  numpy: null,
  category: 'sorting',
  summary: 'stable sort of (key, value) pairs by key along an axis, u32 values moved with their keys',
  tolerance: 'exact',
  dtypes: ['f32', 'i32', 'u32'],
  axis: 'one',
  check: (keys: DeviceArray, values: DeviceArray<'u32'>, options: SortOptions | undefined, extra: readonly unknown[]): SortPairsCall => {
    checkArrays('sortPairs', { keys, values });
    checkNoExtra('sortPairs', extra, 'three arguments (keys, values, options)');
    const o = sortOptions('sortPairs', options);
    const backend = backendOf('sortPairs', keys, values);
    requireDType('sortPairs', 'keys', keys, ['u32', 'i32', 'f32']);
    requireDType('sortPairs', 'values', values, ['u32']);
    if (keys.shape.length !== values.shape.length || keys.shape.some((e, d) => e !== values.shape[d])) {
      throw new ShapeError(`sortPairs: keys of shape [${keys.shape.join(', ')}] and values of shape [${values.shape.join(', ')}] must have one shape`);
    }
    return { backend, keys, values, plan: planOf('sortPairs', keys, o), shape: keys.shape, dtype: keys.dtype };
  },
  dawn: dawnSortPairs,
  host: hostSortPairs,
  reference: sortPairsCpu,
});

/**
 * Stable sort of u32, i32 or f32 keys along `axis` (default the last; the result has x's shape, as
 * NumPy's `np.sort(x, kind='stable')`), as a new array; the input is not modified. f32 order: −Inf < … <
 * +Inf < NaN, with −0 and +0 equal (they keep their input order); every NaN comes back as the quiet NaN
 * 0x7FFFFFFF. `descending: true` reverses the order (NaNs first), as numpy.array_api's sort. Enqueues and
 * returns at once.
 *
 * @example
 * ```ts
 * using x = device.array(new Float32Array([2, NaN, -1, 0, 3, 1]), { shape: [2, 3] });
 * using s = sort(x);                          // [[-1, 2, NaN], [0, 1, 3]]
 * using d = sort(x, { axis: 0, descending: true });
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.sort.html
 */
export function sort<D extends DType>(keys: DeviceArray<D>, options?: SortOptions, ...extra: []): DeviceArray<D> {
  return SORT.call(keys, options, extra) as DeviceArray<D>;
}

/**
 * The i32 indices that sort x along `axis` (default the last), stable (equal keys in input order), in the
 * order of {@link sort} (NaN last; −0 and +0 equal); `descending: true` as numpy.array_api's argsort. The
 * result has x's shape.
 *
 * @example
 * ```ts
 * using i = argsort(device.array(new Float32Array([3, 1, 2, 1]))); // Int32Array [1, 3, 2, 0]
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.argsort.html
 */
export function argsort(x: DeviceArray, options?: SortOptions, ...extra: []): DeviceArray<'i32'> {
  return ARGSORT.call(x, options, extra);
}

/**
 * Stable sort of (key, value) pairs by key along `axis` (default the last): keys as in {@link sort}, u32
 * values of the keys' shape (e.g. indices, to sort other data by the same permutation) moved along with them.
 * Equal keys keep their input order. Returns new arrays; the inputs are not modified.
 *
 * @example
 * ```ts
 * using k = device.array(new Int32Array([5, -2, 5]), 'i32');
 * using v = device.array(new Uint32Array([0, 1, 2]), 'u32');
 * const s = sortPairs(k, v);
 * console.log(await s.keys.toArray(), await s.values.toArray()); // [-2, 5, 5] [1, 0, 2]
 * s.keys.destroy(); s.values.destroy();
 * ```
 */
export function sortPairs<D extends DType>(keys: DeviceArray<D>, values: DeviceArray<'u32'>, options?: SortOptions, ...extra: []): { keys: DeviceArray<D>; values: DeviceArray<'u32'> } {
  return SORT_PAIRS.call(keys, values, options, extra) as { keys: DeviceArray<D>; values: DeviceArray<'u32'> };
}

// --- searchsorted -------------------------------------------------------------------------------------

/** Options of {@link searchsorted}. */
export interface SearchsortedOptions {
  /** 'left': the first index i with sorted[i] >= v; 'right': the first with sorted[i] > v. @default 'left' */
  readonly side?: 'left' | 'right';
}

/** A checked searchsorted: a 1-d `sorted`, any-shape `v` of its dtype; i32 indices of v's shape. */
export interface SearchsortedCall extends Checked {
  readonly sorted: DeviceArray;
  readonly v: DeviceArray;
  readonly right: boolean;
  readonly shape: readonly number[];
  readonly dtype: 'i32';
}

export const SEARCHSORTED = defineOp({
  name: 'searchsorted',
  numpy: 'numpy.searchsorted',
  category: 'sorting',
  summary: "i32 insertion points of v into a sorted 1-d array (side 'left' or 'right'; NaN sorts last)",
  tolerance: 'exact',
  dtypes: ['f32', 'i32', 'u32'],
  check: (sorted: DeviceArray, v: DeviceArray, options: SearchsortedOptions | undefined, extra: readonly unknown[]): SearchsortedCall => {
    checkArrays('searchsorted', { sorted, v });
    checkNoExtra('searchsorted', extra, 'three arguments (sorted, v, options)');
    const o = checkOptions('searchsorted', options, { side: ['left', 'right'] }) as SearchsortedOptions;
    const backend = backendOf('searchsorted', sorted, v);
    requireDType('searchsorted', 'sorted', sorted, ['u32', 'i32', 'f32']);
    if (v.dtype !== sorted.dtype) throw new DTypeError(`searchsorted: v has dtype ${v.dtype} but sorted has ${sorted.dtype}; they must match (astype first)`);
    if (sorted.ndim !== 1) throw new ShapeError(`searchsorted: sorted must be 1-d, got shape [${sorted.shape.join(', ')}]`);
    if (sorted.length >= 2 ** 31) throw new ShapeError(`searchsorted: sorted has ${sorted.length} elements, past the i32 indices (2^31 - 1)`);
    return { backend, sorted, v, right: o.side === 'right', shape: v.shape, dtype: 'i32' };
  },
  dawn: dawnSearchsorted,
  host: hostSearchsorted,
});

/**
 * Where to insert each element of `v` into the ascending 1-d `sorted` to keep it sorted (NumPy's
 * `np.searchsorted`, the standard's `searchsorted` from its 2023.12 revision): for side 'left' the first i
 * with sorted[i] >= v, for 'right' the first with sorted[i] > v, in NumPy's order (NaN after +Inf, all
 * NaNs equal; −0 equal to +0), as i32 indices of v's shape. `sorted` must be sorted in that order
 * (the result is unspecified otherwise, as NumPy's).
 *
 * @example
 * ```ts
 * using s = device.array([1, 2, 2, 3]);
 * using i = searchsorted(s, device.array([2, 0, 5]), { side: 'right' }); // Int32Array [3, 0, 4]
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.searchsorted.html
 */
export function searchsorted(sorted: DeviceArray, v: DeviceArray, options?: SearchsortedOptions, ...extra: []): DeviceArray<'i32'> {
  return SEARCHSORTED.call(sorted, v, options, extra);
}

// --- topk ---------------------------------------------------------------------------------------------

/** Options of {@link topk}. */
export interface TopkOptions {
  /** The axis to select along (negative counts from the end). @default -1 (the last) */
  readonly axis?: number;
  /** The k largest (first the largest; NaN counts as largest, as in NumPy's sort order) or, false, the k smallest. @default true */
  readonly largest?: boolean;
}

/** A checked topk: the sort plan along the axis, and k. */
export interface TopkCall extends Checked {
  readonly x: DeviceArray;
  readonly k: number;
  readonly plan: SortPlan;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export const TOPK = defineOp({
  name: 'topk',
  numpy: null,
  category: 'sorting',
  summary: 'the k largest (or smallest) elements along an axis and their i32 indices, in order (TF.js-style; stable)',
  tolerance: 'exact',
  dtypes: ['f32', 'i32', 'u32'],
  axis: 'one',
  check: (x: DeviceArray, k: number, options: TopkOptions | undefined, extra: readonly unknown[]): TopkCall => {
    checkArray('topk', 'x', x);
    checkNoExtra('topk', extra, 'three arguments (x, k, options)');
    const o = checkOptions('topk', options, { axis: 'number', largest: 'boolean' }) as TopkOptions;
    const backend = backendOf('topk', x);
    requireDType('topk', 'x', x, ['u32', 'i32', 'f32']);
    const plan = planOf('topk', x, { ...(o.axis !== undefined ? { axis: o.axis } : {}), descending: o.largest ?? true });
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0) throw new ArgumentError(`topk: k must be a non-negative integer, got ${String(k)}`);
    if (k > plan.R) throw new ArgumentError(`topk: k = ${k} is larger than the axis (${plan.R} elements)`);
    const a = plan.order[plan.order.length - 1] ?? 0;
    return { backend, x, k, plan, shape: x.shape.map((e, d) => (d === a ? k : e)), dtype: x.dtype };
  },
  dawn: dawnTopk,
  host: hostTopk,
});

/**
 * The `k` largest elements along `axis` (default the last), largest first, and their i32 indices
 * (TF.js's `topk`; NumPy has none: it is `argsort(x, { descending: true })` cut to k, and takes the same
 * order — stable, so equal values keep index order; NaN counts as the largest, as NumPy sorts it last).
 * `largest: false` gives the k smallest, smallest first. Both results have x's shape with k along the axis;
 * k > the axis is an ArgumentError, k = 0 gives empty results.
 *
 * @example
 * ```ts
 * const { values, indices } = topk(device.array([1, 5, 3, 5]), 2); // [5, 5], [1, 3]
 * ```
 */
export function topk(x: DeviceArray, k: number, options?: TopkOptions, ...extra: []): { values: DeviceArray; indices: DeviceArray<'i32'> } {
  return TOPK.call(x, k, options, extra);
}
