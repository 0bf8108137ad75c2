/**
 * Reductions along axes (NumPy's `axis` and `keepdims`) and row-to-row ops along one axis: the manifests
 * (argument checks and the plan: the reduced axes moved last, rows × R). The engines' implementations:
 * src/backends/dawn/ops/axis.ts (kernels/reduce-rows.wgsl) and src/backends/host/ops/axis.ts (the same
 * algorithm in JavaScript, on the host queue). Results keep the other axes' shape. The options' pure
 * logic is src/ops/axis-options.ts.
 */
import type { DeviceArray } from '../buffers/device-array.js';
import type { DType } from '../buffers/dtype.js';
import type { RowsFill, RowsLayout } from '../buffers/rows.js';
import { normAxis, sizeOf } from '../buffers/strided.js';
import { DTypeError, ShapeError } from '../errors.js';
import { ANY_VALUE, checkArray, optionsOf } from './signature.js';
import { defineOp, type Checked, type Op } from './manifest.js';
import { checkAxisOptions, reducedAxes, resultDType, type AxisOp, type AxisOptions } from './axis-options.js';
import { dawnReduceAxis, dawnSoftmax } from '../backends/dawn/ops/axis.js';
import { hostReduceAxis, hostSoftmax } from '../backends/host/ops/axis.js';

export { axisCallOptions, axisPlan, checkAxisOptions, emptyValue, reducedAxes, refuseEmpty, resultDType, type AxisOp, type AxisOptions } from './axis-options.js';
export { byRowBlocks, rowsTunable } from '../backends/dawn/ops/axis.js';

/** A checked reduction along axes: x's reduced axes moved last (`order`), rows × R, the result's shape. */
export interface AxisCall extends Checked {
  readonly op: AxisOp;
  readonly x: DeviceArray;
  /** The permutation putting the kept axes first and the reduced ones last. */
  readonly order: readonly number[];
  /** The reduced axes (normalised, sorted). */
  readonly axes: readonly number[];
  readonly rows: number;
  readonly R: number;
  /** var/std: the divisor is R − ddof (ddof clamped to R; R − ddof = 0 gives NaN). */
  readonly ddof: number;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/**
 * A checked row-to-row op along one axis: the layout of src/buffers/rows.ts (the axis moved last (`order`) and
 * back (`back`), rows × R) and the op's fill.
 */
export interface RowsCall extends Checked, RowsLayout {
  readonly op: string;
  /** Writes res (rows × R, dense) from dense (rows × R); the engine's own code (it runs inside its unit). */
  readonly fill: RowsFill;
}

/** Checks a reduction along axes and plans it (errors name `op`; nothing is allocated). */
function checkReduceAxis(op: AxisOp, x: DeviceArray, options: AxisOptions = {}): AxisCall {
  checkArray(op, 'x', x);
  const opts = checkAxisOptions(op, options, op === 'var' || op === 'std');
  if (x.dtype === 'f16') throw new DTypeError(`${op}: f16 is not supported along axes yet: astype(x, 'f32') first`);
  // bool: the logical reductions only (a sum or product of bools is an integer, which these kernels would store as bool).
  if (x.dtype === 'bool' && op !== 'any' && op !== 'all') throw new DTypeError(`${op}: bool arrays are not reduced along axes by ${op} yet: astype(x, 'u32') first`);
  const axes = reducedAxes(op, x.ndim, opts.axis);
  const kept = x.shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const R = sizeOf(axes.map((d) => x.shape[d] ?? 1));
  const outShape = opts.keepdims === true ? x.shape.map((e, d) => (axes.includes(d) ? 1 : e)) : kept.map((d) => x.shape[d] ?? 1);
  const rows = sizeOf(kept.map((d) => x.shape[d] ?? 1));
  // Refused whatever the result's size (NumPy too: np.zeros((0, 0)).max(axis=0) raises).
  if (R === 0 && (op === 'min' || op === 'max' || op === 'argmin' || op === 'argmax')) {
    throw new ShapeError(`${op}: zero-size reduction along axis [${axes.join(', ')}] of shape [${x.shape.join(', ')}] has no identity`);
  }
  // ddof ≥ R leaves no degrees of freedom: NaN (the standard's special case; NumPy gives Inf with a warning,
  // or NaN for 0/0). The kernel's ddof is a u32 ≤ R.
  const ddof = Math.min(opts.ddof ?? 0, R);
  return { backend: x.backend, op, x, order: [...kept, ...axes], axes, rows, R, ddof, shape: outShape, dtype: resultDType(op, x.dtype) };
}

const axisOps = new Map<AxisOp, Op<[AxisOp, DeviceArray, AxisOptions?], AxisCall, DeviceArray>>();

/**
 * The ops whose only manifest is their along-axes one (no whole-array kernel of their own): their public
 * name, NumPy's name and docs. The others' axis manifests (`sum(axis)`…) are internal: the public manifest
 * is the whole-array one (src/ops/reduce.ts, src/ops/arg.ts), which routes `{ axis }` here.
 */
const PUBLIC_AXIS_OPS: Partial<Record<AxisOp, { name: string; numpy: string; category: 'reduction' | 'statistics'; summary: string; dtypes: readonly DType[] }>> = {
  prod: { name: 'prod', numpy: 'numpy.prod', category: 'reduction', summary: 'product of the elements along axes (integers: OverflowError, never a wrap)', dtypes: ['f32', 'i32', 'u32'] },
  any: { name: 'any', numpy: 'numpy.any', category: 'reduction', summary: 'true where any element along axes is non-zero (NaN counts) (bool)', dtypes: ['bool', 'f32', 'i32', 'u32'] },
  all: { name: 'all', numpy: 'numpy.all', category: 'reduction', summary: 'true where every element along axes is non-zero (bool)', dtypes: ['bool', 'f32', 'i32', 'u32'] },
  var: { name: 'variance', numpy: 'numpy.var', category: 'statistics', summary: 'variance along axes (f32, correction/ddof), two-pass', dtypes: ['f32', 'i32', 'u32'] },
  std: { name: 'std', numpy: 'numpy.std', category: 'statistics', summary: 'standard deviation along axes (the square root of variance)', dtypes: ['f32', 'i32', 'u32'] },
  logsumexp: { name: 'logsumexp', numpy: 'scipy.special.logsumexp', category: 'reduction', summary: 'log Σ exp(x) along axes, shifted by the finite maximum', dtypes: ['f32'] }, // f32 only: the check is still in logsumexp() (src/ops/math.ts)
};

/** The manifest of `op` along axes (`sum(axis)`…; the whole-array ops are src/ops/reduce.ts's). */
export function axisOp(op: AxisOp): Op<[AxisOp, DeviceArray, AxisOptions?], AxisCall, DeviceArray> {
  let m = axisOps.get(op);
  if (m === undefined) {
    const pub = PUBLIC_AXIS_OPS[op];
    m = defineOp({
      name: pub?.name ?? `${op}(axis)`,
      numpy: pub?.numpy ?? null,
      category: pub?.category ?? 'reduction',
      summary: pub?.summary ?? `${op} along axes (the row kernel)`,
      tolerance: op === 'sum' || op === 'mean' || op === 'var' || op === 'std' || op === 'norm' || op === 'logsumexp' ? 'sum' : 'exact',
      ...(pub !== undefined ? { dtypes: pub.dtypes, axis: 'several' as const } : {}),
      check: checkReduceAxis,
      dawn: dawnReduceAxis,
      host: hostReduceAxis,
    });
    axisOps.set(op, m);
  }
  return m;
}

/**
 * Reduces `x` along `opts.axis` (all axes when absent) and returns a new array of the kept axes' shape
 * (with extent-1 axes in place of the reduced ones under `keepdims`).
 */
export function reduceAxis(op: AxisOp, x: DeviceArray, options: AxisOptions = {}): DeviceArray {
  return axisOp(op).call(op, x, options);
}

/** Checks a row-to-row op along `axis` and lays it out (the axis moved last, rows × R). */
export function checkRows(op: string, x: DeviceArray, axis: number, outType: DType, fill: RowsCall['fill']): RowsCall {
  const a = normAxis(op, axis, x.ndim);
  const order = [...x.shape.map((_, d) => d).filter((d) => d !== a), a];
  const back = order.map((_, d) => order.indexOf(d));
  const R = x.shape[a] ?? 0;
  const rows = R === 0 ? 0 : x.length / R;
  const movedShape = order.map((d) => x.shape[d] ?? 0);
  return { backend: x.backend, op, x, order, back, rows, R, movedShape, fill, shape: x.shape, dtype: outType };
}

/** Options of softmax. */
export interface SoftmaxOptions {
  /** The axis the probabilities sum to 1 along (negative counts from the end). @default -1 (the last) */
  readonly axis?: number;
}

export const SOFTMAX = defineOp({
  name: 'softmax',
  numpy: 'scipy.special.softmax',
  category: 'math',
  summary: 'softmax along an axis (max-shifted, one pass of the row kernel)',
  tolerance: 'transcendental',
  dtypes: ['f32'],
  axis: 'one',
  check: (x: DeviceArray, options: SoftmaxOptions | number | undefined): RowsCall => {
    const { axis = -1 } = optionsOf('softmax', options, { axis: ANY_VALUE }, 'axis') as { axis?: number };
    checkArray('softmax', 'x', x);
    if (x.dtype !== 'f32') throw new DTypeError(`softmax: takes f32 arrays, got ${x.dtype}`);
    return checkRows('softmax', x, axis, 'f32', () => undefined);
  },
  dawn: dawnSoftmax,
  host: hostSoftmax,
});

/**
 * softmax along `axis` in one dispatch of the row kernel (entry point `softmax`; max-shifted by the finite
 * row maximum, else 0; a row holding a NaN gives NaNs): the result has x's shape.
 */
export function softmaxAxis(x: DeviceArray, options?: SoftmaxOptions | number): DeviceArray {
  return SOFTMAX.call(x, options);
}
