/**
 * Manipulation functions of the Array API standard (2021.12; reference `numpy.array_api`, and NumPy for
 * `pad`): `concat stack expandDims squeeze flip roll permuteDims reshape broadcastTo broadcastArrays pad
 * matrixTranspose`, plus the creation functions that assemble arrays the same way (`tril triu meshgrid
 * zerosLike onesLike fullLike emptyLike`).
 *
 * Where NumPy returns a view, so does gpukit (metadata only, no engine work): `expandDims squeeze flip
 * permuteDims broadcastTo broadcastArrays matrixTranspose`, and `reshape` when NumPy's no-copy rule allows.
 * The others build a new C-contiguous array: its memory is allocated, then each region of it is assigned
 * from an input view by the backend's storage primitive (`Backend.assign`: buffer copies where source and
 * region are contiguous, else the strided-copy kernel on Dawn; a loop of the host queue on gpujs), so both
 * engines run the same plan. Everything is validated (typed errors naming the op) before anything is
 * allocated. Mixed dtypes are refused (DTypeError) until type promotion lands.
 */
import { DeviceArray } from '../buffers/device-array.js';
import { hostData, type DType } from '../buffers/dtype.js';
import { broadcastLayout, broadcastShapes, normAxis, sizeOf, type SliceSpec } from '../buffers/strided.js';
import { checkNoExtra, checkOptions, describeValue } from '../args.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import { liveArray } from './check-array.js';
import { ALL_DTYPES, defineOp, type AxisSupport, type Checked, type DocCategory, type ToleranceClass } from './manifest.js';

// --- shared checks ---------------------------------------------------------------------------------------

/** A non-empty list of live arrays of one device and one dtype. */
function arrayList(op: string, arrays: unknown, what = 'arrays'): DeviceArray[] {
  if (!Array.isArray(arrays)) throw new ArgumentError(`${op}: ${what} must be a list of DeviceArrays, got ${describeValue(arrays)}`);
  if (arrays.length === 0) throw new ArgumentError(`${op}: ${what} must hold at least one array`);
  const list = arrays.map((a, i) => liveArray(op, `${what}[${i}]`, a));
  const first = list[0] as DeviceArray;
  for (const [i, a] of list.entries()) {
    if (a.backend !== first.backend) throw new ArgumentError(`${op}: ${what}[${i}] belongs to another device than ${what}[0]`);
    if (a.dtype !== first.dtype) {
      throw new DTypeError(`${op}: ${what}[${i}] is ${a.dtype} but ${what}[0] is ${first.dtype}: mixed dtypes are refused (no type promotion yet); astype(x, '${first.dtype}') first`);
    }
  }
  return list;
}

const integer = (v: unknown): string | undefined => (typeof v === 'number' && Number.isInteger(v) ? undefined : 'must be an integer');
const axisOrNull = (v: unknown): string | undefined => (v === null || (typeof v === 'number' && Number.isInteger(v)) ? undefined : 'must be an integer or null');
const axesOrNull = (v: unknown): string | undefined =>
  v === null || (typeof v === 'number' && Number.isInteger(v)) || (Array.isArray(v) && v.every((a) => typeof a === 'number' && Number.isInteger(a))) ? undefined : 'must be an integer, a list of integers or null';

/** Distinct normalised axes (negative count from the end); a repeated axis is an ArgumentError. */
function axesOf(op: string, axis: number | readonly number[], ndim: number): number[] {
  const list = (typeof axis === 'number' ? [axis] : axis).map((a) => normAxis(op, a, ndim));
  if (new Set(list).size !== list.length) throw new ArgumentError(`${op}: axis [${(axis as readonly number[]).join(', ')}] repeats an axis`);
  return list;
}

function shapeList(op: string, name: string, v: unknown, allowFree = false): number[] {
  if (!Array.isArray(v)) throw new ShapeError(`${op}: ${name} must be an array of lengths, got ${describeValue(v)}`);
  for (const d of v as unknown[]) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < (allowFree ? -1 : 0)) throw new ShapeError(`${op}: ${name} must hold non-negative integers${allowFree ? ' (or one -1)' : ''}, got ${describeValue(d)} in [${(v as unknown[]).map(String).join(', ')}]`);
  }
  return v as number[];
}

// --- views: no engine work ----------------------------------------------------------------------------------

/** A checked view op: the view to return, made from the checked input when the backend runs it. */
export interface ViewCall extends Checked {
  readonly make: () => DeviceArray | DeviceArray[];
}

const runView = (_: unknown, call: ViewCall): DeviceArray | DeviceArray[] => call.make();

/**
 * The ops of this file with an axis option: the others have none. Every op here takes every dtype (views and
 * assignment move elements bit for bit).
 */
const AXES: Readonly<Record<string, AxisSupport>> = { expandDims: 'one', squeeze: 'several', flip: 'several', concat: 'one', stack: 'one', roll: 'several' };

/** The dtypes and axis support `name` declares. */
function traits(name: string): { dtypes: readonly DType[]; axis?: AxisSupport } {
  const axis = AXES[name];
  return { dtypes: ALL_DTYPES, ...(axis !== undefined ? { axis } : {}) };
}

function viewOp<A extends unknown[]>(name: string, numpy: string, summary: string, check: (...args: A) => ViewCall, category: DocCategory = 'manipulation') {
  return defineOp<A, ViewCall, DeviceArray | DeviceArray[]>({ name, numpy, category, summary, tolerance: 'exact', ...traits(name), composite: true, check, dawn: runView, host: runView });
}

export const EXPAND_DIMS = viewOp('expandDims', 'numpy.expand_dims', 'a view with a new axis of extent 1 at `axis`', (x: unknown, options: unknown, extra: readonly unknown[]): ViewCall => {
  const a = liveArray('expandDims', 'x', x);
  const o = checkOptions('expandDims', options, { axis: integer });
  checkNoExtra('expandDims', extra, 'x and an options object ({ axis })');
  const axis = normAxis('expandDims', (o['axis'] as number | undefined) ?? 0, a.ndim + 1);
  return { backend: a.backend, make: () => a.expandDims(axis) };
});

/**
 * A view of `x` with a new axis of extent 1 at `axis` (default 0; negative counts from the end of the
 * result), as the standard's `expand_dims(x, axis=0)`. An axis outside [-ndim-1, ndim] is an ArgumentError.
 *
 * @example
 * ```ts
 * using col = expandDims(v, { axis: -1 }); // shape [n, 1]
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.expand_dims.html
 */
export function expandDims<D extends DType>(x: DeviceArray<D>, options?: { readonly axis?: number }, ...extra: []): DeviceArray<D> {
  return EXPAND_DIMS.call(x, options, extra) as DeviceArray<D>;
}

export const SQUEEZE = viewOp('squeeze', 'numpy.squeeze', 'a view without axes of extent 1 (all of them, or `axis`, which must have extent 1)', (x: unknown, options: unknown, extra: readonly unknown[]): ViewCall => {
  const a = liveArray('squeeze', 'x', x);
  const o = checkOptions('squeeze', options, { axis: axesOrNull });
  checkNoExtra('squeeze', extra, 'x and an options object ({ axis })');
  const axis = o['axis'] as number | readonly number[] | null | undefined;
  const list = axis === undefined || axis === null ? undefined : axesOf('squeeze', axis, a.ndim);
  for (const d of list ?? []) if (a.shape[d] !== 1) throw new ShapeError(`squeeze: axis ${d} has extent ${a.shape[d]}, not 1`);
  return { backend: a.backend, make: () => a.squeeze(list ?? null) };
});

/**
 * A view of `x` without its axes of extent 1: those listed in `axis` (each must have extent 1: else a
 * ShapeError, as the standard asks), or all of them without `axis` (NumPy's default).
 *
 * @example
 * ```ts
 * using v = squeeze(m, { axis: 0 }); // [1, n] → [n]
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.squeeze.html
 */
export function squeeze<D extends DType>(x: DeviceArray<D>, options?: { readonly axis?: number | readonly number[] | null }, ...extra: []): DeviceArray<D> {
  return SQUEEZE.call(x, options, extra) as DeviceArray<D>;
}

export const FLIP = viewOp('flip', 'numpy.flip', 'a view with the order of elements reversed along `axis` (all axes by default)', (x: unknown, options: unknown, extra: readonly unknown[]): ViewCall => {
  const a = liveArray('flip', 'x', x);
  const o = checkOptions('flip', options, { axis: axesOrNull });
  checkNoExtra('flip', extra, 'x and an options object ({ axis })');
  const axis = o['axis'] as number | readonly number[] | null | undefined;
  const list = new Set(axis === undefined || axis === null ? a.shape.map((_, d) => d) : axesOf('flip', axis, a.ndim));
  const specs: SliceSpec[] = a.shape.map((_, d) => (list.has(d) ? [null, null, -1] : null));
  return { backend: a.backend, make: () => a.slice(...specs) };
});

/**
 * A view of `x` with the order of its elements reversed along `axis` (an axis, a list of axes, or all axes
 * when absent or null), as the standard's `flip`: negative strides, no copy.
 *
 * @example
 * ```ts
 * using r = flip(m, { axis: 1 }); // each row reversed
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.flip.html
 */
export function flip<D extends DType>(x: DeviceArray<D>, options?: { readonly axis?: number | readonly number[] | null }, ...extra: []): DeviceArray<D> {
  return FLIP.call(x, options, extra) as DeviceArray<D>;
}

export const PERMUTE_DIMS = viewOp('permuteDims', 'numpy.transpose', 'a view with the axes permuted (`axes` lists each axis once)', (x: unknown, axes: unknown, extra: readonly unknown[]): ViewCall => {
  const a = liveArray('permuteDims', 'x', x);
  checkNoExtra('permuteDims', extra, 'x and axes');
  if (!Array.isArray(axes) || !axes.every((v) => typeof v === 'number' && Number.isInteger(v))) throw new ArgumentError(`permuteDims: axes must be a list of integers (a permutation of the ${a.ndim} axes), got ${describeValue(axes)}`);
  const list = axes as number[];
  if (list.length !== a.ndim) throw new ArgumentError(`permuteDims: axes [${list.join(', ')}] must list each of the ${a.ndim} axes once`);
  axesOf('permuteDims', list, a.ndim);
  return { backend: a.backend, make: () => a.transpose(list) };
});

/**
 * A view of `x` with its axes permuted: axis k of the result is axis `axes[k]` of x (the standard's
 * `permute_dims`, NumPy's `transpose(x, axes)`). `axes` must list each axis once (negative allowed).
 *
 * @example
 * ```ts
 * using t = permuteDims(x, [0, 2, 1]); // swap the last two axes of a 3-d array
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.transpose.html
 */
export function permuteDims<D extends DType>(x: DeviceArray<D>, axes: readonly number[], ...extra: []): DeviceArray<D> {
  return PERMUTE_DIMS.call(x, axes, extra) as DeviceArray<D>;
}

export const MATRIX_TRANSPOSE = viewOp(
  'matrixTranspose',
  'numpy.swapaxes',
  'a view with the last two axes swapped (`x.mT`; needs ndim ≥ 2)',
  (x: unknown, extra: readonly unknown[]): ViewCall => {
    const a = liveArray('matrixTranspose', 'x', x);
    checkNoExtra('matrixTranspose', extra, 'one argument (x)');
    if (a.ndim < 2) throw new ShapeError(`matrixTranspose: x must have at least 2 dimensions, got shape [${a.shape.join(', ')}]`);
    return { backend: a.backend, make: () => a.mT };
  },
  'linalg',
);

/**
 * The standard's `matrix_transpose` (NumPy's `swapaxes(x, -1, -2)`): a view of a stack of matrices with
 * each matrix transposed (the last two axes swapped), the same as `x.mT`. Fewer than 2 dimensions is a
 * ShapeError.
 *
 * @example
 * ```ts
 * using bt = matrixTranspose(batch); // [b, m, n] → [b, n, m]
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.swapaxes.html
 */
export function matrixTranspose<D extends DType>(x: DeviceArray<D>, ...extra: []): DeviceArray<D> {
  return MATRIX_TRANSPOSE.call(x, extra) as DeviceArray<D>;
}

export const BROADCAST_TO = viewOp('broadcastTo', 'numpy.broadcast_to', 'a read-only view of x broadcast to `shape`', (x: unknown, shape: unknown, extra: readonly unknown[]): ViewCall => {
  const a = liveArray('broadcastTo', 'x', x);
  checkNoExtra('broadcastTo', extra, 'x and a shape');
  const s = shapeList('broadcastTo', 'shape', shape);
  broadcastLayout('broadcastTo', a.layout, s);
  return { backend: a.backend, make: () => a.broadcastTo(s) };
});

/**
 * A read-only view of `x` broadcast to `shape` by NumPy's rules (stride 0 on new and stretched axes), as
 * the standard's `broadcast_to`. Shapes that do not broadcast are a ShapeError.
 *
 * @example
 * ```ts
 * using rows = broadcastTo(v, [4, v.size]);
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.broadcast_to.html
 */
export function broadcastTo<D extends DType>(x: DeviceArray<D>, shape: readonly number[], ...extra: []): DeviceArray<D> {
  return BROADCAST_TO.call(x, shape, extra) as DeviceArray<D>;
}

export const BROADCAST_ARRAYS = viewOp('broadcastArrays', 'numpy.broadcast_arrays', 'read-only views of the arrays broadcast to their common shape', (arrays: readonly unknown[]): ViewCall => {
  if (arrays.length === 0) throw new ArgumentError('broadcastArrays: needs at least one array');
  const list = arrays.map((a, i) => liveArray('broadcastArrays', `arrays[${i}]`, a));
  const first = list[0] as DeviceArray;
  for (const [i, a] of list.entries()) if (a.backend !== first.backend) throw new ArgumentError(`broadcastArrays: arrays[${i}] belongs to another device than arrays[0]`);
  const shape = broadcastShapes('broadcastArrays', ...list.map((a) => a.shape));
  return { backend: first.backend, make: () => list.map((a) => a.broadcastTo(shape)) };
});

/**
 * Read-only views of the arrays broadcast to their common shape (the standard's `broadcast_arrays`); the
 * arrays may have different dtypes. Shapes that do not broadcast are a ShapeError. Destroy each view.
 *
 * @example
 * ```ts
 * const [a2, b2] = broadcastArrays(col, row); // both [m, n]
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.broadcast_arrays.html
 */
export function broadcastArrays(...arrays: DeviceArray[]): DeviceArray[] {
  return BROADCAST_ARRAYS.call(arrays) as DeviceArray[];
}

export const RESHAPE = viewOp('reshape', 'numpy.reshape', 'the same elements in another shape (one dimension may be -1): a view where NumPy makes one, else a copy', (x: unknown, shape: unknown, options: unknown, extra: readonly unknown[]): ViewCall => {
  const a = liveArray('reshape', 'x', x);
  const dims = shapeList('reshape', 'shape', shape, true);
  const o = checkOptions('reshape', options, { copy: (v) => (v === null || typeof v === 'boolean' ? undefined : 'must be a boolean or null') });
  checkNoExtra('reshape', extra, 'x, a shape and an options object ({ copy })');
  const free = dims.filter((d) => d === -1).length;
  if (free > 1) throw new ShapeError(`reshape: at most one dimension may be -1, got [${dims.join(', ')}]`);
  const known = sizeOf(dims.filter((d) => d !== -1));
  const target = free === 1 ? dims.map((d) => (d === -1 ? (known === 0 ? -1 : a.size / known) : d)) : dims;
  if (target.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(target) !== a.size) {
    throw new ShapeError(`reshape: cannot reshape [${a.shape.join(', ')}] (${a.size} elements) to [${dims.join(', ')}]`);
  }
  const copy = o['copy'] as boolean | null | undefined;
  return {
    backend: a.backend,
    make: () => {
      const r = a.reshape(target);
      if (copy === false && !r.isView) {
        r.destroy();
        throw new ArgumentError(`reshape: { copy: false } but [${a.shape.join(', ')}] with strides [${a.strides.join(', ')}] cannot be viewed as [${target.join(', ')}] without a copy`);
      }
      if (copy === true && r.isView) {
        r.destroy();
        return copyAssembled(a, target);
      }
      return r;
    },
  };
});

/**
 * The same elements in another shape (the standard's `reshape(x, shape, copy=None)`; one dimension may be
 * -1, inferred): a view when NumPy's no-copy rule allows it, else a new contiguous copy. `{ copy: true }`
 * always copies; `{ copy: false }` throws ArgumentError where a copy would be needed.
 *
 * @example
 * ```ts
 * using m = reshape(v, [2, -1]);
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.reshape.html
 */
export function reshape<D extends DType>(x: DeviceArray<D>, shape: readonly number[], options?: { readonly copy?: boolean | null }, ...extra: []): DeviceArray<D> {
  return RESHAPE.call(x, shape, options, extra) as DeviceArray<D>;
}

// --- assembled: a new array, region by region -------------------------------------------------------------

/** A region of the result and the source assigned to it (same shape). */
type Piece = readonly [dst: (out: DeviceArray) => DeviceArray, src: () => DeviceArray];

/** A checked assembly: the result's shape and dtype, what fills it first, and the regions assigned from sources. */
export interface AssembleCall extends Checked {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** The value every element holds before the pieces (null: the pieces cover the result). */
  readonly fill: number | null;
  readonly pieces: readonly Piece[];
}

/** Runs an assembly (both engines: the backend's `assign` does the engine's work). */
function assemble(_: unknown, call: AssembleCall): DeviceArray {
  const { backend, dtype, shape, fill } = call;
  const out = new DeviceArray(backend, dtype, shape, undefined, fill === 0 ? 'zero' : 'overwrite');
  try {
    if (fill !== null && fill !== 0 && out.size > 0) {
      const c = new DeviceArray(backend, dtype, [], undefined, 'host');
      try {
        c.write([fill]);
        const all = c.broadcastTo(shape);
        backend.assign(out, all);
        all.destroy();
      } finally {
        c.destroy();
      }
    }
    for (const [dst, src] of call.pieces) {
      const d = dst(out);
      const s = src();
      try {
        if (d.size > 0) backend.assign(d, s);
      } finally {
        d.destroy();
        if (s !== d) s.destroy();
      }
    }
  } catch (e) {
    out.destroy();
    throw e;
  }
  return out;
}

function assembleOp<A extends unknown[]>(name: string, numpy: string, summary: string, check: (...args: A) => AssembleCall, category: DocCategory = 'manipulation', tolerance: ToleranceClass = 'exact') {
  return defineOp<A, AssembleCall, DeviceArray>({ name, numpy, category, summary, tolerance, ...traits(name), composite: true, check, dawn: assemble, host: assemble });
}

/** A view the piece reads (taken when the piece runs; destroyed after). */
const viewOfX = (x: DeviceArray, specs: readonly SliceSpec[]) => (): DeviceArray => x.slice(...specs);

/** A new contiguous copy of x in `shape` (same size). */
function copyAssembled<D extends DType>(x: DeviceArray<D>, shape: readonly number[]): DeviceArray<D> {
  return assemble(null, { backend: x.backend, dtype: x.dtype, shape, fill: null, pieces: [[(out) => out.reshape(x.shape), () => x.slice()]] }) as DeviceArray<D>;
}

export const CONCAT = assembleOp('concat', 'numpy.concatenate', 'joins arrays along an existing axis (axis null: flattened); a new array', (arrays: unknown, options: unknown, extra: readonly unknown[]): AssembleCall => {
  const list = arrayList('concat', arrays);
  const o = checkOptions('concat', options, { axis: axisOrNull });
  checkNoExtra('concat', extra, 'a list of arrays and an options object ({ axis })');
  const first = list[0] as DeviceArray;
  const given = o['axis'] as number | null | undefined;
  if (given === null) {
    let at = 0;
    const pieces = list.map((a): Piece => {
      const from = at;
      at += a.size;
      return [(out) => out.slice([from, from + a.size]).reshape(a.shape), () => a.slice()];
    });
    return { backend: first.backend, shape: [at], dtype: first.dtype, fill: null, pieces };
  }
  if (first.ndim === 0) throw new ShapeError('concat: zero-dimensional arrays cannot be concatenated (pass { axis: null } to flatten them)');
  const axis = normAxis('concat', given ?? 0, first.ndim);
  for (const [i, a] of list.entries()) {
    if (a.ndim !== first.ndim) throw new ShapeError(`concat: arrays[${i}] has ${a.ndim} dimensions but arrays[0] has ${first.ndim}`);
    a.shape.forEach((e, d) => {
      if (d !== axis && e !== first.shape[d]) throw new ShapeError(`concat: arrays[${i}] has shape [${a.shape.join(', ')}] but arrays[0] has [${first.shape.join(', ')}]: they may differ only along axis ${axis}`);
    });
  }
  let at = 0;
  const pieces = list.map((a): Piece => {
    const from = at;
    at += a.shape[axis] ?? 0;
    const specs: SliceSpec[] = a.shape.map((_, d) => (d === axis ? [from, from + (a.shape[axis] ?? 0)] : null));
    return [(out) => out.slice(...specs), () => a.slice()];
  });
  const shape = first.shape.map((e, d) => (d === axis ? at : e));
  return { backend: first.backend, shape, dtype: first.dtype, fill: null, pieces };
});

/**
 * Joins arrays along an existing axis (the standard's `concat`, NumPy's `concatenate`): the arrays have one
 * dtype (mixed dtypes are a DTypeError until type promotion lands), one number of dimensions and the same
 * extents except along `axis` (default 0; negative counts from the end); `{ axis: null }` concatenates
 * them flattened. Any layout is read in place. Returns a new C-contiguous array.
 *
 * @example
 * ```ts
 * using ab = concat([a, b], { axis: 1 });
 * using flat = concat([a, b], { axis: null });
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.concatenate.html
 */
export function concat<D extends DType>(arrays: readonly DeviceArray<D>[], options?: { readonly axis?: number | null }, ...extra: []): DeviceArray<D> {
  return CONCAT.call(arrays, options, extra) as DeviceArray<D>;
}

export const STACK = assembleOp('stack', 'numpy.stack', 'joins arrays of one shape along a new axis; a new array', (arrays: unknown, options: unknown, extra: readonly unknown[]): AssembleCall => {
  const list = arrayList('stack', arrays);
  const o = checkOptions('stack', options, { axis: integer });
  checkNoExtra('stack', extra, 'a list of arrays and an options object ({ axis })');
  const first = list[0] as DeviceArray;
  for (const [i, a] of list.entries()) {
    if (a.ndim !== first.ndim || a.shape.some((e, d) => e !== first.shape[d])) throw new ShapeError(`stack: arrays[${i}] has shape [${a.shape.join(', ')}] but arrays[0] has [${first.shape.join(', ')}]: stack needs one shape`);
  }
  const axis = normAxis('stack', (o['axis'] as number | undefined) ?? 0, first.ndim + 1);
  const shape = [...first.shape.slice(0, axis), list.length, ...first.shape.slice(axis)];
  const pieces = list.map((a, i): Piece => {
    const specs: SliceSpec[] = shape.map((_, d) => (d === axis ? i : null));
    return [(out) => out.slice(...specs), () => a.slice()];
  });
  return { backend: first.backend, shape, dtype: first.dtype, fill: null, pieces };
});

/**
 * Joins arrays of one shape and dtype along a new axis (the standard's `stack`): the result has a new axis
 * of extent `arrays.length` at `axis` (default 0; negative counts from the end of the result).
 *
 * @example
 * ```ts
 * using xy = stack([x, y], { axis: -1 }); // [..., 2]
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.stack.html
 */
export function stack<D extends DType>(arrays: readonly DeviceArray<D>[], options?: { readonly axis?: number }, ...extra: []): DeviceArray<D> {
  return STACK.call(arrays, options, extra) as DeviceArray<D>;
}

export const ROLL = assembleOp('roll', 'numpy.roll', 'shifts elements along axes, wrapping around (axis null: the flattened array); a new array', (x: unknown, shift: unknown, options: unknown, extra: readonly unknown[]): AssembleCall => {
  const a = liveArray('roll', 'x', x);
  const o = checkOptions('roll', options, { axis: axesOrNull });
  checkNoExtra('roll', extra, 'x, a shift and an options object ({ axis })');
  const shifts = typeof shift === 'number' ? [shift] : shift;
  if (!Array.isArray(shifts) || !shifts.every((s) => typeof s === 'number' && Number.isSafeInteger(s))) throw new ArgumentError(`roll: shift must be an integer or a list of integers, got ${describeValue(shift)}`);
  const axis = o['axis'] as number | readonly number[] | null | undefined;
  const ss = shifts as number[];
  if (axis === undefined || axis === null) {
    if (ss.length !== 1) throw new ArgumentError(`roll: without an axis shift must be one integer, got [${ss.join(', ')}]`);
    const n = a.size;
    const s = n === 0 ? 0 : (((ss[0] ?? 0) % n) + n) % n;
    // The flattened roll: out.flat[s:] = x.flat[:n-s], out.flat[:s] = x.flat[n-s:], through a C-order copy of x when x is not contiguous.
    const flat = (): DeviceArray => a.reshape([n]);
    const pieces: Piece[] = [
      [(out) => out.reshape([n]).slice([s, n]), () => withView(flat(), (f) => f.slice([0, n - s]))],
      [(out) => out.reshape([n]).slice([0, s]), () => withView(flat(), (f) => f.slice([n - s, n]))],
    ];
    return { backend: a.backend, shape: a.shape, dtype: a.dtype, fill: null, pieces };
  }
  const axes = (typeof axis === 'number' ? [axis] : [...axis]).map((d) => normAxis('roll', d, a.ndim));
  if (axes.length !== ss.length && ss.length !== 1 && axes.length !== 1) throw new ArgumentError(`roll: ${ss.length} shifts for ${axes.length} axes; give one shift, or one per axis`);
  const total = new Map<number, number>();
  const k = Math.max(axes.length, ss.length);
  for (let i = 0; i < k; i++) {
    const d = axes[axes.length === 1 ? 0 : i] ?? 0;
    total.set(d, (total.get(d) ?? 0) + (ss[ss.length === 1 ? 0 : i] ?? 0)); // NumPy adds the shifts of a repeated axis
  }
  // 2^k pieces: along each rolled axis, [0, n-s) moves to [s, n) and [n-s, n) to [0, s).
  let pieces: { dst: SliceSpec[]; src: SliceSpec[] }[] = [{ dst: a.shape.map(() => null), src: a.shape.map(() => null) }];
  for (const [d, sh] of total) {
    const n = a.shape[d] ?? 0;
    const s = n === 0 ? 0 : ((sh % n) + n) % n;
    if (s === 0) continue;
    pieces = pieces.flatMap((p) => [
      { dst: p.dst.map((v, e) => (e === d ? [s, n] : v)), src: p.src.map((v, e) => (e === d ? [0, n - s] : v)) },
      { dst: p.dst.map((v, e) => (e === d ? [0, s] : v)), src: p.src.map((v, e) => (e === d ? [n - s, n] : v)) },
    ]);
  }
  return { backend: a.backend, shape: a.shape, dtype: a.dtype, fill: null, pieces: pieces.map((p): Piece => [(out) => out.slice(...p.dst), viewOfX(a, p.src)]) };
});

/** `f(v)`, a view of v, with v destroyed and the view kept (a view stays valid while its base's memory lives). */
function withView(v: DeviceArray, f: (v: DeviceArray) => DeviceArray): DeviceArray {
  if (v.isView) {
    try {
      return f(v);
    } finally {
      v.destroy();
    }
  }
  // v owns a copy: the view must keep it alive, so the copy itself is sliced into a new owner.
  const r = f(v);
  const c = copyAssembled(r, r.shape);
  r.destroy();
  v.destroy();
  return c;
}

/**
 * Shifts elements along axes with wrap-around (the standard's `roll`): `shift` an integer or one per axis;
 * `axis` an axis or a list of axes (a repeated axis adds its shifts, as NumPy does); without an axis, the
 * flattened array is rolled and the shape kept. Returns a new array.
 *
 * @example
 * ```ts
 * using r = roll(x, 1, { axis: 0 });     // the last row first
 * using f = roll(x, -2);                 // flattened
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.roll.html
 */
export function roll<D extends DType>(x: DeviceArray<D>, shift: number | readonly number[], options?: { readonly axis?: number | readonly number[] | null }, ...extra: []): DeviceArray<D> {
  return ROLL.call(x, shift, options, extra) as DeviceArray<D>;
}

/** Options of {@link pad}. */
export interface PadOptions {
  /**
   * NumPy's mode: `'constant'` (the `constantValue`), `'edge'` (the edge values repeated), `'reflect'` (mirrored
   * without the edge), `'symmetric'` (mirrored with it) or `'wrap'` (from the other end). The last four pad by at
   * most the axis' extent per side (`reflect`: extent − 1); NumPy's repetition for wider pads is refused
   * (ArgumentError). @default 'constant'
   */
  readonly mode?: 'constant' | 'edge' | 'reflect' | 'symmetric' | 'wrap';
  /** The value of the padding; checked against x's dtype (an i32 array refuses 0.5). @default 0 */
  readonly constantValue?: number;
}

/** NumPy's pad_width: an int, (before, after), or one (before, after) per axis ((b, a),) broadcasting. */
function padWidths(width: unknown, ndim: number): [number, number][] {
  const bad = (): ArgumentError => new ArgumentError(`pad: padWidth must be a non-negative integer, [before, after], or one [before, after] per axis (${ndim}), got ${describeValue(width)}`);
  const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
  let pairs: unknown[][];
  if (isInt(width)) pairs = [[width, width]];
  else if (Array.isArray(width) && width.every(isInt)) {
    if (width.length === 1) pairs = [[width[0], width[0]]];
    else if (width.length === 2) pairs = [width];
    else throw bad();
  } else if (Array.isArray(width) && width.every((p) => Array.isArray(p))) pairs = width as unknown[][];
  else throw bad();
  if (pairs.length !== 1 && pairs.length !== ndim) throw new ShapeError(`pad: padWidth gives ${pairs.length} [before, after] pairs for an array of ${ndim} dimensions; give one, or one per axis`);
  const out = pairs.map((p) => {
    const q = p.length === 1 ? [p[0], p[0]] : p;
    if (q.length !== 2 || !q.every(isInt)) throw bad();
    if ((q[0] as number) < 0 || (q[1] as number) < 0) throw new ArgumentError(`pad: padWidth must not be negative, got [${q.join(', ')}]`);
    return [q[0], q[1]] as [number, number];
  });
  return Array.from({ length: ndim }, (_, d) => out[pairs.length === 1 ? 0 : d] ?? [0, 0]);
}

/** A checked pad: one assembly for mode 'constant', else one per padded axis, each from the previous result. */
export interface PadCall extends Checked {
  readonly run: () => DeviceArray;
}

type PadMode = 'constant' | 'edge' | 'reflect' | 'symmetric' | 'wrap';
const PAD_MODES: readonly PadMode[] = ['constant', 'edge', 'reflect', 'symmetric', 'wrap'];

/**
 * One axis of a non-constant pad: y padded by [b, a] along axis d (y's other axes already final). The
 * before and after regions read y's slices along d (NumPy's definitions for widths within the axis).
 */
function padAxis(y: DeviceArray, d: number, b: number, a: number, mode: Exclude<PadMode, 'constant'>): DeviceArray {
  const n = y.shape[d] ?? 0;
  const shape = y.shape.map((e, k) => (k === d ? e + b + a : e));
  const along = (spec: SliceSpec): SliceSpec[] => y.shape.map((_, k) => (k === d ? spec : null));
  const region = (lo: number, hi: number): SliceSpec[] => shape.map((_, k) => (k === d ? [lo, hi] : null));
  const source = (side: 'before' | 'after', w: number): (() => DeviceArray) => {
    const want = y.shape.map((e, k) => (k === d ? w : e));
    switch (mode) {
      case 'edge':
        return () => withView(y.slice(...along(side === 'before' ? [0, 1] : [n - 1, n])), (v) => v.broadcastTo(want));
      case 'wrap':
        return viewOfX(y, along(side === 'before' ? [n - w, n] : [0, w]));
      case 'reflect':
        return viewOfX(y, along(side === 'before' ? [w, 0, -1] : [n - 2, n - 2 - w < 0 ? null : n - 2 - w, -1]));
      case 'symmetric':
        return viewOfX(y, along(side === 'before' ? [w - 1, null, -1] : [n - 1, n - 1 - w < 0 ? null : n - 1 - w, -1]));
    }
  };
  const pieces: Piece[] = [[(out) => out.slice(...region(b, b + n)), () => y.slice()]];
  if (b > 0) pieces.push([(out) => out.slice(...region(0, b)), source('before', b)]);
  if (a > 0) pieces.push([(out) => out.slice(...region(b + n, b + n + a)), source('after', a)]);
  return assemble(null, { backend: y.backend, shape, dtype: y.dtype, fill: null, pieces });
}

export const PAD = defineOp({
  name: 'pad',
  numpy: 'numpy.pad',
  category: 'manipulation',
  summary: "pads an array (NumPy's modes constant, edge, reflect, symmetric, wrap); a new array",
  tolerance: 'exact',
  dtypes: ALL_DTYPES,
  composite: true,
  check: (x: unknown, padWidth: unknown, options: unknown, extra: readonly unknown[]): PadCall => {
    const a = liveArray('pad', 'x', x);
    const o = checkOptions('pad', options, { mode: PAD_MODES, constantValue: 'number' });
    checkNoExtra('pad', extra, 'x, padWidth and an options object ({ mode, constantValue })');
    const mode = (o['mode'] as PadMode | undefined) ?? 'constant';
    if (mode !== 'constant' && o['constantValue'] !== undefined) throw new ArgumentError(`pad: constantValue is an option of mode 'constant' only, not of '${mode}'`);
    const value = (o['constantValue'] as number | undefined) ?? 0;
    hostData('pad', a.dtype, [value]); // a value the dtype cannot hold is refused here, not wrapped
    const w = padWidths(padWidth, a.ndim);
    const shape = a.shape.map((e, d) => e + (w[d]?.[0] ?? 0) + (w[d]?.[1] ?? 0));
    if (!Number.isSafeInteger(sizeOf(shape))) throw new ShapeError(`pad: the padded shape [${shape.join(', ')}] has too many elements`);
    if (mode === 'constant') {
      const specs: SliceSpec[] = a.shape.map((e, d) => [w[d]?.[0] ?? 0, (w[d]?.[0] ?? 0) + e]);
      const call: AssembleCall = { backend: a.backend, shape, dtype: a.dtype, fill: value, pieces: [[(out) => out.slice(...specs), () => a.slice()]] };
      return { backend: a.backend, run: () => assemble(null, call) };
    }
    // Widths within the axis (NumPy repeats the reflection for wider ones: not implemented, refused).
    const most = mode === 'reflect' ? (n: number) => n - 1 : (n: number) => n;
    a.shape.forEach((n, d) => {
      const [b, af] = w[d] ?? [0, 0];
      if (b + af === 0) return;
      if (n === 0) throw new ShapeError(`pad: axis ${d} is empty: mode '${mode}' has nothing to extend it with (NumPy refuses it too); use mode 'constant'`);
      if (b > most(n) || af > most(n)) throw new ArgumentError(`pad: mode '${mode}' pads axis ${d} of extent ${n} by [${b}, ${af}]; gpukit pads by at most ${most(n)} per side in this mode (NumPy repeats the ${mode === 'wrap' ? 'wrap' : 'reflection'} for wider pads: not implemented)`);
    });
    return {
      backend: a.backend,
      run: () => {
        let y = a;
        try {
          for (let d = 0; d < a.ndim; d++) {
            const [b, af] = w[d] ?? [0, 0];
            if (b + af === 0) continue;
            const next = padAxis(y, d, b, af, mode);
            if (y !== a) y.destroy();
            y = next;
          }
        } catch (e) {
          if (y !== a) y.destroy();
          throw e;
        }
        return y === a ? copyAssembled(a, a.shape) : y;
      },
    };
  },
  dawn: (_: unknown, call: PadCall) => call.run(),
  host: (_: unknown, call: PadCall) => call.run(),
});

/**
 * Pads an array (NumPy's `pad(x, pad_width, mode='constant', constant_values=c)`, and its modes `edge`,
 * `reflect`, `symmetric`, `wrap`: see {@link PadOptions}): `padWidth` is an integer (every side of every
 * axis), `[before, after]` (every axis), or one `[before, after]` per axis. The constant is checked against
 * x's dtype. Returns a new array.
 *
 * @example
 * ```ts
 * using p = pad(img, [[1, 1], [2, 2]]);                 // a border of zeros
 * using q = pad(v, 3, { constantValue: -1 });
 * using r = pad(img, 2, { mode: 'reflect' });
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.pad.html
 */
export function pad<D extends DType>(x: DeviceArray<D>, padWidth: number | readonly number[] | readonly (readonly number[])[], options?: PadOptions, ...extra: []): DeviceArray<D> {
  return PAD.call(x, padWidth, options, extra) as DeviceArray<D>;
}

// --- creation from arrays ---------------------------------------------------------------------------------

function triangle(op: 'tril' | 'triu') {
  return (x: unknown, options: unknown, extra: readonly unknown[]): AssembleCall => {
    const a = liveArray(op, 'x', x);
    const o = checkOptions(op, options, { k: integer });
    checkNoExtra(op, extra, 'x and an options object ({ k })');
    if (a.ndim < 2) throw new ShapeError(`${op}: x must have at least 2 dimensions (a stack of matrices), got shape [${a.shape.join(', ')}]`);
    const k = (o['k'] as number | undefined) ?? 0;
    const m = a.shape[a.ndim - 2] ?? 0;
    const n = a.shape[a.ndim - 1] ?? 0;
    const lead: SliceSpec[] = a.shape.slice(0, -2).map(() => null);
    // Rows kept whole form one block; each other row keeps a run of columns: at most min(m, n) + 1 pieces.
    const pieces: Piece[] = [];
    const add = (rows: [number, number], cols: [number, number]): void => {
      if (rows[1] <= rows[0] || cols[1] <= cols[0]) return;
      const specs: SliceSpec[] = [...lead, rows, cols];
      pieces.push([(out) => out.slice(...specs), viewOfX(a, specs)]);
    };
    const clamp = (v: number, hi: number): number => Math.min(hi, Math.max(0, v));
    if (op === 'tril') {
      // Row i keeps columns [0, i + k + 1): whole from row n - k - 1 on.
      const full = clamp(n - k - 1, m);
      for (let i = clamp(-k, m); i < full; i++) add([i, i + 1], [0, clamp(i + k + 1, n)]);
      add([full, m], [0, n]);
    } else {
      // Row i keeps columns [i + k, n): whole up to row -k.
      const full = clamp(-k + 1, m);
      add([0, full], [0, n]);
      for (let i = full; i < m && i + k < n; i++) add([i, i + 1], [clamp(i + k, n), n]);
    }
    return { backend: a.backend, shape: a.shape, dtype: a.dtype, fill: 0, pieces };
  };
}

export const TRIL = assembleOp('tril', 'numpy.tril', 'the lower triangle of each matrix (last two axes) at and below diagonal k; zeros elsewhere', triangle('tril'), 'creation');
export const TRIU = assembleOp('triu', 'numpy.triu', 'the upper triangle of each matrix (last two axes) at and above diagonal k; zeros elsewhere', triangle('triu'), 'creation');

/**
 * The lower triangle of a matrix, or of each matrix of a stack (the last two axes): elements at and below
 * diagonal `k` (0 the main one, > 0 above it, < 0 below it) kept, the others zero (the standard's `tril`).
 * Fewer than 2 dimensions is a ShapeError. Returns a new array.
 *
 * @example
 * ```ts
 * using causal = tril(scores);            // attention's causal mask
 * using strict = tril(m, { k: -1 });
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.tril.html
 */
export function tril<D extends DType>(x: DeviceArray<D>, options?: { readonly k?: number }, ...extra: []): DeviceArray<D> {
  return TRIL.call(x, options, extra) as DeviceArray<D>;
}

/**
 * The upper triangle of a matrix or of each matrix of a stack: elements at and above diagonal `k` kept,
 * the others zero (the standard's `triu`). See {@link tril}.
 *
 * @example
 * ```ts
 * using u = triu(m, { k: 1 }); // strictly upper
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.triu.html
 */
export function triu<D extends DType>(x: DeviceArray<D>, options?: { readonly k?: number }, ...extra: []): DeviceArray<D> {
  return TRIU.call(x, options, extra) as DeviceArray<D>;
}

function likeCheck(op: string, kind: 'zeros' | 'ones' | 'full' | 'empty') {
  return (x: unknown, value: unknown, options: unknown, extra: readonly unknown[]): AssembleCall => {
    const a = liveArray(op, 'x', x);
    const o = checkOptions(op, options, { dtype: ['f32', 'i32', 'u32', 'f16', 'bool'] });
    checkNoExtra(op, extra, kind === 'full' ? 'x, a fill value and an options object ({ dtype })' : 'x and an options object ({ dtype })');
    const dtype = (o['dtype'] as DType | undefined) ?? a.dtype;
    a.backend.checkDType(dtype);
    let fill = kind === 'ones' ? 1 : 0;
    if (kind === 'full') {
      if (typeof value !== 'number' && typeof value !== 'boolean') throw new ArgumentError(`${op}: fillValue must be a number (or a boolean, for a bool result), got ${describeValue(value)}`);
      // Refused where the dtype cannot hold it, as full() does (a boolean: bool only); bool is stored as 0/1.
      fill = hostData(op, dtype, [value])[0] ?? 0;
      if (typeof value === 'number' && dtype !== 'bool') fill = value;
    }
    return { backend: a.backend, shape: a.shape, dtype, fill, pieces: [] };
  };
}

const FULL_LIKE_CHECK = likeCheck('fullLike', 'full');
const noValue = (op: string, kind: 'zeros' | 'ones' | 'empty') => {
  const c = likeCheck(op, kind);
  return (x: unknown, options: unknown, extra: readonly unknown[]): AssembleCall => c(x, undefined, options, extra);
};

export const ZEROS_LIKE = assembleOp('zerosLike', 'numpy.zeros_like', "a new array of zeros with x's shape (and dtype, unless given)", noValue('zerosLike', 'zeros'), 'creation');
export const ONES_LIKE = assembleOp('onesLike', 'numpy.ones_like', "a new array of ones with x's shape (and dtype, unless given)", noValue('onesLike', 'ones'), 'creation');
export const EMPTY_LIKE = assembleOp('emptyLike', 'numpy.empty_like', "a new array with x's shape (and dtype, unless given); it reads as zeros", noValue('emptyLike', 'empty'), 'creation');
export const FULL_LIKE = assembleOp('fullLike', 'numpy.full_like', "a new array of `fillValue` with x's shape (and dtype, unless given)", FULL_LIKE_CHECK, 'creation');

/**
 * A new array of zeros with x's shape, and x's dtype unless `{ dtype }` (the standard's `zeros_like`).
 *
 * @example
 * ```ts
 * using z = zerosLike(x, { dtype: 'i32' });
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.zeros_like.html
 */
export function zerosLike<D extends DType = DType>(x: DeviceArray, options?: { readonly dtype?: D }, ...extra: []): DeviceArray<D> {
  return ZEROS_LIKE.call(x, options, extra) as DeviceArray<D>;
}

/**
 * A new array of ones with x's shape, and x's dtype unless `{ dtype }` (the standard's `ones_like`).
 *
 * @example
 * ```ts
 * using o = onesLike(x);
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.ones_like.html
 */
export function onesLike<D extends DType = DType>(x: DeviceArray, options?: { readonly dtype?: D }, ...extra: []): DeviceArray<D> {
  return ONES_LIKE.call(x, options, extra) as DeviceArray<D>;
}

/**
 * A new array with x's shape, and x's dtype unless `{ dtype }` (the standard's `empty_like`); as
 * `device.empty`, it reads as zeros (gpukit never hands out stale memory).
 *
 * @example
 * ```ts
 * using out = emptyLike(x);
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.empty_like.html
 */
export function emptyLike<D extends DType = DType>(x: DeviceArray, options?: { readonly dtype?: D }, ...extra: []): DeviceArray<D> {
  return EMPTY_LIKE.call(x, options, extra) as DeviceArray<D>;
}

/**
 * A new array of `fillValue` with x's shape, and x's dtype unless `{ dtype }` (the standard's `full_like`).
 * The value is checked against the dtype (an i32 result refuses 0.5: DTypeError); a boolean fills a bool
 * result (`fullLike(mask, true)`), and any other dtype refuses it.
 *
 * @example
 * ```ts
 * using m = fullLike(x, -Infinity);
 * using all = fullLike(mask, true); // mask: a bool array
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.full_like.html
 */
export function fullLike<D extends DType = DType>(x: DeviceArray, fillValue: number | boolean, options?: { readonly dtype?: D }, ...extra: []): DeviceArray<D> {
  return FULL_LIKE.call(x, fillValue, options, extra) as DeviceArray<D>;
}

/** A checked meshgrid: one assembly per output. */
export interface MeshgridCall extends Checked {
  readonly grids: readonly AssembleCall[];
}

export const MESHGRID = defineOp<[readonly unknown[]], MeshgridCall, DeviceArray[]>({
  name: 'meshgrid',
  numpy: 'numpy.meshgrid',
  category: 'creation',
  summary: "coordinate matrices from 1-d arrays (indexing 'xy', the default, or 'ij'); new arrays",
  tolerance: 'exact',
  dtypes: ALL_DTYPES,
  composite: true,
  check: (args: readonly unknown[]): MeshgridCall => {
    const last = args[args.length - 1];
    const hasOptions = args.length > 0 && typeof last === 'object' && last !== null && !(last instanceof DeviceArray) && !Array.isArray(last);
    const o = checkOptions('meshgrid', hasOptions ? last : undefined, { indexing: ['xy', 'ij'] });
    const xs = hasOptions ? args.slice(0, -1) : args;
    if (xs.length === 0) throw new ArgumentError('meshgrid: needs at least one 1-d array');
    const list = arrayList('meshgrid', xs);
    for (const [i, a] of list.entries()) if (a.ndim !== 1) throw new ShapeError(`meshgrid: arrays[${i}] has shape [${a.shape.join(', ')}]; meshgrid takes 1-d arrays`);
    const xy = (o['indexing'] ?? 'xy') === 'xy' && list.length >= 2;
    // 'xy' swaps the first two axes of the result (Cartesian indexing).
    const axisOf = (i: number): number => (xy && i < 2 ? 1 - i : i);
    const shape = list.map((_, d) => list[axisOf(d)]?.size ?? 0);
    const grids = list.map((a, i): AssembleCall => {
      const at = axisOf(i);
      const along = shape.map((e, d) => (d === at ? e : 1));
      return { backend: a.backend, shape, dtype: a.dtype, fill: null, pieces: [[(out) => out.slice(), () => withView(a.reshape(along), (v) => v.broadcastTo(shape))]] };
    });
    return { backend: (list[0] as DeviceArray).backend, grids };
  },
  dawn: (ctx, call) => call.grids.map((g) => assemble(ctx, g)),
  host: (ctx, call) => call.grids.map((g) => assemble(ctx, g)),
});

/**
 * Coordinate matrices from 1-d coordinate arrays (the standard's `meshgrid(*arrays, indexing='xy')`):
 * for N arrays of lengths n1…nN, N new arrays of shape (n2, n1, n3…) with `'xy'` (the default: Cartesian)
 * or (n1, n2, n3…) with `{ indexing: 'ij' }` (matrix). One dtype for all (mixed: DTypeError).
 *
 * @example
 * ```ts
 * const [X, Y] = meshgrid(xs, ys);                         // shape [ys.size, xs.size]
 * const [I, J] = meshgrid(is, js, { indexing: 'ij' });
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.meshgrid.html
 */
export function meshgrid(...args: (DeviceArray | { readonly indexing?: 'xy' | 'ij' })[]): DeviceArray[] {
  // No arrays at all: NumPy's meshgrid() returns an empty list (the options are still checked).
  if (args.length === 0 || (args.length === 1 && !(args[0] instanceof DeviceArray) && typeof args[0] === 'object' && !Array.isArray(args[0]))) {
    checkOptions('meshgrid', args[0], { indexing: ['xy', 'ij'] });
    return [];
  }
  return MESHGRID.call(args);
}
