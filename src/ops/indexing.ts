/**
 * Indexing: gather (`take`) and scatter (`scatterAdd`, `bincount`, `segmentSum`, `segmentMax`) along one axis.
 * On Dawn: kernels/take.wgsl and kernels/scatter.wgsl (atomics). On gpujs: the same algorithms as host loops
 * on the device's queue (`trackedOp`), which are also this file's reading of the semantics.
 *
 * Out-of-range indices are never wrapped nor clamped. On gpujs the host loop checks every index before it
 * writes anything and the op fails (reading its output, or sync(), throws an ArgumentError). On Dawn the
 * kernel skips a bad index and records it in a small error word (count, largest, most negative); the batch
 * carrying the op reads the word before its verdict (`DeviceContext.deferCheck`) and fails the op's output
 * (for scatters, the target) with an ArgumentError naming the op and the values, as it fails the outputs of
 * an invalid op: readbacks of it, of its views and of arrays computed from it throw, and sync() reports it.
 */
import { DeviceArray } from '../buffers/device-array.js';
import { chunkElements, pieces } from '../buffers/chunks.js';
import type { DType } from '../buffers/dtype.js';
import { normAxis, sizeOf } from '../buffers/strided.js';
import type { DeviceContext } from '../backends/dawn/context.js';
import type { HostContext } from '../backends/host/context.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import { compileKernelSync } from '../backends/dawn/kernel.js';
import { builtinKernel } from '../kernels/load.js';
import { onFallback, trackedOp, viewOutput } from './engine.js';
import { max, min } from './reduce.js';
import { checkArray, copyOf, sharesMemory } from './signature.js';
import { checkOptions } from '../args.js';

const VALUE_TYPES: readonly DType[] = ['f32', 'i32', 'u32'];

/** x seen as [outer, n, inner] around the indexed axis; m indices. */
interface Geometry {
  readonly outer: number;
  readonly n: number;
  readonly m: number;
  readonly inner: number;
}

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

function sameDevice(op: string, a: DeviceArray, ...others: DeviceArray[]): void {
  for (const b of others) {
    if (b.engine !== a.engine || (a.host !== null ? a.host !== b.host : a.ctx !== b.ctx)) throw new ArgumentError(`${op}: arrays belong to different devices`);
  }
}

function deviceOfArray(a: DeviceArray): DeviceContext | HostContext {
  return a.host ?? a.ctx;
}

/** A plain 1-D view of all of `a` (a gather first when `a` is a non-contiguous view). */
function flat<D extends DType>(a: DeviceArray<D>): { view: DeviceArray<D>; temp: DeviceArray<D> | null } {
  if (a.isContiguous) return { view: a.reshape([a.size]), temp: null };
  const c = a.contiguous();
  return { view: c.reshape([c.size]), temp: c };
}

/** The error for the out-of-range indices an op met, or null (count, largest index ≥ n, largest |negative|). */
function rangeError(op: string, what: string, n: number, wrap: boolean, count: number, largest: number, negative: number): ArgumentError | null {
  if (count === 0) return null;
  const vals = [largest >= n && (largest > 0 || negative === 0) ? `largest ${largest}` : '', negative > 0 ? `most negative -${negative}` : ''].filter((s) => s !== '');
  const valid = n === 0 ? 'none' : `0..${n - 1}${wrap ? ` or -${n}..-1` : ''}`;
  return new ArgumentError(`${op}: ${count} ind${count === 1 ? 'ex is' : 'ices are'} out of range for ${what} of extent ${n} (${vals.join(', ')}); valid indices: ${valid}`);
}

/** Host side: each index resolved (negative from the end when `wrap`), or an ArgumentError for any bad one. */
function resolveHost(op: string, what: string, I: ArrayLike<number>, n: number, wrap: boolean): Int32Array {
  const ks = new Int32Array(I.length);
  let count = 0;
  let largest = 0;
  let negative = 0;
  for (let j = 0; j < I.length; j++) {
    const v = I[j] ?? 0;
    const k = v < 0 && wrap ? v + n : v;
    if (k < 0 || k >= n) {
      count++;
      if (v >= 0) largest = Math.max(largest, v);
      else negative = Math.max(negative, -v);
    } else ks[j] = k;
  }
  const e = rangeError(op, what, n, wrap, count, largest, negative);
  if (e !== null) throw e;
  return ks;
}

/**
 * Dawn: the batch carrying the op reads the kernel's error word once its work is done, before its verdict
 * (`DeviceContext.deferCheck`), and fails `victims` (the op's outputs) with an ArgumentError when an index
 * was out of range — so their readbacks, views and arrays computed from them throw it, and so does sync().
 */
function checkLater(ctx: DeviceContext, op: string, what: string, n: number, wrap: boolean, err: DeviceArray<'u32'>, victims: readonly DeviceArray[]): void {
  const words = err.buffer;
  ctx.deferCheck({
    victims: victims.flatMap((v) => v.storageBuffers),
    run: async () => {
      const staging = ctx.gpu.createBuffer({ label: `${op}|error-word`, size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      try {
        // Its own submission, after the batch's: the batch's verdict is being decided, nothing else may run.
        const enc = ctx.gpu.createCommandEncoder({ label: `${op}|error-word` });
        enc.copyBufferToBuffer(words, 0, staging, 0, 12);
        ctx.gpu.queue.submit([enc.finish()]);
        await staging.mapAsync(GPUMapMode.READ, 0, 16);
        const w = new Uint32Array(staging.getMappedRange(0, 16).slice(0));
        staging.unmap();
        return rangeError(op, what, n, wrap, w[0] ?? 0, w[1] ?? 0, w[2] ?? 0);
      } finally {
        staging.destroy();
        err.destroy();
      }
    },
  });
}

function axisWhat(axis: number | undefined): string {
  return axis === undefined ? 'the flattened array' : `axis ${axis}`;
}

// --- take ---------------------------------------------------------------------------------------------

/**
 * Gathers elements along an axis, as NumPy's `np.take(x, indices, axis)`: the result's shape is
 * `x.shape[:axis] + indices.shape + x.shape[axis+1:]`; without `axis`, `x` is read flattened. Indices are
 * i32 or u32 (any shape); a negative one counts from the end; one out of range fails the op with an
 * ArgumentError (at the next readback or sync() on Dawn), never a wrap or clamp.
 *
 * @example
 * ```ts
 * const rows = take(x, device.array(new Int32Array([2, 0, -1])), 0); // rows 2, 0 and the last of x
 * const oneHot = take(eye, labels, 0);                                 // a one-hot row per label
 * ```
 */
export function take(x: DeviceArray, indices: DeviceArray, axis?: number): DeviceArray {
  checkArray('take', 'x', x);
  checkIndices('take', 'indices', indices);
  checkValues('take', 'x', x);
  sameDevice('take', x, indices);
  if (axis !== undefined && typeof axis !== 'number') throw new ArgumentError(`take: axis must be a number or undefined, got ${typeof axis}`);
  const src = axis === undefined ? flat(x) : { view: x, temp: null };
  try {
    const ax = axis === undefined ? 0 : normAxis('take', axis, x.ndim);
    const xs = src.view;
    const g = geometryOf(xs.shape, ax, indices.size);
    const outShape = [...xs.shape.slice(0, ax), ...indices.shape, ...xs.shape.slice(ax + 1)];
    const what = axisWhat(axis === undefined ? undefined : ax);
    return onFallback(x) ? hostTake(xs, indices, g, outShape, what) : dawnTake(xs, indices, g, outShape, what);
  } finally {
    if (src.view !== x) src.view.destroy();
    src.temp?.destroy();
  }
}

function dawnTake(x: DeviceArray, indices: DeviceArray, g: Geometry, outShape: readonly number[], what: string): DeviceArray {
  const ctx = x.ctx;
  const out = new DeviceArray(ctx, x.dtype, outShape);
  const work = Math.max(g.outer * g.m * g.inner, g.m);
  if (work === 0) {
    // Nothing gathered: the empty result still takes the failure of a failed input (issue 24 item 12).
    ctx.noWork('take|empty', [...x.storageBuffers, ...indices.storageBuffers], out.storageBuffers);
    return out;
  }
  const err = new DeviceArray(ctx, 'u32', [3]);
  const idx = indices.contiguous();
  const xs = x.contiguous();
  try {
    const chunk = chunkElements(ctx.limits);
    const split = g.outer === 1 && (idx.length > chunk || out.length > chunk) && g.inner <= chunk;
    // Split: views of the arrays themselves (they may span several buffers); whole: their storage.
    using idxBits = split ? idx.viewAs('u32') : idx.storageAlias('u32');
    using xBits = xs.storageAlias('u32');
    using outBits = split ? out.viewAs('u32') : out.storageAlias('u32');
    const kernel = compileKernelSync(ctx, builtinKernel('take'), { constants: { SIGNED: indices.dtype === 'i32' ? 1 : 0 }, label: `take|${indices.dtype}` });
    if (split) {
      // Indices and the result larger than one binding (x whole): blocks of indices, each gathered into a
      // fresh block copied into its place in the result.
      const words = Math.max(1, ctx.limits.minStorageBufferOffsetAlignment / 4);
      const block = Math.floor(chunk / g.inner / words) * words || Math.floor(chunk / g.inner);
      using flatIdx = idxBits.reshape(-1);
      for (const q of pieces(g.m, block)) {
        using ids = flatIdx.slice([q.start, q.start + q.length]);
        using part = new DeviceArray(ctx, 'u32', [q.length * g.inner]);
        kernel.run({ x: xBits, indices: ids, out: part, err, params: { outer: 1, n: g.n, m: q.length, inner: g.inner } }, { invocations: Math.max(q.length * g.inner, q.length) });
        part.copyRangeTo(outBits, q.start * g.inner);
      }
    } else {
      kernel.run({ x: xBits, indices: idxBits, out: outBits, err, params: { outer: g.outer, n: g.n, m: g.m, inner: g.inner } }, { invocations: work });
    }
  } catch (e) {
    err.destroy();
    out.destroy();
    throw e;
  } finally {
    idx.destroy();
    xs.destroy();
  }
  checkLater(ctx, 'take', what, g.n, true, err, [out]);
  return out;
}

function hostTake(x: DeviceArray, indices: DeviceArray, g: Geometry, outShape: readonly number[], what: string): DeviceArray {
  const run = trackedOp('take', (xs: DeviceArray, ids: DeviceArray): DeviceArray => {
    const host = xs.host as HostContext;
    const out = new DeviceArray(host, xs.dtype, outShape);
    const X = xs.data;
    const I = ids.data;
    const O = out.data;
    host.enqueue(() => {
      const ks = resolveHost('take', what, I, g.n, true);
      let o = 0;
      for (let a = 0; a < g.outer; a++) {
        for (let j = 0; j < g.m; j++) {
          const base = (a * g.n + (ks[j] ?? 0)) * g.inner;
          for (let b = 0; b < g.inner; b++) O[o++] = X[base + b] ?? 0;
        }
      }
    });
    return out;
  });
  return run(x, indices);
}

// --- scatters -----------------------------------------------------------------------------------------

interface ScatterPlan {
  readonly op: string;
  readonly what: string;
  /** Negative indices count from the end (NumPy); else they are out of range. */
  readonly wrap: boolean;
  readonly combine: 'add' | 'max';
}

/** target[a, idx[j], b] ⊕= values[a, j, b] in place; `values` already has the shape [outer, m, inner] (any layout). */
function scatterInto(plan: ScatterPlan, target: DeviceArray, indices: DeviceArray, values: DeviceArray, g: Geometry): DeviceArray {
  if (onFallback(target)) {
    const run = trackedOp(
      plan.op,
      (t: DeviceArray, ids: DeviceArray, vals: DeviceArray): DeviceArray => {
        const host = t.host as HostContext;
        const T = t.data;
        const I = ids.data;
        const V = vals.data;
        host.enqueue(() => {
          const ks = resolveHost(plan.op, plan.what, I, g.n, plan.wrap);
          let o = 0;
          for (let a = 0; a < g.outer; a++) {
            for (let j = 0; j < g.m; j++) {
              const base = (a * g.n + (ks[j] ?? 0)) * g.inner;
              for (let b = 0; b < g.inner; b++, o++) {
                const v = V[o] ?? 0;
                const at = base + b;
                const old = T[at] ?? 0;
                // Typed-array stores round to f32 / wrap to 32 bits, as the kernel's atomics do.
                if (plan.combine === 'add') T[at] = old + v;
                else if (!Number.isNaN(old) && (Number.isNaN(v) || v > old)) T[at] = v;
              }
            }
          }
        });
        return t;
      },
      [0],
    );
    return run(target, indices, values);
  }
  const ctx = target.ctx;
  target.assertWritable(plan.op, 'the target');
  if (!target.isPlain) throw viewOutput(plan.op, target);
  const work = Math.max(g.outer * g.m * g.inner, g.m);
  if (work === 0) {
    // Nothing scattered: the target still takes the failure of failed indices or values (issue 24 item 12).
    ctx.noWork(`${plan.op}|empty`, [...target.storageBuffers, ...indices.storageBuffers, ...values.storageBuffers], target.storageBuffers);
    return target;
  }
  const err = new DeviceArray(ctx, 'u32', [3]);
  const idx = indices.contiguous();
  const vals = values.contiguous();
  try {
    const chunk = chunkElements(ctx.limits);
    const split = g.outer === 1 && (idx.length > chunk || vals.length > chunk) && g.inner <= chunk;
    // Split: views of the arrays themselves (they may span several buffers); whole: their storage.
    using idxBits = split ? idx.viewAs('u32') : idx.storageAlias('u32');
    using valBits = split ? vals.viewAs('u32') : vals.storageAlias('u32');
    using tBits = target.storageAlias('u32');
    const kind = target.dtype === 'u32' ? 0 : target.dtype === 'i32' ? 1 : 2;
    const kernel = compileKernelSync(ctx, builtinKernel('scatter'), {
      constants: { SIGNED: indices.dtype === 'i32' ? 1 : 0, WRAP: plan.wrap ? 1 : 0, KIND: kind, OP: plan.combine === 'add' ? 0 : 1 },
      label: `scatter|${plan.combine}|${target.dtype}|${indices.dtype}`,
    });
    if (split) {
      // Indices and values larger than one binding (the target whole): blocks of indices with their values;
      // the atomics combine across blocks exactly as within one.
      const words = Math.max(1, ctx.limits.minStorageBufferOffsetAlignment / 4);
      const block = Math.floor(chunk / g.inner / words) * words || Math.floor(chunk / g.inner);
      using flatIdx = idxBits.reshape(-1);
      using flatVals = valBits.reshape(-1);
      for (const q of pieces(g.m, block)) {
        using ids = flatIdx.slice([q.start, q.start + q.length]);
        using vs = flatVals.slice([q.start * g.inner, (q.start + q.length) * g.inner]);
        kernel.run({ indices: ids, values: vs, acc: tBits, err, params: { outer: 1, n: g.n, m: q.length, inner: g.inner } }, { invocations: Math.max(q.length * g.inner, q.length) });
      }
    } else {
      kernel.run({ indices: idxBits, values: valBits, acc: tBits, err, params: { outer: g.outer, n: g.n, m: g.m, inner: g.inner } }, { invocations: work });
    }
  } catch (e) {
    err.destroy();
    throw e;
  } finally {
    idx.destroy();
    vals.destroy();
  }
  checkLater(ctx, plan.op, plan.what, g.n, plan.wrap, err, [target]);
  return target;
}

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
 * scatterAdd(sums, labels, points, 0);   // k-means: sums[labels[i], :] += points[i, :]
 * scatterAdd(oneHot, cols, ones, 1);     // NumPy: np.add.at(oneHot, (rows, cols), 1), row by row
 * ```
 */
export function scatterAdd<T extends DeviceArray>(target: T, indices: DeviceArray, values: DeviceArray, axis?: number): T {
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
  const t = axis === undefined ? { shape: [target.size] } : target;
  const ax = axis === undefined ? 0 : normAxis('scatterAdd', axis, target.ndim);
  const want = [...t.shape.slice(0, ax), ...indices.shape, ...t.shape.slice(ax + 1)];
  // Values or indices in the target's memory (`scatterAdd(t, idx, t)`) are read from a copy made first, as
  // NumPy's np.add.at buffers them: the adds never see each other's results.
  values.broadcastTo(want).destroy(); // a ShapeError before any copy is made
  const ids = sharesMemory(indices, target) ? copyOf(indices) : indices;
  const src = sharesMemory(values, target) ? copyOf(values) : values;
  const vals = src.broadcastTo(want);
  try {
    scatterInto({ op: 'scatterAdd', what: axisWhat(axis === undefined ? undefined : ax), wrap: true, combine: 'add' }, target, ids, vals, geometryOf(t.shape, ax, indices.size));
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
  let bins = minLength;
  if (indices.size > 0) {
    using lo = min(indices);
    using hi = max(indices);
    const [l, h] = await Promise.all([lo.item(), hi.item()]);
    if (l < 0) throw new ArgumentError(`bincount: indices must be non-negative, got ${l}`);
    bins = Math.max(bins, h + 1);
  }
  const dev = deviceOfArray(indices);
  const out = new DeviceArray(dev, w === undefined ? 'u32' : 'f32', [bins]);
  if (indices.size === 0) return out;
  using one = w === undefined ? new DeviceArray(dev, 'u32', [1]).write([1]) : null;
  const vals = w ?? (one as DeviceArray).broadcastTo([indices.size]);
  try {
    return scatterInto({ op: 'bincount', what: 'the bins', wrap: false, combine: 'add' }, out, indices, vals, { outer: 1, n: bins, m: indices.size, inner: 1 });
  } finally {
    if (vals !== w) vals.destroy();
  }
}

function segments(op: 'segmentSum' | 'segmentMax', values: DeviceArray, segmentIds: DeviceArray, numSegments: number): DeviceArray {
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
  const m = segmentIds.size;
  const out = new DeviceArray(deviceOfArray(values), values.dtype, [numSegments, ...rest]);
  if (op === 'segmentMax' && out.size > 0) out.write(new Array<number>(out.size).fill(values.dtype === 'f32' ? -Infinity : values.dtype === 'i32' ? -(2 ** 31) : 0));
  const ids = flat(segmentIds);
  const vals = flat(values);
  try {
    return scatterInto({ op, what: 'the segments', wrap: false, combine: op === 'segmentSum' ? 'add' : 'max' }, out, ids.view, vals.view, { outer: 1, n: numSegments, m, inner: sizeOf(rest) });
  } catch (e) {
    out.destroy();
    throw e;
  } finally {
    ids.view.destroy();
    ids.temp?.destroy();
    vals.view.destroy();
    vals.temp?.destroy();
  }
}

/**
 * Sums `values` by segment, as TensorFlow's `unsorted_segment_sum`: `out[s] = Σ values[i]` over the i with
 * `segmentIds[i] == s`; `segmentIds` (i32/u32) has the shape of `values`' leading axes; the result has shape
 * `[numSegments, ...the other axes]`. Empty segments are 0. An id outside `[0, numSegments)` (negatives too)
 * fails the op with an ArgumentError. f32 sums are order-nondeterministic on Dawn (see {@link scatterAdd}).
 *
 * @example
 * ```ts
 * const sums = segmentSum(points, labels, k); // k-means centroid numerators, [k, d]
 * ```
 */
export function segmentSum(values: DeviceArray, segmentIds: DeviceArray, numSegments: number): DeviceArray {
  return segments('segmentSum', values, segmentIds, numSegments);
}

/**
 * The maximum of `values` by segment, as TensorFlow's `unsorted_segment_max` (see {@link segmentSum}).
 * Empty segments hold the dtype's lowest value (-Infinity for f32); NaN propagates, as np.maximum. Exact
 * and deterministic on both engines.
 *
 * @example
 * ```ts
 * const best = segmentMax(scores, groupIds, groups);
 * ```
 */
export function segmentMax(values: DeviceArray, segmentIds: DeviceArray, numSegments: number): DeviceArray {
  return segments('segmentMax', values, segmentIds, numSegments);
}
