/**
 * Shape and stride arithmetic of n-d views, shared by both engines (no device here): C-order strides,
 * NumPy's broadcasting rule, its no-copy reshape test, slicing with negative steps, and the odometer that
 * maps a view's flat index to its element in storage. Strides and offsets count elements, not bytes, and
 * may be 0 (broadcast) or negative (reversed slices).
 */
import { describeValue } from '../args.js';
import { ArgumentError, IndexError, ShapeError } from '../errors.js';

/** The most dimensions a view may have (kernels carry shapes in two vec4 uniforms). */
export const MAX_RANK = 8;

/** A view's layout: where its elements lie in its storage. */
export interface Layout {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

/** Row-major (C-order) strides of a shape, in elements. */
export function cStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= Math.max(1, shape[d] ?? 1);
  }
  return strides;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** True when the view's elements are consecutive in storage, in C order (extent-1 axes ignored). */
export function isCContiguous(l: Layout): boolean {
  if (sizeOf(l.shape) <= 1) return true;
  let expect = 1;
  for (let d = l.shape.length - 1; d >= 0; d--) {
    const e = l.shape[d] ?? 1;
    if (e === 1) continue;
    if (l.strides[d] !== expect) return false;
    expect *= e;
  }
  return true;
}

/** True when no two positions of the view share a storage element (no stride-0 axis of extent > 1). */
export function isWritable(l: Layout): boolean {
  return l.shape.every((e, d) => e <= 1 || l.strides[d] !== 0);
}

/** The lowest and highest storage element the view touches ([offset, offset - 1] when it is empty). */
export function span(l: Layout): { lo: number; hi: number } {
  let lo = l.offset;
  let hi = l.offset;
  if (sizeOf(l.shape) === 0) return { lo, hi: lo - 1 };
  l.shape.forEach((e, d) => {
    const s = l.strides[d] ?? 0;
    if (s > 0) hi += s * (e - 1);
    else lo += s * (e - 1);
  });
  return { lo, hi };
}

/**
 * Bounds on the storage elements that flat indices [a, b) of the view (C order) touch: the axes before the
 * first one on which a and b − 1 differ are fixed, that axis runs between their coordinates, the later axes
 * over their whole extent ([offset, offset - 1] for an empty range). For the whole view it is {@link span}.
 */
export function rangeSpan(l: Layout, a: number, b: number): { lo: number; hi: number } {
  if (b <= a) return { lo: l.offset, hi: l.offset - 1 };
  const nd = l.shape.length;
  const coords = (i: number): number[] => {
    const c = new Array<number>(nd).fill(0);
    for (let d = nd - 1; d >= 0; d--) {
      const e = l.shape[d] ?? 1;
      c[d] = i % e;
      i = Math.floor(i / e);
    }
    return c;
  };
  const ca = coords(a);
  const cb = coords(b - 1);
  let lo = l.offset;
  let hi = l.offset;
  let free = false;
  for (let d = 0; d < nd; d++) {
    const s = l.strides[d] ?? 0;
    const from = free ? 0 : (ca[d] ?? 0);
    const to = free ? (l.shape[d] ?? 1) - 1 : (cb[d] ?? 0);
    lo += s * (s > 0 ? from : to);
    hi += s * (s > 0 ? to : from);
    if (from !== to) free = true;
  }
  return { lo, hi };
}

/** Normalises an axis (negative counts from the end) against `ndim`, or throws ArgumentError. */
export function normAxis(op: string, axis: number, ndim: number): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis)) throw new ArgumentError(`${op}: an axis must be an integer, got ${describeValue(axis)}`);
  if (axis < -ndim || axis >= ndim) {
    throw new ArgumentError(`${op}: axis ${String(axis)} is out of range for an array of ${ndim} dimension${ndim === 1 ? '' : 's'}`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/** NumPy's broadcasting rule: align on the right; each pair equal or one of them 1 (1 against 0 gives 0). */
export function broadcastShapes(op: string, ...shapes: (readonly number[])[]): number[] {
  const ndim = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(ndim).fill(1);
  for (let d = 0; d < ndim; d++) {
    for (const s of shapes) {
      const e = s[s.length - ndim + d] ?? 1;
      const o = out[d] ?? 1;
      if (e === o || e === 1) continue;
      if (o === 1) out[d] = e;
      else throw new ShapeError(`${op}: shapes ${shapes.map((x) => `[${x.join(', ')}]`).join(' and ')} cannot be broadcast together (axis ${d - ndim}: ${o} vs ${e})`);
    }
  }
  return out;
}

/** The layout of `l` broadcast to `shape` (stride 0 on new and stretched axes), or ShapeError. */
export function broadcastLayout(op: string, l: Layout, shape: readonly number[]): Layout {
  if (shape.length < l.shape.length) throw new ShapeError(`${op}: cannot broadcast [${l.shape.join(', ')}] to fewer dimensions [${shape.join(', ')}]`);
  const lead = shape.length - l.shape.length;
  const strides = shape.map((e, d) => {
    if (d < lead) return 0;
    const own = l.shape[d - lead] ?? 1;
    if (own === e) return l.strides[d - lead] ?? 0;
    if (own === 1) return 0;
    throw new ShapeError(`${op}: cannot broadcast [${l.shape.join(', ')}] to [${shape.join(', ')}] (axis ${d}: ${own} vs ${e})`);
  });
  return { shape: [...shape], strides, offset: l.offset };
}

/**
 * A reshape that keeps the data where it is, when NumPy's no-copy rule allows it (runs of axes that are
 * contiguous with each other can be split or merged; extent-1 axes are free), else undefined.
 */
export function reshapeLayout(l: Layout, shape: readonly number[]): Layout | undefined {
  if (sizeOf(l.shape) === 0 || isCContiguous(l)) return { shape: [...shape], strides: cStrides(shape), offset: l.offset };
  // Drop extent-1 axes, then match groups of old axes with groups of new axes of equal size.
  const old = l.shape.map((e, d) => ({ e, s: l.strides[d] ?? 0 })).filter((a) => a.e !== 1);
  const out = new Array<number>(shape.length).fill(0);
  let oi = 0;
  let ni = 0;
  while (ni < shape.length || oi < old.length) {
    if (ni < shape.length && shape[ni] === 1) {
      out[ni++] = 0;
      continue;
    }
    if (oi >= old.length || ni >= shape.length) return undefined;
    let np = shape[ni] ?? 1;
    let op = old[oi]?.e ?? 1;
    const n0 = ni;
    const o0 = oi;
    while (np !== op) {
      if (np < op) np *= shape[++ni] ?? 1;
      else op *= old[++oi]?.e ?? 1;
      if (ni >= shape.length || oi >= old.length) return undefined;
    }
    // The old axes o0..oi must be contiguous with each other to be viewed as one run.
    for (let k = o0; k < oi; k++) {
      const a = old[k];
      const b = old[k + 1];
      if (a === undefined || b === undefined || a.s !== b.s * b.e) return undefined;
    }
    let stride = old[oi]?.s ?? 0;
    for (let k = ni; k >= n0; k--) {
      out[k] = stride;
      stride *= shape[k] ?? 1;
    }
    ni++;
    oi++;
  }
  return { shape: [...shape], strides: out, offset: l.offset };
}

/**
 * One entry of an index (NumPy's `x[...]`): an integer (drops the axis; negative counts from the end),
 * `[start, stop, step]` (NumPy's `start:stop:step`; any may be null or left out), `null` (the whole axis, `:`),
 * `'...'` (an ellipsis: as many whole axes as the other entries leave) or `'newaxis'` (NumPy's `None` /
 * `np.newaxis`: a new axis of extent 1; JS's null already stands for `:`).
 */
export type SliceSpec = number | null | readonly [(number | null)?, (number | null)?, (number | null)?] | '...' | 'newaxis';

/** NumPy's `np.newaxis` in an index: a new axis of extent 1 (`x.slice(newaxis, null)` is `x[None, :]`). */
export const newaxis = 'newaxis';
/** NumPy's `...` in an index (`x.slice(ellipsis, 0)` is `x[..., 0]`). */
export const ellipsis = '...';

/** NumPy's slice bounds for one axis of extent `n`: negative values count from the end, out-of-range bounds clamp. */
export function sliceBounds(op: string, spec: readonly [(number | null)?, (number | null)?, (number | null)?], n: number): { start: number; step: number; count: number } {
  const step = spec[2] ?? 1;
  if (!Number.isInteger(step) || step === 0) throw new ArgumentError(`${op}: a slice step must be a non-zero integer, got ${String(step)}`);
  for (const v of [spec[0], spec[1]]) {
    if (v !== undefined && v !== null && !Number.isInteger(v)) throw new ArgumentError(`${op}: slice bounds must be integers or null, got ${String(v)}`);
  }
  const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
  const norm = (v: number | null | undefined, dflt: number, lo: number, hi: number): number => (v === null || v === undefined ? dflt : clamp(v < 0 ? v + n : v, lo, hi));
  let start: number;
  let stop: number;
  if (step > 0) {
    start = norm(spec[0], 0, 0, n);
    stop = norm(spec[1], n, 0, n);
  } else {
    start = norm(spec[0], n - 1, -1, n - 1);
    stop = norm(spec[1], -1, -1, n - 1);
  }
  const count = step > 0 ? Math.max(0, Math.ceil((stop - start) / step)) : Math.max(0, Math.ceil((start - stop) / -step));
  return { start, step, count };
}

/**
 * The view `l[specs...]` (missing trailing specs take whole axes; see {@link SliceSpec}). An index out of
 * range is an IndexError; a malformed spec, or more indexing entries than axes, an ArgumentError.
 */
export function sliceLayout(op: string, l: Layout, specs: readonly SliceSpec[]): Layout {
  const nd = l.shape.length;
  const ellipses = specs.filter((s) => s === '...').length;
  if (ellipses > 1) throw new ArgumentError(`${op}: an index may hold at most one ellipsis ('...'), got ${ellipses}`);
  const consuming = specs.filter((s) => s !== '...' && s !== 'newaxis').length;
  if (consuming > nd) throw new IndexError(`${op}: ${consuming} slice specs for an array of ${nd} dimensions`);
  const full: SliceSpec[] = ellipses === 0 ? [...specs] : specs.flatMap((s) => (s === '...' ? new Array<SliceSpec>(nd - consuming).fill(null) : [s]));
  let offset = l.offset;
  const shape: number[] = [];
  const strides: number[] = [];
  let d = 0;
  for (const spec of [...full, ...new Array<SliceSpec>(Math.max(0, nd - consuming)).fill(null).slice(ellipses === 0 ? 0 : nd)]) {
    if (spec === 'newaxis') {
      shape.push(1);
      strides.push(0);
      continue;
    }
    const n = l.shape[d] ?? 1;
    const s = l.strides[d] ?? 0;
    if (typeof spec === 'number') {
      if (!Number.isInteger(spec)) throw new ArgumentError(`${op}: axis ${d}: an index must be an integer, got ${String(spec)}`);
      if (spec < -n || spec >= n) throw new IndexError(`${op}: index ${String(spec)} is out of range for axis ${d} of extent ${n}`);
      offset += (spec < 0 ? spec + n : spec) * s;
      d++;
      continue;
    }
    if (spec !== null && (spec === '...' || !Array.isArray(spec))) throw new ArgumentError(`${op}: axis ${d}: an index entry is an integer, null, [start, stop, step], '...' or 'newaxis', got ${describeValue(spec)}`);
    if (spec !== null && spec.length > 3) throw new ArgumentError(`${op}: axis ${d}: a slice spec is [start, stop, step], got ${spec.length} elements [${spec.join(', ')}]`);
    const b = sliceBounds(op, spec ?? [], n);
    if (b.count > 0) offset += b.start * s;
    shape.push(b.count);
    strides.push(b.step * s);
    d++;
  }
  if (shape.length > MAX_RANK) throw new ArgumentError(`${op}: the result would have ${shape.length} dimensions; at most ${MAX_RANK}`);
  return { shape, strides, offset };
}

/** Moves axes: the view with `axes[k]` as its axis k (a permutation of 0..ndim-1; negative axes allowed). */
export function permuteLayout(op: string, l: Layout, axes: readonly number[]): Layout {
  const nd = l.shape.length;
  if (axes.length !== nd) throw new ArgumentError(`${op}: axes [${axes.join(', ')}] must list each of the ${nd} axes once`);
  const norm = axes.map((a) => normAxis(op, a, nd));
  if (new Set(norm).size !== nd) throw new ArgumentError(`${op}: axes [${axes.join(', ')}] repeat an axis`);
  return { shape: norm.map((a) => l.shape[a] ?? 1), strides: norm.map((a) => l.strides[a] ?? 0), offset: l.offset };
}

/** Storage index of each element of the view, in C order (the odometer; for host gathers and tests). */
export function storageIndices(l: Layout): Float64Array {
  const n = sizeOf(l.shape);
  const out = new Float64Array(n);
  const nd = l.shape.length;
  const idx = new Array<number>(nd).fill(0);
  let off = l.offset;
  for (let i = 0; i < n; i++) {
    out[i] = off;
    for (let d = nd - 1; d >= 0; d--) {
      const s = l.strides[d] ?? 0;
      if ((idx[d] = (idx[d] ?? 0) + 1) < (l.shape[d] ?? 1)) {
        off += s;
        break;
      }
      off -= s * ((l.shape[d] ?? 1) - 1);
      idx[d] = 0;
    }
  }
  return out;
}
