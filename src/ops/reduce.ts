/**
 * The whole-array reductions (sum, mean, min, max, norm, dot) and the ones along axes only (prod, any, all,
 * variance, std): the manifests and public functions. The engines' implementations:
 * src/backends/dawn/ops/reduce.ts (the ReductionBuilder behind `device.reduction(spec)`, generated WGSL)
 * and src/backends/host/ops/reduce.ts (gpu.js folds and CPU loops); along axes, src/ops/axis.ts. The
 * float64 references: src/reference/reduce.ts.
 */
import type { DeviceArray } from '../buffers/device-array.js';
import type { DType } from '../buffers/dtype.js';
import { checkArray, checkArrays, requireArray } from './signature.js';
import { checkAxisOptions, reduceAxis, refuseEmpty, type AxisOptions } from './axis.js';
import { requireDType, sameDType, sameLength } from './util.js';
import { defineOp, FLOAT_DTYPES, NUMERIC_DTYPES, type Checked } from './manifest.js';
import { DTypeError } from '../errors.js';
import { astype } from './math.js';
import { dawnDot } from '../backends/dawn/ops/reduce.js';
import { dawnReduceChecked } from '../backends/dawn/ops/overflow.js';
import { hostDot, hostReduce } from '../backends/host/ops/reduce.js';
import { dotCpu, maxCpu, minCpu, sumCpu } from '../reference/reduce.js';

export type { ReductionFn, ReductionSpec } from './reduction-spec.js';
export { buildReduction, reductionTunable } from '../backends/dawn/ops/reduce.js';

type WholeOp = 'sum' | 'mean' | 'min' | 'max' | 'norm';

/** A checked whole-array reduction: its result is a 0-d array (shape []) of x's dtype. */
export interface ReduceCall extends Checked {
  readonly op: WholeOp;
  readonly x: DeviceArray;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** A checked dot product (x and y of one dtype and length). */
export interface DotCall extends Checked {
  readonly x: DeviceArray;
  readonly y: DeviceArray;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

function wholeOp(op: WholeOp, numpy: string, summary: string, tolerance: 'exact' | 'sum', reference?: (x: ArrayLike<number>) => number) {
  const dtypes = op === 'mean' || op === 'norm' ? FLOAT_DTYPES : NUMERIC_DTYPES;
  return defineOp({
    name: op,
    numpy,
    category: 'reduction',
    summary,
    tolerance,
    dtypes,
    axis: 'several',
    check: (x: DeviceArray): ReduceCall => {
      checkArray(op, 'x', x);
      if (op === 'min' || op === 'max') refuseEmpty(op, x);
      // bool: a sum of bools is an integer, which this reduction would store as bool (so refused on both engines).
      requireDType(op, 'x', x, dtypes);
      return { backend: x.backend, op, x, shape: [], dtype: x.dtype };
    },
    dawn: dawnReduceChecked,
    host: hostReduce,
    ...(reference !== undefined ? { reference } : {}),
  });
}

export const SUM = wholeOp('sum', 'numpy.sum', 'sum of the elements, whole array or along axes (pairwise-blocked f32; integers: OverflowError, never a wrap)', 'sum', sumCpu);
export const MEAN = wholeOp('mean', 'numpy.mean', 'mean of the elements (f32/f16), whole array or along axes', 'sum');
export const MIN = wholeOp('min', 'numpy.min', 'smallest element (NaN if any), whole array or along axes', 'exact', minCpu);
export const MAX = wholeOp('max', 'numpy.max', 'largest element (NaN if any), whole array or along axes', 'exact', maxCpu);
export const NORM = wholeOp('norm', 'numpy.linalg.norm', 'Euclidean norm sqrt(Σ x²) of a float array, whole or along axes', 'sum');

export const DOT = defineOp({
  name: 'dot',
  numpy: 'numpy.dot',
  category: 'reduction',
  summary: 'dot product Σ x·y of two arrays of one dtype and length',
  tolerance: 'dot',
  dtypes: NUMERIC_DTYPES,
  check: (x: DeviceArray, y: DeviceArray): DotCall => {
    checkArrays('dot', { x, y });
    requireArray('dot', 'y', y);
    sameDType('dot', x, 'x', y, 'y');
    requireDType('dot', 'x', x, NUMERIC_DTYPES);
    sameLength('dot', x, 'x', y, 'y');
    return { backend: x.backend, x, y, shape: [], dtype: x.dtype };
  },
  dawn: dawnDot,
  host: hostDot,
  reference: dotCpu,
});

const WHOLE = { sum: SUM, mean: MEAN, min: MIN, max: MAX, norm: NORM } as const;

/**
 * A whole-array reduction, or along axes (`{ axis, keepdims }`: the row kernel of src/ops/axis.ts). Without
 * `axis` it is the whole array, reshaped to extent-1 axes under `keepdims`.
 */
function reduceOver(op: WholeOp, x: DeviceArray, opts: AxisOptions | undefined): DeviceArray {
  checkArray(op, 'x', x);
  // A sum of f16 is computed and returned in f32, the default float dtype (the 2021.12 standard's rule).
  if (opts === undefined && !(op === 'sum' && x.dtype === 'f16')) return WHOLE[op].call(x);
  const o = checkAxisOptions(op, opts === undefined ? {} : opts, false, op === 'sum'); // checked at run time: callers from plain JS can pass anything
  const { dtype: given, ...along } = o;
  const dtype = given ?? (op === 'sum' && x.dtype === 'f16' ? 'f32' : undefined);
  return inDType(op, x, dtype, (xs) => {
    if (along.axis !== undefined) return reduceAxis(op, xs, along);
    const r = WHOLE[op].call(xs);
    return along.keepdims === true ? r.reinterpret(r.dtype, x.shape.map(() => 1)) : r;
  });
}

/**
 * Runs `f` on x in `dtype` (the standard's `dtype` option of sum, prod and cumulative sums): x itself when
 * absent or x's own, else a converted copy — only an integer or f16 x to 'f32' (a DTypeError otherwise).
 */
export function inDType(op: string, x: DeviceArray, dtype: DType | undefined, f: (x: DeviceArray) => DeviceArray): DeviceArray {
  if (dtype === undefined || dtype === x.dtype) return f(x);
  if (dtype !== 'f32' || (x.dtype !== 'i32' && x.dtype !== 'u32' && x.dtype !== 'f16')) throw new DTypeError(`${op}: dtype '${dtype}' for a ${x.dtype} array: it takes x's own dtype, or 'f32' for an integer or f16 x`);
  const c = astype(x, 'f32');
  try {
    return f(c);
  } finally {
    c.destroy();
  }
}

/**
 * Sum of the elements: the whole array as a 0-d array (shape []), or along `axis`. Float sums are
 * pairwise-blocked (see the README for the error bound). Integer sums keep x's dtype (gpukit's default
 * integer dtype is i32: WebGPU has no 64-bit integers) and are exact; where the exact sum is outside the
 * dtype's range the op fails with an {@link OverflowError} (at the next readback or `sync()` on Dawn),
 * never a wrap. `{ dtype: 'f32' }` sums an integer x in f32 instead (rounded: exact while partial sums stay
 * below 2^24).
 *
 * An f16 x is summed in f32 and the result is f32: the Array API standard 2021.12 (the revision gpukit's
 * conformance tests target) gives a float x's sum the default float dtype, f32 here. NumPy and the
 * standard's later revisions keep float16; `{ dtype: 'f16' }` keeps it (whole-array sums only).
 *
 * @example
 * ```ts
 * await sum(device.array([1, 2, 3, 4], { shape: [2, 2] })).item();          // 10
 * await sum(device.array([2147483647, 1], 'i32')).item();                   // OverflowError
 * await sum(device.array([2147483647, 1], 'i32'), { dtype: 'f32' }).item(); // 2147483648
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.sum.html
 */
export function sum(x: DeviceArray, opts?: AxisOptions): DeviceArray {
  return reduceOver('sum', x, opts);
}

/** Mean of the elements (f32/f16): the whole array as a 0-d array (NaN for an empty array), or along `axis`. @see https://numpy.org/doc/stable/reference/generated/numpy.mean.html */
export function mean(x: DeviceArray, opts?: AxisOptions): DeviceArray {
  return reduceOver('mean', x, opts);
}

/** Smallest element (NaN if any element is NaN; an empty array is a ShapeError, as in NumPy). */
export function min(x: DeviceArray, opts?: AxisOptions): DeviceArray {
  return reduceOver('min', x, opts);
}

/** Largest element (NaN if any element is NaN; an empty array is a ShapeError, as in NumPy). */
export function max(x: DeviceArray, opts?: AxisOptions): DeviceArray {
  return reduceOver('max', x, opts);
}

/**
 * Product of the elements along `axis` (all axes by default: a 0-d array). Integer products keep x's dtype
 * and are exact; where the exact product is outside the dtype's range the op fails with an
 * {@link OverflowError}, never a wrap. `{ dtype: 'f32' }` multiplies an integer x in f32 instead. An f16 x
 * is multiplied in f32 and gives f32, as {@link sum} (the 2021.12 standard's default float dtype).
 *
 * @example
 * ```ts
 * await prod(device.array([2, 3, 4], 'i32')).item(); // 24
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.prod.html
 */
export function prod(x: DeviceArray, opts: AxisOptions = {}): DeviceArray {
  checkArray('prod', 'x', x);
  const o = checkAxisOptions('prod', opts, false, true);
  const { dtype: given, ...along } = o;
  const dtype = given ?? (x.dtype === 'f16' ? 'f32' : undefined); // f16: in f32, as sum
  return inDType('prod', x, dtype, (xs) => reduceAxis('prod', xs, along));
}

/** true where any element along `axis` is non-zero (NaN counts as non-zero): a bool array, as the standard's `any`. @example any(greater(x, 0), { axis: 1 }) */
export function any(x: DeviceArray, opts: AxisOptions = {}): DeviceArray<'bool'> {
  return reduceAxis('any', x, opts) as DeviceArray<'bool'>;
}

/** true where every element along `axis` is non-zero: a bool array, as the standard's `all`. @example all(isfinite(x)) */
export function all(x: DeviceArray, opts: AxisOptions = {}): DeviceArray<'bool'> {
  return reduceAxis('all', x, opts) as DeviceArray<'bool'>;
}

/**
 * Variance along `axis` (all axes by default: a 0-d array), f32, two-pass: the mean, then squared deviations.
 * `correction` (the standard's name) or `ddof` (NumPy's): divide by R − correction, R the number of elements
 * reduced. Where R − correction ≤ 0 (no degrees of freedom left, an empty reduction included) the result is
 * NaN, as the Array API standard's special case says; NumPy gives +Inf there (with a RuntimeWarning) when
 * the sum of squared deviations is non-zero.
 *
 * @example
 * ```ts
 * variance(x, { axis: 0, correction: 1 });                                  // the unbiased sample variance of each column
 * await variance(device.array([1, 3]), { correction: 2 }).item();           // NaN (NumPy: inf)
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.var.html
 */
export function variance(x: DeviceArray, opts: AxisOptions = {}): DeviceArray<'f32'> {
  return reduceAxis('var', x, opts) as DeviceArray<'f32'>;
}

/**
 * Standard deviation along `axis` (the square root of {@link variance}): NaN where R − correction ≤ 0, as
 * variance (the standard's special case; NumPy gives +Inf with a warning).
 *
 * @example std(x, { axis: 1, correction: 1 })
 * @see https://numpy.org/doc/stable/reference/generated/numpy.std.html
 */
export function std(x: DeviceArray, opts: AxisOptions = {}): DeviceArray<'f32'> {
  return reduceAxis('std', x, opts) as DeviceArray<'f32'>;
}

/** Dot product Σ x·y of two arrays of one dtype and length (two 1-d vectors: NumPy's `dot`), as a 0-d array. @see https://numpy.org/doc/stable/reference/generated/numpy.dot.html */
export function dot(x: DeviceArray, y: DeviceArray): DeviceArray {
  return DOT.call(x, y);
}

/** Euclidean norm sqrt(Σ x²) of a float array: the whole array as a 0-d array, or along `axis`. */
export function norm(x: DeviceArray, opts?: AxisOptions): DeviceArray {
  return reduceOver('norm', x, opts);
}
