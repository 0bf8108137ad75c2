/**
 * The options of reductions along axes (NumPy's `axis`, `keepdims`, `ddof`) and the plan they give: pure
 * argument and shape logic, shared by the manifests (src/ops/axis.ts) and both engines' implementations.
 */
import { DeviceArray } from '../buffers/device-array.js';
import type { DType } from '../buffers/dtype.js';
import { normAxis, sizeOf } from '../buffers/strided.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { describeValue } from '../args.js';

/** Reductions along axes. */
export type AxisOp = 'sum' | 'prod' | 'min' | 'max' | 'argmin' | 'argmax' | 'any' | 'all' | 'mean' | 'var' | 'std' | 'norm' | 'logsumexp';

/** Options of a reduction along axes. */
export interface AxisOptions {
  /** The axis or axes to reduce (negative counts from the end); null as NumPy's `axis=None`: all axes. @default all axes (the whole array) */
  readonly axis?: number | readonly number[] | null;
  /** Keep the reduced axes with extent 1, so the result broadcasts against the input. @default false */
  readonly keepdims?: boolean;
  /** var/std: divide by R − ddof (NumPy's name; the standard's is `correction`). @default 0 */
  readonly ddof?: number;
  /** var/std: the Array API standard's name for ddof (give one of the two). @default 0 */
  readonly correction?: number;
  /**
   * sum/prod: the dtype to accumulate in and return (the standard's `dtype`): x's own, or 'f32' for an integer
   * x — which rounds each partial result to f32 (exact while every partial stays below 2^24 in magnitude, then
   * within the f32 sum bound) instead of failing with an OverflowError. @default x's dtype
   */
  readonly dtype?: DType;
}

/** The result's dtype: the input's (sum prod min max), u32 (arg*), bool (any, all, as the standard) or f32 (mean var std norm). */
export function resultDType(op: AxisOp, dtype: DType): DType {
  if (op === 'argmin' || op === 'argmax') return 'u32';
  if (op === 'any' || op === 'all') return 'bool';
  if (op === 'mean' || op === 'var' || op === 'std' || op === 'norm' || op === 'logsumexp') return 'f32';
  return dtype;
}

/**
 * A reduction's options, checked as plain JS callers may pass them (an object of known keys: `axis` an
 * integer, a list of integers, null or absent; `keepdims` a boolean; `ddof` — var and std only — a
 * non-negative integer), or a typed error naming `op` and the option. Returns them with `axis: null`
 * dropped (null is NumPy's `axis=None`: every axis, as when absent).
 *
 * @example checkAxisOptions('sum', { axis: null, keepdims: true }) // { keepdims: true }
 */
export function checkAxisOptions(op: string, opts: unknown, ddof = false, dtype = false): AxisOptions {
  if (opts === undefined) return {};
  const keys = ['axis', 'keepdims', ...(ddof ? ['ddof', 'correction'] : []), ...(dtype ? ['dtype'] : [])].join(', ');
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts) || opts instanceof DeviceArray) {
    throw new ArgumentError(`${op}: options must be an object ({ ${keys} }), got ${describeValue(opts)}`);
  }
  const o = opts as Record<string, unknown>;
  const extra = Object.keys(o).filter((k) => k !== 'axis' && k !== 'keepdims' && (!ddof || (k !== 'ddof' && k !== 'correction')) && (!dtype || k !== 'dtype'));
  if (extra.length > 0) throw new ArgumentError(`${op}: unknown option${extra.length > 1 ? 's' : ''} ${extra.join(', ')}; it takes ${keys}`);
  const { axis, keepdims } = o;
  if (axis !== undefined && axis !== null) {
    const list: unknown[] = Array.isArray(axis) ? axis : [axis];
    if (typeof axis !== 'number' && !Array.isArray(axis)) throw new ArgumentError(`${op}: axis must be an integer, a list of integers or null, got ${describeValue(axis)}`);
    for (const a of list) if (typeof a !== 'number' || !Number.isInteger(a)) throw new ArgumentError(`${op}: axis must be an integer, a list of integers or null, got ${describeValue(a)}${Array.isArray(axis) ? ' in the list' : ''}`);
  }
  if (keepdims !== undefined && typeof keepdims !== 'boolean') throw new ArgumentError(`${op}: keepdims must be a boolean, got ${describeValue(keepdims)}`);
  if (o['ddof'] !== undefined && o['correction'] !== undefined) throw new ArgumentError(`${op}: give ddof or correction (the same option under NumPy's and the standard's names), not both`);
  const dname = o['ddof'] !== undefined ? 'ddof' : 'correction';
  const d = o[dname];
  if (d !== undefined && (typeof d !== 'number' || !Number.isInteger(d) || d < 0)) throw new ArgumentError(`${op}: ${dname} must be a non-negative integer, got ${describeValue(d)}`);
  const t = o['dtype'];
  if (t !== undefined && t !== 'f32' && t !== 'i32' && t !== 'u32' && t !== 'f16') throw new ArgumentError(`${op}: dtype must be one of 'f32', 'i32', 'u32', 'f16', got ${describeValue(t)}`);
  return {
    ...(axis !== undefined && axis !== null ? { axis: axis as number | readonly number[] } : {}),
    ...(keepdims === true ? { keepdims: true } : {}),
    ...(d !== undefined ? { ddof: d } : {}),
    ...(t !== undefined ? { dtype: t } : {}),
  };
}

/** min/max/argmin/argmax of no elements: NumPy raises (no identity), and so do they, on both engines. */
export function refuseEmpty(op: string, x: DeviceArray): void {
  if (x.length === 0) throw new ShapeError(`${op}: zero-size array [${x.shape.join(', ')}] has no ${op.endsWith('min') ? 'minimum' : 'maximum'} (no identity)`);
}

/** Normalised, sorted, distinct axes (ArgumentError for a repeated or out-of-range axis). */
export function reducedAxes(op: string, ndim: number, axis: number | readonly number[] | null | undefined): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: ndim }, (_, d) => d);
  const list = typeof axis === 'number' ? [axis] : [...axis];
  const norm = list.map((a) => normAxis(op, a, ndim));
  if (new Set(norm).size !== norm.length) throw new ArgumentError(`${op}: axis [${list.join(', ')}] repeats an axis`);
  return norm.sort((a, b) => a - b);
}

/** How a reduction along axes lays out its work: the permutation putting the reduced axes last, rows × R. */
export function axisPlan(op: string, shape: readonly number[], opts: AxisOptions): { order: number[]; rows: number; R: number; outShape: number[] } {
  const axes = reducedAxes(op, shape.length, opts.axis);
  const kept = shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const R = sizeOf(axes.map((d) => shape[d] ?? 1));
  const rows = sizeOf(kept.map((d) => shape[d] ?? 1));
  const outShape = opts.keepdims === true ? shape.map((e, d) => (axes.includes(d) ? 1 : e)) : kept.map((d) => shape[d] ?? 1);
  return { order: [...kept, ...axes], rows, R, outShape };
}

/**
 * A reduction builder's trailing call options `{ axis, keepdims }` (after its arguments), if any.
 * @example axisCallOptions('r', [x, { axis: 1 }]) // { input: [x], axis: { axis: 1 } }
 */
export function axisCallOptions(op: string, input: readonly unknown[]): { input: readonly unknown[]; axis?: AxisOptions } {
  const last = input[input.length - 1];
  if (input.length < 2 || typeof last !== 'object' || last === null || last instanceof DeviceArray) return { input };
  const o = last as Record<string, unknown>;
  if (!('axis' in o) && !('keepdims' in o)) return { input };
  const extra = Object.keys(o).filter((k) => k !== 'axis' && k !== 'keepdims');
  if (extra.length > 0) throw new ArgumentError(`${op}: unknown call option ${extra.join(', ')}; the options object (after the arguments) takes axis and keepdims`);
  const opts = checkAxisOptions(op, o);
  return opts.axis === undefined && opts.keepdims !== true ? { input: input.slice(0, -1) } : { input: input.slice(0, -1), axis: opts };
}


/** What a reduction over zero elements gives (NumPy's identities; mean/var/std of nothing is NaN; log Σ of nothing is log 0). */
export function emptyValue(op: AxisOp): number {
  switch (op) {
    case 'logsumexp':
      return -Infinity;
    case 'sum':
    case 'any':
    case 'norm':
      return 0;
    case 'prod':
    case 'all':
      return 1;
    default:
      return NaN;
  }
}
