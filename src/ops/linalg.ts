/**
 * The standard's linear-algebra functions beyond `matmul` (src/ops/matmul.ts) and `matrixTranspose`
 * (src/ops/manipulation.ts): `vecdot`, `tensordot`, `outer`, `trace`, and the `linalg` namespace that
 * gathers them under the standard's extension names (`linalg.matmul`, `linalg.vecdot`, …). Each composes
 * existing ops on views, so it runs on both engines as they do:
 * - `vecdot(x1, x2, { axis })` = `sum(x1 * x2, { axis })` with broadcasting (one rounding per product, then
 *   the f32 blocked sum: the `sum` bound over the products);
 * - `tensordot(a, b, { axes })` = one `matmul` of a (free × contracted) and b (contracted × free) views,
 *   gathered only where the permuted operand is not already contiguous (f32, as matmul);
 * - `outer(a, b)` = `a[:, None] * b[None, :]` (exact: one rounding per element, as NumPy's);
 * - `trace(x, { offset })` = `sum` of the diagonal view of each matrix (last two axes).
 */
import type { DeviceArray } from '../buffers/device-array.js';
import type { DType } from '../buffers/dtype.js';
import { broadcastShapes, normAxis, sizeOf } from '../buffers/strided.js';
import { checkNoExtra, checkOptions, describeValue } from '../args.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import { liveArray } from './check-array.js';
import { NUMERIC_DTYPES, requireDType } from './util.js';
import { ALL_DTYPES, defineOp, type Checked } from './manifest.js';
import { astype, multiply } from './math.js';
import { sum } from './reduce.js';
import { matmul } from './matmul.js';
import { matrixTranspose } from './manipulation.js';

function pair(op: string, a: unknown, b: unknown): [DeviceArray, DeviceArray] {
  const x = liveArray(op, 'x1', a);
  const y = liveArray(op, 'x2', b);
  if (x.backend !== y.backend) throw new ArgumentError(`${op}: x1 and x2 belong to different devices`);
  if (x.dtype !== y.dtype) throw new DTypeError(`${op}: x1 is ${x.dtype} but x2 is ${y.dtype}: mixed dtypes are refused (no type promotion yet)`);
  return [x, y];
}

/** A checked composite linalg call: what to run. */
export interface LinalgCall extends Checked {
  readonly run: () => DeviceArray;
}

const runIt = (_: unknown, call: LinalgCall): DeviceArray => call.run();

/** Destroys the temporaries `f` made, whatever happens. */
function withTemps(f: (keep: (a: DeviceArray) => DeviceArray) => DeviceArray): DeviceArray {
  const temps: DeviceArray[] = [];
  try {
    return f((a) => {
      temps.push(a);
      return a;
    });
  } finally {
    for (const t of temps) t.destroy();
  }
}

export const VECDOT = defineOp({
  name: 'vecdot',
  numpy: null,
  category: 'linalg',
  summary: 'dot products of vectors along an axis (default the last), with broadcasting',
  tolerance: 'dot',
  dtypes: NUMERIC_DTYPES,
  axis: 'one',
  composite: true,
  check: (x1: unknown, x2: unknown, options: unknown, extra: readonly unknown[]): LinalgCall => {
    const [a, b] = pair('vecdot', x1, x2);
    requireDType('vecdot', 'x1', a, NUMERIC_DTYPES); // here, not later in multiply (which would name itself)
    const o = checkOptions('vecdot', options, { axis: (v) => (typeof v === 'number' && Number.isInteger(v) ? undefined : 'must be an integer') });
    checkNoExtra('vecdot', extra, 'x1, x2 and an options object ({ axis })');
    if (a.ndim === 0 || b.ndim === 0) throw new ShapeError(`vecdot: x1 and x2 must have at least 1 dimension, got shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
    const shape = broadcastShapes('vecdot', a.shape, b.shape);
    const axis = normAxis('vecdot', (o['axis'] as number | undefined) ?? -1, shape.length);
    // The standard asks the contracted axis to have one extent in both (not broadcast from 1).
    const ea = a.shape[axis - (shape.length - a.ndim)];
    const eb = b.shape[axis - (shape.length - b.ndim)];
    if (ea !== eb) throw new ShapeError(`vecdot: the contracted axis ${axis - shape.length} has extent ${String(ea ?? 'none')} in x1 and ${String(eb ?? 'none')} in x2; it must be the same in both`);
    // f16: products and sums in f32, rounded once to f16 (sum alone would return f32, the default float dtype).
    const f16 = a.dtype === 'f16';
    return {
      backend: a.backend,
      run: () =>
        withTemps((keep) => {
          if (!f16) return sum(keep(multiply(a, b)), { axis });
          return astype(keep(sum(keep(multiply(keep(astype(a, 'f32')), keep(astype(b, 'f32')))), { axis })), 'f16');
        }),
    };
  },
  dawn: runIt,
  host: runIt,
});

/**
 * Dot products of vectors along `axis` (default -1) of `x1` and `x2`, which broadcast against each other
 * (the standard's `vecdot`; NumPy 1.24 has none: `np.sum(x1 * x2, axis)`). The contracted axis must have
 * the same extent in both. One dtype (no promotion yet); f32 within `sum`'s bound over the products;
 * integers as `sum` computes them.
 *
 * @example
 * ```ts
 * using d = vecdot(rows, q); // [n, k] · [k] → [n]
 * ```
 * @see https://data-apis.org/array-api/2021.12/API_specification/generated/signatures.linear_algebra_functions.vecdot.html
 */
export function vecdot<D extends DType>(x1: DeviceArray<D>, x2: DeviceArray<D>, options?: { readonly axis?: number }, ...extra: []): DeviceArray<D> {
  return VECDOT.call(x1, x2, options, extra) as DeviceArray<D>;
}

/** The options of {@link tensordot}: `axes`, an integer N or two lists of axes. */
export interface TensordotOptions {
  readonly axes?: number | readonly [number | readonly number[], number | readonly number[]];
}

/** tensordot's axes: an integer N (last N of a, first N of b) or two lists. */
function contracted(a: DeviceArray, b: DeviceArray, axes: unknown): [number[], number[]] {
  const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
  if (isInt(axes)) {
    if (axes < 0 || axes > a.ndim || axes > b.ndim) throw new ArgumentError(`tensordot: axes = ${axes} must lie in [0, ${Math.min(a.ndim, b.ndim)}] for shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
    return [Array.from({ length: axes }, (_, i) => a.ndim - axes + i), Array.from({ length: axes }, (_, i) => i)];
  }
  if (Array.isArray(axes) && axes.length === 2) {
    const [p, q] = axes.map((l: unknown) => (isInt(l) ? [l] : l)) as [unknown, unknown];
    if (Array.isArray(p) && Array.isArray(q) && p.every(isInt) && q.every(isInt)) {
      if (p.length !== q.length) throw new ArgumentError(`tensordot: axes lists [${p.join(', ')}] and [${q.join(', ')}] differ in length`);
      const pa = p.map((d) => normAxis('tensordot', d, a.ndim));
      const qb = q.map((d) => normAxis('tensordot', d, b.ndim));
      if (new Set(pa).size !== pa.length || new Set(qb).size !== qb.length) throw new ArgumentError('tensordot: an axes list repeats an axis');
      return [pa, qb];
    }
  }
  throw new ArgumentError(`tensordot: axes must be a non-negative integer or two lists of axes ([[a axes], [b axes]]), got ${describeValue(axes)}`);
}

export const TENSORDOT = defineOp({
  name: 'tensordot',
  numpy: 'numpy.tensordot',
  category: 'linalg',
  summary: 'sum of products over the given axes of a and b (an integer N: the last N of a, the first N of b); f32, i32 / u32 wrapping as matmul',
  tolerance: 'dot',
  dtypes: ['f32', 'i32', 'u32'],
  composite: true,
  check: (x1: unknown, x2: unknown, options: unknown, extra: readonly unknown[]): LinalgCall => {
    const [a, b] = pair('tensordot', x1, x2);
    const o = checkOptions('tensordot', options, { axes: () => undefined });
    checkNoExtra('tensordot', extra, 'x1, x2 and an options object ({ axes })');
    if (a.dtype !== 'f32' && a.dtype !== 'i32' && a.dtype !== 'u32') throw new DTypeError(`tensordot: x1 and x2 are ${a.dtype}; tensordot runs through matmul, which takes f32, i32 or u32 (astype(x, 'f32') first)`);
    const dtype = a.dtype;
    const [ca, cb] = contracted(a, b, o['axes'] ?? 2);
    ca.forEach((d, i) => {
      const e = cb[i] ?? 0;
      if (a.shape[d] !== b.shape[e]) throw new ShapeError(`tensordot: axis ${d} of x1 has extent ${a.shape[d]} but axis ${e} of x2 has ${b.shape[e]}`);
    });
    const fa = a.shape.map((_, d) => d).filter((d) => !ca.includes(d));
    const fb = b.shape.map((_, d) => d).filter((d) => !cb.includes(d));
    const outShape = [...fa.map((d) => a.shape[d] ?? 0), ...fb.map((d) => b.shape[d] ?? 0)];
    const M = sizeOf(fa.map((d) => a.shape[d] ?? 0));
    const K = sizeOf(ca.map((d) => a.shape[d] ?? 0));
    const N = sizeOf(fb.map((d) => b.shape[d] ?? 0));
    return {
      backend: a.backend,
      run: () =>
        withTemps((keep) => {
          const a2 = keep(keep(a.transpose([...fa, ...ca])).reshape([M, K]));
          const b2 = keep(keep(b.transpose([...cb, ...fb])).reshape([K, N]));
          return matmul(a2, b2).reinterpret(dtype, outShape); // the product's memory moves to the result
        }),
    };
  },
  dawn: runIt,
  host: runIt,
});

/**
 * Sum of products over axes (NumPy's / the standard's `tensordot(a, b, axes=2)`): `axes` an integer N
 * (the last N axes of x1 against the first N of x2) or `[[x1 axes], [x2 axes]]`; the result's shape is x1's
 * free axes then x2's. One matmul of the operands permuted and reshaped (views where the layout allows,
 * else gathered): f32 within matmul's bound, or i32 / u32 (both operands one dtype) wrapping modulo 2^32 as
 * {@link matmul} and NumPy's int32 tensordot do (integers are new; f32-only before). `axes: 0` is the outer
 * product.
 *
 * @example
 * ```ts
 * using c = tensordot(a, b, { axes: [[1, 0], [0, 1]] });
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.tensordot.html
 */
export function tensordot<D extends 'f32' | 'i32' | 'u32' = 'f32'>(x1: DeviceArray<D>, x2: DeviceArray<D>, options?: TensordotOptions, ...extra: []): DeviceArray<D>;
export function tensordot(x1: DeviceArray, x2: DeviceArray, options?: TensordotOptions, ...extra: []): DeviceArray<'f32' | 'i32' | 'u32'>;
export function tensordot(x1: DeviceArray, x2: DeviceArray, options?: TensordotOptions, ...extra: []): DeviceArray<'f32' | 'i32' | 'u32'> {
  return TENSORDOT.call(x1, x2, options, extra) as DeviceArray<'f32' | 'i32' | 'u32'>;
}

export const OUTER = defineOp({
  name: 'outer',
  numpy: 'numpy.outer',
  category: 'linalg',
  summary: 'outer product of two 1-d arrays: out[i, j] = x1[i] · x2[j]',
  tolerance: 'exact',
  dtypes: NUMERIC_DTYPES,
  composite: true,
  check: (x1: unknown, x2: unknown, extra: readonly unknown[]): LinalgCall => {
    const [a, b] = pair('outer', x1, x2);
    requireDType('outer', 'x1', a, NUMERIC_DTYPES);
    checkNoExtra('outer', extra, 'two arguments (x1, x2)');
    if (a.ndim !== 1 || b.ndim !== 1) throw new ShapeError(`outer: x1 and x2 must be 1-d, got shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
    return { backend: a.backend, run: () => withTemps((keep) => multiply(keep(a.slice(null, 'newaxis')), keep(b.slice('newaxis', null)))) };
  },
  dawn: runIt,
  host: runIt,
});

/**
 * The outer product of two 1-d arrays (the standard's `linalg.outer`, NumPy's `outer`): a new
 * `[x1.size, x2.size]` array with `x1[i] * x2[j]`, each product rounded once (as NumPy's).
 *
 * @example
 * ```ts
 * using m = outer(u, v);
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.outer.html
 */
export function outer<D extends DType>(x1: DeviceArray<D>, x2: DeviceArray<D>, ...extra: []): DeviceArray<D> {
  return OUTER.call(x1, x2, extra) as DeviceArray<D>;
}

/** trace's and diagonal's arguments: a stack of matrices and `{ offset }` (an integer, default 0). */
function checkDiagonal(op: string, x: unknown, options: unknown, extra: readonly unknown[]): { a: DeviceArray; offset: number } {
  const a = liveArray(op, 'x', x);
  const o = checkOptions(op, options, { offset: (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? undefined : 'must be an integer') });
  checkNoExtra(op, extra, 'x and an options object ({ offset })');
  if (a.ndim < 2) throw new ShapeError(`${op}: x must have at least 2 dimensions (a stack of matrices), got shape [${a.shape.join(', ')}]`);
  return { a, offset: (o['offset'] as number | undefined) ?? 0 };
}

export const TRACE = defineOp({
  name: 'trace',
  numpy: 'numpy.trace',
  category: 'linalg',
  summary: 'sum along diagonal `offset` of each matrix (the last two axes)',
  tolerance: 'sum',
  dtypes: NUMERIC_DTYPES,
  composite: true,
  check: (x: unknown, options: unknown, extra: readonly unknown[]): LinalgCall => {
    const { a, offset } = checkDiagonal('trace', x, options, extra);
    requireDType('trace', 'x', a, NUMERIC_DTYPES);
    // f16 keeps its dtype (the 2021.12 standard's trace): summed in f32, rounded once.
    const f16 = a.dtype === 'f16';
    return { backend: a.backend, run: () => withTemps((keep) => (f16 ? astype(keep(sum(keep(a.diagonal(offset)), { axis: -1 })), 'f16') : sum(keep(a.diagonal(offset)), { axis: -1 }))) };
  },
  dawn: runIt,
  host: runIt,
});

/**
 * The sum along diagonal `offset` of each matrix (the standard's `linalg.trace(x, offset=0)`: the last two
 * axes; NumPy's `trace(x, offset, axis1=-2, axis2=-1)`): shape `x.shape[:-2]`. An empty diagonal sums to 0.
 *
 * @example
 * ```ts
 * using t = trace(batch); // one trace per matrix
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.trace.html
 */
export function trace<D extends DType>(x: DeviceArray<D>, options?: { readonly offset?: number }, ...extra: []): DeviceArray<D> {
  return TRACE.call(x, options, extra) as DeviceArray<D>;
}

export const DIAGONAL = defineOp({
  name: 'diagonal',
  numpy: 'numpy.diagonal',
  category: 'linalg',
  summary: 'a read-only view of diagonal `offset` of each matrix (the last two axes)',
  tolerance: 'exact',
  dtypes: ALL_DTYPES,
  composite: true,
  check: (x: unknown, options: unknown, extra: readonly unknown[]): LinalgCall => {
    const { a, offset } = checkDiagonal('diagonal', x, options, extra);
    return { backend: a.backend, run: () => a.diagonal(offset) };
  },
  dawn: runIt,
  host: runIt,
});

/**
 * A read-only view of diagonal `offset` (0 the main one, > 0 above, < 0 below) of each matrix of `x` (the
 * last two axes, as the standard's `linalg.diagonal`; NumPy's `diagonal(x, offset, axis1=-2, axis2=-1)` —
 * NumPy's own default axes are the first two). Shape `[...x.shape[:-2], L]`; no copy.
 *
 * @example
 * ```ts
 * using d = diagonal(m, { offset: 1 });
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.diagonal.html
 */
export function diagonal<D extends DType>(x: DeviceArray<D>, options?: { readonly offset?: number }, ...extra: []): DeviceArray<D> {
  return DIAGONAL.call(x, options, extra) as DeviceArray<D>;
}

/**
 * The standard's `linalg` extension under its names: `linalg.matmul`, `linalg.matrixTranspose`,
 * `linalg.vecdot`, `linalg.tensordot`, `linalg.outer`, `linalg.trace`, `linalg.diagonal` (the same functions as
 * the top-level ones).
 *
 * @example
 * ```ts
 * using g = linalg.matmul(linalg.matrixTranspose(x), x);
 * ```
 */
export const linalg: Linalg = Object.freeze({ matmul, matrixTranspose, vecdot, tensordot, outer, trace, diagonal });

/** The functions of {@link linalg}: each the top-level function of the same name. */
export interface Linalg {
  /** {@link matmul}: NumPy's `numpy.linalg.matmul`. */
  readonly matmul: typeof matmul;
  /** {@link matrixTranspose}: the last two axes swapped (a view). */
  readonly matrixTranspose: typeof matrixTranspose;
  /** {@link vecdot}: dot products along an axis. */
  readonly vecdot: typeof vecdot;
  /** {@link tensordot}: contraction over the given axes. */
  readonly tensordot: typeof tensordot;
  /** {@link outer}: the outer product of two vectors. */
  readonly outer: typeof outer;
  /** {@link trace}: sums along a diagonal of the last two axes. */
  readonly trace: typeof trace;
  /** {@link diagonal}: a diagonal of the last two axes (a read-only view). */
  readonly diagonal: typeof diagonal;
}
