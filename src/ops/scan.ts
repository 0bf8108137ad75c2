/**
 * Prefix sum (scan, cumsum): the manifest (argument check, NumPy's name, docs) and the public functions.
 * The engines' implementations: src/backends/dawn/ops/scan.ts and src/backends/host/ops/scan.ts (CPU
 * loops); the float64 reference is scanCpu (src/reference/scan.ts).
 *
 * The Dawn scan
 * is reduce-then-scan (kernels/scan-block-reduce.wgsl, kernels/scan-block-apply.wgsl):
 * one invocation sums a whole block of BLOCK elements serially, the block sums are scanned the same way
 * (recursively), and a last pass rescans every block from its offset. Passes: 2·L + 1 for L levels with
 * more than one block (n = 2^24 at BLOCK = 4096: 3). Measured choices in scratch/sort/FINDINGS.md.
 *
 * Accuracy (f32): the GPU sums in f32, blockwise (four lane partials per block in the reduce, a serial
 * running sum in the apply, then the offsets), so its rounding differs from any serial loop. Tests compare
 * it with scanCpu (float64 running sum, rounded once) per element within
 * `|scan(x)[i] − scanCpu(x)[i]| ≤ 2^-24 · (√n + 2) · (|x[0]| + … + |x[i]|)`.
 * Why this form: an f32 sum whose terms pass through at most k roundings is off by at most about
 * k · 2^-24 · Σ|x| in the worst case and √k · 2^-24 · Σ|x| typically (rounding errors add like a random
 * walk); here k ≤ L · (BLOCK/4 + 6) for L levels (and never more than n), so √n covers every parameter choice with a
 * wide margin, and the +2 covers the final roundings when n is tiny. Measured (BLOCK = 4096): uniform(−0.5, 1)
 * (partial sums grow like n/4) at n = 2^20, error ≤ 26 · 2^-24 · Σ|x| against the allowed 1026, and at 2^24,
 * ≤ 55 against 4098; uniform(−1, 1) at 2^24, ≤ 0.5 (max error 7·10^-3). A tolerance cannot separate a
 * one-element shift from rounding at large n: the exact integer tests (same kernels, T = i32/u32) catch those.
 * Integer scans are exact: a running sum that leaves the dtype's range fails the op with an OverflowError
 * (src/reference/overflow.ts; on Dawn at the next readback or sync()), never a wrap.
 */
import { DeviceArray } from '../buffers/device-array.js';
import type { DType } from '../buffers/dtype.js';
import { ArgumentError } from '../errors.js';
import { checkLive, requireDType } from './util.js';
import { ANY_VALUE, checkArray, optionsOf } from './signature.js';
import { checkNoExtra, checkOptions, describeValue } from '../args.js';
import { defineOp, type Checked } from './manifest.js';
import { checkRows, type RowsCall } from './axis.js';
import { inDType } from './reduce.js';
import { scanCpu } from '../reference/scan.js';
import { dawnScanChecked } from '../backends/dawn/ops/scan.js';
import { hostScan } from '../backends/host/ops/scan.js';

/** @internal The Dawn scan passes, which sort's Dawn path encodes too. */
export { encodeScan, scanParams } from '../backends/dawn/ops/scan.js';

/** A checked scan (`op` names the function called: scan or cumsum). */
export interface ScanCall extends Checked {
  readonly op: 'scan' | 'cumsum' | 'cumulativeSum';
  readonly x: DeviceArray;
  readonly exclusive: boolean;
  /** The axis to scan along, or undefined for the flattened array. */
  readonly axis: number | undefined;
  /** Along an axis: the rows plan (the axis moved last, rows × R) the engines' row machinery runs. */
  readonly rows: RowsCall | undefined;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** Options of {@link scan}. */
export interface ScanOptions {
  /** Exclusive scan (`out[i] = x[0] + … + x[i-1]`, `out[0] = 0`) instead of inclusive. @default false */
  readonly exclusive?: boolean;
  /**
   * Scan along this axis of an n-d array (negative counts from the end); the result has x's shape.
   * @default none: the flattened array, as NumPy's cumsum without an axis
   */
  readonly axis?: number;
}

/**
 * Prefix sum of an f32, i32 or u32 array, as a new array of the same dtype and length: inclusive
 * (`out[i] = x[0] + … + x[i]`) by default, exclusive with `{ exclusive: true }`. Integer sums are exact or
 * fail with an OverflowError (never a wrap); f32 sums are within the tolerance documented at the top of this module of the exactly
 * rounded prefix sums (scanCpu). Enqueues and returns at once.
 *
 * @example
 * ```ts
 * using x = device.array(new Int32Array([1, 2, 3, 4]), 'i32');
 * using s = scan(x);                       // [1, 3, 6, 10]
 * using e = scan(x, { exclusive: true });  // [0, 1, 3, 6]
 * console.log(await s.toArray(), await e.toArray());
 * ```
 */
export function scan(x: DeviceArray, opts: ScanOptions = {}, ...extra: []): DeviceArray {
  return SCAN.call('scan', x, opts, extra);
}


/** Axis `axis` of x, checked here so the error names the function the caller called (scan or cumsum). */
function checkScanAxis(op: string, x: DeviceArray, axis: unknown): void {
  if (typeof axis !== 'number' || !Number.isInteger(axis)) throw new ArgumentError(`${op}: axis must be an integer, got ${describeValue(axis)}`);
  if (axis < -x.ndim || axis >= x.ndim) throw new ArgumentError(`${op}: axis ${axis} is out of range for an array of ${x.ndim} dimension${x.ndim === 1 ? '' : 's'}`);
}


export const SCAN = defineOp({
  name: 'scan',
  numpy: 'numpy.cumsum',
  aliases: ['cumsum', 'cumulativeSum'],
  category: 'scan',
  summary: 'inclusive or exclusive prefix sum, of the flattened array or along an axis (integers: OverflowError, never a wrap)',
  tolerance: 'sum',
  dtypes: ['f32', 'i32', 'u32'],
  axis: 'one',
  check: (op: 'scan' | 'cumsum' | 'cumulativeSum', x: DeviceArray, options: ScanOptions | CumsumOptions | number | undefined, extra: readonly unknown[]): ScanCall => {
    checkArray(op, 'x', x);
    // cumsum takes NumPy's options ({ axis }; or, deprecated, the axis itself); scan also { exclusive }.
    const opts: ScanOptions = op === 'cumsum' ? optionsOf(op, options, { axis: ANY_VALUE }, 'axis') : checkOptions(op, options, { exclusive: 'boolean', axis: 'number' });
    checkNoExtra(op, extra, 'two arguments (x, options)');
    checkLive(op, { x });
    requireDType(op, 'x', x, ['f32', 'i32', 'u32']);
    if (opts.axis !== undefined) checkScanAxis(op, x, opts.axis);
    const axis = opts.axis;
    return { backend: x.backend, op, x, exclusive: opts.exclusive ?? false, axis, rows: axis === undefined ? undefined : checkRows('scan(axis)', x, axis, x.dtype, () => undefined), shape: axis === undefined ? [x.length] : x.shape, dtype: x.dtype };
  },
  dawn: dawnScanChecked,
  host: hostScan,
  reference: scanCpu,
});

/** Options of {@link cumsum}. */
export interface CumsumOptions {
  /** The axis to sum along (negative counts from the end); the result has x's shape. @default none: the flattened array */
  readonly axis?: number;
  /** Accumulate in this dtype: x's own, or 'f32' for an integer x (rounded, instead of an OverflowError). @default x's dtype */
  readonly dtype?: DType;
}

/**
 * NumPy's `cumsum(x, axis=…)`: the inclusive prefix sum of the flattened array, or along `options.axis`
 * (same shape as x). The same op as {@link scan}. Integer running sums are exact; one leaving the dtype's
 * range fails the op with an OverflowError (never a wrap); `{ dtype: 'f32' }` accumulates in f32 instead.
 *
 * @example cumsum(x, { axis: 1 }) // running sums along each row
 */
export function cumsum(x: DeviceArray, options?: CumsumOptions, ...extra: []): DeviceArray;
/** @deprecated The axis as the second argument: pass `{ axis }` (`cumsum(x, { axis: 0 })`). */
export function cumsum(x: DeviceArray, axis?: number, ...extra: []): DeviceArray;
export function cumsum(x: DeviceArray, options?: CumsumOptions | number, ...extra: []): DeviceArray {
  checkArray('cumsum', 'x', x);
  checkNoExtra('cumsum', extra, 'two arguments (x, options)');
  if (typeof options === 'object' && (options as unknown) !== null && 'dtype' in options) {
    const { dtype, ...rest } = options;
    return inDType('cumsum', x, dtype, (xs) => SCAN.call('cumsum', xs, rest, []));
  }
  return SCAN.call('cumsum', x, options, []);
}


/** Options of {@link cumulativeSum} (the Array API standard's `cumulative_sum`). */
export interface CumulativeSumOptions {
  /** The axis to sum along (negative counts from the end): optional for a 1-d x, required otherwise (the standard's rule). */
  readonly axis?: number;
  /** Accumulate in this dtype: x's own, or 'f32' for an integer x (rounded, instead of an OverflowError). @default x's dtype */
  readonly dtype?: DType;
  /** Start each running sum with 0: the result is one longer along the axis (`out[0] = 0`). @default false */
  readonly includeInitial?: boolean;
}

/**
 * The running sums of x along `axis` (the Array API standard's `cumulative_sum`, NumPy's `cumsum` with an
 * axis): x's shape, or one longer along the axis with `includeInitial` (a leading 0). Integer running sums
 * are exact, or the op fails with an OverflowError (never a wrap); f32 within the bound of {@link scan}.
 *
 * @example
 * ```ts
 * using c = cumulativeSum(device.array([1, 2, 3]), { includeInitial: true }); // [0, 1, 3, 6]
 * ```
 * @see https://data-apis.org/array-api/latest/API_specification/generated/array_api.cumulative_sum.html
 * @see NumPy: numpy.cumsum (https://numpy.org/doc/stable/reference/generated/numpy.cumsum.html), without include_initial
 */
export function cumulativeSum(x: DeviceArray, options: CumulativeSumOptions = {}, ...extra: []): DeviceArray {
  checkArray('cumulativeSum', 'x', x);
  checkNoExtra('cumulativeSum', extra, 'two arguments (x, options)');
  const o = checkOptions('cumulativeSum', options, { axis: 'number', dtype: ['f32', 'i32', 'u32', 'f16'], includeInitial: 'boolean' }) as CumulativeSumOptions;
  if (x.ndim === 0) throw new ArgumentError('cumulativeSum: a 0-d array has no axis to sum along');
  if (o.axis === undefined && x.ndim > 1) throw new ArgumentError(`cumulativeSum: an array of ${x.ndim} dimensions needs { axis } (the standard's rule; cumsum without an axis sums the flattened array)`);
  const axis = o.axis ?? 0;
  checkScanAxis('cumulativeSum', x, axis);
  const a = axis < 0 ? axis + x.ndim : axis;
  return inDType('cumulativeSum', x, o.dtype, (xs) => {
    if (o.includeInitial !== true) return SCAN.call('cumulativeSum', xs, { axis: a }, []);
    // The axis moved first and x copied into zeros one row longer: the exclusive running sums of that are
    // [0, x0, x0 + x1, …, the total] (and their overflow checks the scan's own).
    const order = [a, ...xs.shape.map((_, d) => d).filter((d) => d !== a)];
    const back = order.map((_, d) => order.indexOf(d));
    const moved = xs.transpose(order);
    const dense = moved.contiguous();
    const padded = new DeviceArray(xs, xs.dtype, [(xs.shape[a] ?? 0) + 1, ...order.slice(1).map((d) => xs.shape[d] ?? 0)]);
    try {
      if (xs.length > 0) xs.backend.copyInto(dense, padded, 0);
      const r = SCAN.call('cumulativeSum', padded, { axis: 0, exclusive: true }, []);
      const t = r.transpose(back);
      if (t.isPlain) {
        // Already in C order (the axis was first, or the others have extent 1): r itself, reshaped.
        if (t !== r) t.destroy();
        return r.reinterpret(r.dtype, t.shape);
      }
      const c = t.contiguous();
      t.destroy();
      r.destroy();
      return c;
    } finally {
      if (moved !== xs) moved.destroy();
      dense.destroy();
      padded.destroy();
    }
  });
}
