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
import { defineOp, type Checked } from './manifest.js';
import { dawnDot, dawnReduce } from '../backends/dawn/ops/reduce.js';
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
  return defineOp({
    name: op,
    numpy,
    category: 'reduction',
    summary,
    tolerance,
    check: (x: DeviceArray): ReduceCall => {
      checkArray(op, 'x', x);
      if (op === 'min' || op === 'max') refuseEmpty(op, x);
      if (op === 'mean' || op === 'norm') requireDType(op, 'x', x, ['f32', 'f16']);
      return { backend: x.backend, op, x, shape: [], dtype: x.dtype };
    },
    dawn: dawnReduce,
    host: hostReduce,
    ...(reference !== undefined ? { reference } : {}),
  });
}

export const SUM = wholeOp('sum', 'numpy.sum', 'sum of the elements, whole array or along axes (pairwise-blocked f32)', 'sum', sumCpu);
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
  check: (x: DeviceArray, y: DeviceArray): DotCall => {
    checkArrays('dot', { x, y });
    requireArray('dot', 'y', y);
    sameDType('dot', x, 'x', y, 'y');
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
  if (opts === undefined) return WHOLE[op].call(x);
  const o = checkAxisOptions(op, opts); // checked at run time: callers from plain JS can pass anything
  if (o.axis !== undefined) return reduceAxis(op, x, o);
  const r = WHOLE[op].call(x);
  return o.keepdims === true ? r.reinterpret(r.dtype, x.shape.map(() => 1)) : r;
}

/** Sum of all elements, as a device scalar. Float sums are pairwise-blocked; see the README for the error bound. */
export function sum(x: DeviceArray, opts?: AxisOptions): DeviceArray {
  return reduceOver('sum', x, opts);
}

/** Mean of all elements (f32/f16), as a device scalar; NaN for an empty array. */
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

/** Product of the elements along `axis` (all axes by default; integers wrap modulo 2^32). */
export function prod(x: DeviceArray, opts: AxisOptions = {}): DeviceArray {
  return reduceAxis('prod', x, opts);
}

/** 1 where any element along `axis` is non-zero (NaN counts as non-zero), else 0 (u32). */
export function any(x: DeviceArray, opts: AxisOptions = {}): DeviceArray<'u32'> {
  return reduceAxis('any', x, opts) as DeviceArray<'u32'>;
}

/** 1 where every element along `axis` is non-zero, else 0 (u32). */
export function all(x: DeviceArray, opts: AxisOptions = {}): DeviceArray<'u32'> {
  return reduceAxis('all', x, opts) as DeviceArray<'u32'>;
}

/** Variance along `axis` (f32; `ddof` as NumPy's: divide by R − ddof), two-pass: the mean, then squared deviations. */
export function variance(x: DeviceArray, opts: AxisOptions = {}): DeviceArray<'f32'> {
  return reduceAxis('var', x, opts) as DeviceArray<'f32'>;
}

/** Standard deviation along `axis` (the square root of {@link variance}). */
export function std(x: DeviceArray, opts: AxisOptions = {}): DeviceArray<'f32'> {
  return reduceAxis('std', x, opts) as DeviceArray<'f32'>;
}

/** Dot product Σ x·y, as a device scalar. */
export function dot(x: DeviceArray, y: DeviceArray): DeviceArray {
  return DOT.call(x, y);
}

/** Euclidean norm sqrt(Σ x²) of a float array, as a device scalar. */
export function norm(x: DeviceArray, opts?: AxisOptions): DeviceArray {
  return reduceOver('norm', x, opts);
}
