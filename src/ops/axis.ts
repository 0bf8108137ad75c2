/**
 * Reductions along axes (NumPy's `axis` and `keepdims`): the reduced axes are moved last as a view and
 * gathered into a dense rows × R array, then kernels/reduce-rows.wgsl reduces each row (vec4 loads when
 * R % 4 = 0, `LANES` invocations per row as tuned);
 * on the gpujs engine the same algorithm runs on the host queue. Results keep the other axes' shape.
 */
import { DeviceArray } from '../buffers/device-array.js';
import type { DType } from '../buffers/dtype.js';
import { normAxis, sizeOf } from '../buffers/strided.js';
import type { HostContext } from '../backends/host/context.js';
import { ArgumentError, DTypeError, LimitError, ShapeError } from '../errors.js';
import type { DeviceContext } from '../backends/dawn/context.js';
import { foldGroups } from '../backends/dawn/geometry.js';
import { chunkElements, pieces } from '../buffers/chunks.js';
import { compileKernelSync } from '../backends/dawn/kernel.js';
import { composeKernel } from '../kernels/compose.js';
import { registerTunable, softwareProfile, tunedParams } from '../backends/dawn/tuning.js';
import { onFallback, trackedOp } from './engine.js';
import { checkArray } from './signature.js';
import { describeValue } from '../args.js';

/** Reductions along axes. */
export type AxisOp = 'sum' | 'prod' | 'min' | 'max' | 'argmin' | 'argmax' | 'any' | 'all' | 'mean' | 'var' | 'std' | 'norm' | 'logsumexp';

const CODE: Record<AxisOp | 'softmax', number> = { sum: 0, prod: 1, min: 2, max: 3, argmin: 4, argmax: 5, any: 6, all: 7, mean: 8, var: 9, std: 10, norm: 11, softmax: 12, logsumexp: 13 };

/**
 * The row kernel's geometry, by row length R (the tuner's size): LANES invocations share a row, a workgroup
 * takes WG / LANES rows. Software adapter: a row per invocation (long serial vec4 folds, no barriers).
 * GPU: a row per LANES lanes of a 256-wide workgroup, about 16 elements per lane (a whole workgroup per
 * row from R = 4096), so neighbouring lanes read neighbouring memory and short rows still fill workgroups.
 */
export const rowsTunable = registerTunable({
  op: 'reduce-rows',
  sizes: [16, 256, 4096, 65536],
  candidates: (ctx) =>
    [8, 64, 256]
      .flatMap((WG) => [1, 2, 4, 8, 16, 64, 256].map((LANES) => ({ WG, LANES })))
      .filter((p) => p.LANES <= p.WG && p.WG <= ctx.limits.maxComputeInvocationsPerWorkgroup && (!softwareProfile(ctx) || (p.WG <= 64 && p.LANES <= 8))),
  defaults: (ctx, R) => {
    if (softwareProfile(ctx)) return { WG: 64, LANES: 1 };
    const WG = Math.min(256, ctx.limits.maxComputeInvocationsPerWorkgroup);
    return { WG, LANES: Math.min(WG, 2 ** Math.ceil(Math.log2(Math.max(1, Math.ceil(R / 16))))) };
  },
});

/** kernels/reduce-rows.wgsl with vec4 loads, or (SCALAR) scalar loads for rows whose length is not a multiple of 4. */
function rowsSource(vec4: boolean): string {
  return composeKernel('reduce-rows', { SCALAR: !vec4 });
}

/**
 * Enqueues the row kernel over dense rows × R: entry `main` (a reduction, `out` one word per row) or
 * `softmax` (`y` rows × R). Vec4 loads when R is a multiple of 4, the tuned geometry for rows of R.
 */
function runRows(ctx: DeviceContext, entry: 'main' | 'softmax', op: number, dtype: DType, bound: Record<string, DeviceArray>, rows: number, R: number, ddof = 0): void {
  const vec4 = R % 4 === 0;
  const p = tunedParams(ctx, rowsTunable, R);
  const WG = p['WG'] ?? 64;
  const LANES = p['LANES'] ?? 1;
  const word = dtype === 'f32' ? 'f32' : dtype;
  const kernel = compileKernelSync(ctx, rowsSource(vec4), {
    dtype: word,
    entryPoint: entry,
    constants: { OP: op, IS_FLOAT: dtype === 'f32' ? 1 : 0, WG, LANES },
    label: `reduce-rows|${entry === 'softmax' ? 'softmax' : op}|${word}${vec4 ? '|vec4' : ''}`,
  });
  const groups = Math.ceil(rows / (WG / LANES));
  kernel.run({ ...bound, params: { rows, r: R, ddof, pad: 0 } }, { workgroups: foldGroups(groups, ctx.limits.maxComputeWorkgroupsPerDimension, `reduce-rows over ${rows} rows`) });
}

/** Options of a reduction along axes. */
export interface AxisOptions {
  /** The axis or axes to reduce (negative counts from the end); null as NumPy's `axis=None`: all axes. @default all axes (the whole array) */
  readonly axis?: number | readonly number[] | null;
  /** Keep the reduced axes with extent 1, so the result broadcasts against the input. @default false */
  readonly keepdims?: boolean;
  /** var/std: divide by R − ddof. @default 0 */
  readonly ddof?: number;
}

/** The result's dtype: the input's (sum prod min max), u32 (arg*, any, all) or f32 (mean var std norm). */
function resultDType(op: AxisOp, dtype: DType): DType {
  if (op === 'argmin' || op === 'argmax' || op === 'any' || op === 'all') return 'u32';
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
export function checkAxisOptions(op: string, opts: unknown, ddof = false): AxisOptions {
  if (opts === undefined) return {};
  const keys = ddof ? 'axis, keepdims, ddof' : 'axis, keepdims';
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts) || opts instanceof DeviceArray) {
    throw new ArgumentError(`${op}: options must be an object ({ ${keys} }), got ${describeValue(opts)}`);
  }
  const o = opts as Record<string, unknown>;
  const extra = Object.keys(o).filter((k) => k !== 'axis' && k !== 'keepdims' && (!ddof || k !== 'ddof'));
  if (extra.length > 0) throw new ArgumentError(`${op}: unknown option${extra.length > 1 ? 's' : ''} ${extra.join(', ')}; it takes ${keys}`);
  const { axis, keepdims } = o;
  if (axis !== undefined && axis !== null) {
    const list: unknown[] = Array.isArray(axis) ? axis : [axis];
    if (typeof axis !== 'number' && !Array.isArray(axis)) throw new ArgumentError(`${op}: axis must be an integer, a list of integers or null, got ${describeValue(axis)}`);
    for (const a of list) if (typeof a !== 'number' || !Number.isInteger(a)) throw new ArgumentError(`${op}: axis must be an integer, a list of integers or null, got ${describeValue(a)}${Array.isArray(axis) ? ' in the list' : ''}`);
  }
  if (keepdims !== undefined && typeof keepdims !== 'boolean') throw new ArgumentError(`${op}: keepdims must be a boolean, got ${describeValue(keepdims)}`);
  const d = o['ddof'];
  if (d !== undefined && (typeof d !== 'number' || !Number.isInteger(d) || d < 0)) throw new ArgumentError(`${op}: ddof must be a non-negative integer, got ${describeValue(d)}`);
  return {
    ...(axis !== undefined && axis !== null ? { axis: axis as number | readonly number[] } : {}),
    ...(keepdims === true ? { keepdims: true } : {}),
    ...(d !== undefined ? { ddof: d } : {}),
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

/**
 * Reduces `x` along `opts.axis` (all axes when absent) and returns a new array of the kept axes' shape
 * (with extent-1 axes in place of the reduced ones under `keepdims`).
 */
export function reduceAxis(op: AxisOp, x: DeviceArray, options: AxisOptions = {}): DeviceArray {
  checkArray(op, 'x', x);
  const opts = checkAxisOptions(op, options, op === 'var' || op === 'std');
  if (x.dtype === 'f16') throw new DTypeError(`${op}: f16 is not supported along axes yet: astype(x, 'f32') first`);
  const axes = reducedAxes(op, x.ndim, opts.axis);
  const kept = x.shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const R = sizeOf(axes.map((d) => x.shape[d] ?? 1));
  const outShape = opts.keepdims === true ? x.shape.map((e, d) => (axes.includes(d) ? 1 : e)) : kept.map((d) => x.shape[d] ?? 1);
  const rows = sizeOf(kept.map((d) => x.shape[d] ?? 1));
  // Refused whatever the result's size (NumPy too: np.zeros((0, 0)).max(axis=0) raises).
  if (R === 0 && (op === 'min' || op === 'max' || op === 'argmin' || op === 'argmax')) {
    throw new ShapeError(`${op}: zero-size reduction along axis [${axes.join(', ')}] of shape [${x.shape.join(', ')}] has no identity`);
  }
  // NumPy divides by max(R − ddof, 0): ddof ≥ R gives Inf, or NaN for 0/0. The kernel's ddof is a u32 ≤ R.
  const ddof = Math.min(opts.ddof ?? 0, R);
  const outType = resultDType(op, x.dtype);
  if (onFallback(x)) return hostReduce(op, x, [...kept, ...axes], rows, R, outShape, outType, ddof);
  const ctx = x.ctx;
  const out = new DeviceArray(ctx, outType, outShape);
  // An empty axis or result still takes the failure of a failed input (issue 24 item 12); after the fill.
  if (rows === 0 || R === 0) {
    if (rows > 0) out.write(new Array<number>(rows).fill(emptyValue(op)));
    ctx.noWork(`${op}(axis)|empty`, x.storageBuffers, out.storageBuffers);
    return out;
  }
  const moved = x.transpose([...kept, ...axes]);
  let dense: DeviceArray;
  try {
    dense = moved.contiguous();
  } catch (e) {
    out.destroy();
    moved.destroy();
    throw e;
  }
  try {
    byRowBlocks(op, dense, out, rows, R, 1, (src, dst, n) => {
      using outWords = dst.storageAlias('u32');
      runRows(ctx, 'main', CODE[op], x.dtype, { x: src, out: outWords }, n, R, ddof);
    });
  } catch (e) {
    out.destroy();
    throw e;
  } finally {
    dense.destroy();
    moved.destroy();
  }
  return out;
}

/**
 * Runs a row kernel over `rows` rows of R elements of the dense array `src`, writing `perRow` elements a row
 * into `out` — at once when both fit one binding, else in blocks of whole rows: each block's rows read as a
 * 1-D slice of src (bound in place when aligned, else through a copy) into a fresh block of out, copied into
 * place segment by segment. A single row larger than one binding is a LimitError.
 */
export function byRowBlocks(op: string, src: DeviceArray, out: DeviceArray, rows: number, R: number, perRow: number, run: (src: DeviceArray, dst: DeviceArray, rows: number) => void): void {
  const chunk = chunkElements(src.ctx.limits);
  if (src.length <= chunk && out.length <= chunk) {
    run(src, out, rows);
    return;
  }
  const width = Math.max(R, perRow);
  if (width > chunk) {
    throw new LimitError('maxStorageBufferBindingSize', width * 4, src.ctx.limits.maxStorageBufferBindingSize, `${op}: one row of ${width} elements is larger than one binding`, 'rows are split into blocks of whole rows, and a single row must fit one binding');
  }
  const words = Math.max(1, src.ctx.limits.minStorageBufferOffsetAlignment / 4);
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const step = words / gcd(R, words);
  const fit = Math.floor(chunk / width);
  const block = Math.floor(fit / step) * step || fit; // aligned slices bind in place; others are copied
  const flatSrc = src.reshape(-1);
  try {
    for (const q of pieces(rows, block)) {
      using s = flatSrc.slice([q.start * R, (q.start + q.length) * R]);
      const d = new DeviceArray(src.ctx, out.dtype, [q.length * perRow]);
      try {
        run(s, d, q.length);
        d.copyRangeTo(out, q.start * perRow);
      } finally {
        d.destroy();
      }
    }
  } finally {
    flatSrc.destroy();
  }
}

/** What a reduction over zero elements gives (NumPy's identities; mean/var/std of nothing is NaN; log Σ of nothing is log 0). */
function emptyValue(op: AxisOp): number {
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

/** The same reduction on the gpujs engine, on the host queue (the kernel's algorithm, in JavaScript). */
function hostReduce(op: AxisOp, x: DeviceArray, order: number[], rows: number, R: number, outShape: readonly number[], outType: DType, ddof: number): DeviceArray {
  const host = x.host as HostContext;
  const run = trackedOp(`${op}(axis)`, (src: DeviceArray): DeviceArray => {
    const out = new DeviceArray(host, outType, outShape);
    if (rows === 0) return out;
    const moved = src.transpose(order);
    const dense = moved.contiguous();
    const X = dense.data;
    const O = out.data;
    const float = src.dtype === 'f32';
    const wrap = src.dtype === 'i32' ? (v: number) => v | 0 : (v: number) => v >>> 0;
    host.enqueue(() => {
      for (let row = 0; row < rows; row++) O[row] = reduceRow(op, X, row * R, R, float, wrap, ddof);
    });
    dense.destroy();
    return out;
  });
  return run(x);
}

function fsum(X: ArrayLike<number>, base: number, R: number, f: (v: number) => number): number {
  let total = 0;
  for (let k = 0; k < R; k += 64) {
    let block = 0;
    const end = Math.min(R, k + 64);
    for (let j = k; j < end; j++) block = Math.fround(block + f(X[base + j] ?? 0));
    total = Math.fround(total + block);
  }
  return total;
}

function reduceRow(op: AxisOp, X: ArrayLike<number>, base: number, R: number, float: boolean, wrap: (v: number) => number, ddof: number): number {
  if (R === 0) return emptyValue(op);
  switch (op) {
    case 'sum': {
      if (float) return fsum(X, base, R, (v) => v);
      let s = 0;
      for (let j = 0; j < R; j++) s = wrap(s + (X[base + j] ?? 0));
      return s;
    }
    case 'prod': {
      let p = 1;
      for (let j = 0; j < R; j++) p = float ? Math.fround(p * (X[base + j] ?? 0)) : wrap(Math.imul(p, X[base + j] ?? 0));
      return p;
    }
    case 'min':
    case 'max':
    case 'argmin':
    case 'argmax': {
      let best = X[base] ?? 0;
      let at = 0;
      for (let j = 1; j < R && !Number.isNaN(best); j++) {
        const v = X[base + j] ?? 0;
        if (Number.isNaN(v) || ((op === 'min' || op === 'argmin') && v < best) || ((op === 'max' || op === 'argmax') && v > best)) {
          best = v;
          at = j;
        }
      }
      return op === 'min' || op === 'max' ? best : at;
    }
    case 'any':
    case 'all': {
      for (let j = 0; j < R; j++) {
        const nz = (X[base + j] ?? 0) !== 0; // NaN !== 0
        if (op === 'any' && nz) return 1;
        if (op === 'all' && !nz) return 0;
      }
      return op === 'any' ? 0 : 1;
    }
    case 'mean':
      return Math.fround(fsum(X, base, R, (v) => Math.fround(v)) / R);
    case 'var':
    case 'std': {
      const m = Math.fround(fsum(X, base, R, (v) => Math.fround(v)) / R);
      const v = Math.fround(
        fsum(X, base, R, (e) => {
          const d = Math.fround(Math.fround(e) - m);
          return Math.fround(d * d);
        }) / Math.max(R - ddof, 0),
      );
      return op === 'std' ? Math.fround(Math.sqrt(v)) : v;
    }
    case 'norm':
      return Math.fround(Math.sqrt(fsum(X, base, R, (v) => Math.fround(Math.fround(v) * Math.fround(v)))));
    case 'logsumexp': {
      const { shift, nan } = rowShift(X, base, R);
      if (nan) return NaN;
      return Math.fround(Math.fround(Math.log(fsum(X, base, R, (v) => Math.fround(Math.exp(Math.fround(v - shift)))))) + shift);
    }
  }
}

/** A row's softmax shift: its maximum when finite, else 0; and whether it holds a NaN. */
function rowShift(X: ArrayLike<number>, base: number, R: number): { shift: number; nan: boolean } {
  let m = -Infinity;
  let nan = false;
  for (let j = 0; j < R; j++) {
    const v = X[base + j] ?? 0;
    if (Number.isNaN(v)) nan = true;
    else if (v > m) m = v;
  }
  return { shift: Number.isFinite(m) ? m : 0, nan };
}

/**
 * Runs a row-to-row kernel along `axis`: the axis moved last as a view and gathered into dense rows × R,
 * `fill(dense, res, rows, R)` writing res (rows × R), then moved back into x's axis order as an array of
 * its own. On gpujs the whole runs as one tracked op on the host queue.
 */
export function alongRows(op: string, x: DeviceArray, axis: number, outType: DType, fill: (dense: DeviceArray, res: DeviceArray, rows: number, R: number) => void): DeviceArray {
  const a = normAxis(op, axis, x.ndim);
  const order = [...x.shape.map((_, d) => d).filter((d) => d !== a), a];
  const back = order.map((_, d) => order.indexOf(d));
  const R = x.shape[a] ?? 0;
  const rows = R === 0 ? 0 : x.length / R;
  const movedShape = order.map((d) => x.shape[d] ?? 0);
  const run = (src: DeviceArray): DeviceArray => {
    const moved = src.transpose(order);
    const dense = moved.contiguous();
    const res = new DeviceArray(src.host ?? src.ctx, outType, movedShape);
    let kept = false;
    try {
      if (rows > 0) fill(dense, res, rows, R);
      // Back to x's axis order (res itself when the axis was already last).
      const t = res.transpose(back);
      let r = res;
      if (t.isPlain) kept = true;
      else r = t.contiguous();
      // Nothing computed (Dawn): the result still takes the failure of a failed input (issue 24 item 12).
      if (rows === 0 && src.host === null) src.ctx.noWork(`${op}|empty`, src.storageBuffers, r.storageBuffers);
      return r;
    } finally {
      if (!kept) res.destroy();
      dense.destroy();
    }
  };
  return onFallback(x) ? trackedOp(op, run)(x) : run(x);
}

/**
 * softmax along `axis` in one dispatch of the row kernel (entry point `softmax`; max-shifted by the finite
 * row maximum, else 0; a row holding a NaN gives NaNs): the result has x's shape.
 */
export function softmaxAxis(x: DeviceArray, axis: number): DeviceArray {
  checkArray('softmax', 'x', x);
  if (x.dtype !== 'f32') throw new DTypeError(`softmax: takes f32 arrays, got ${x.dtype}`);
  return alongRows('softmax', x, axis, 'f32', (dense, res, rows, R) => {
    if (dense.host !== null) {
      const X = dense.data;
      const O = res.data;
      dense.host.enqueue(() => {
        for (let row = 0; row < rows; row++) {
          const base = row * R;
          const { shift, nan } = rowShift(X, base, R);
          const s = fsum(X, base, R, (v) => Math.fround(Math.exp(Math.fround(v - shift))));
          for (let j = 0; j < R; j++) O[base + j] = nan ? NaN : Math.fround(Math.fround(Math.exp(Math.fround((X[base + j] ?? 0) - shift))) / s);
        }
      });
      return;
    }
    byRowBlocks('softmax', dense, res, rows, R, R, (src, dst, n) => {
      runRows(dense.ctx, 'softmax', CODE.softmax, 'f32', { x: src, y: dst }, n, R);
    });
  });
}
