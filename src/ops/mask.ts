/**
 * Data-dependent indexing: `nonzero(x)` and boolean-mask indexing `booleanIndex(x, mask)` (NumPy's
 * `x[mask]`). Their result's length is the number of true elements, known only once the device has counted
 * them, so both return a Promise: the counting and the compaction stay on the device, and one small readback
 * (one element) sizes the result.
 *
 * The plan, on both engines, through existing ops: flags = (x != 0) as u32 0/1; pos = exclusive scan of the
 * flags (scan.ts); count = pos[n-1] + flags[n-1] (summed on the device, then the one readback); then for each output, the coordinates of
 * the flagged elements are scattered to their positions (scatterAdd of where(flags, coordinate, 0) into
 * count + 1 zeros: an unflagged element adds 0 at a position at most count) — integers, so exact. Mask
 * indexing then gathers the selected elements (take along the flattened leading axes), so values move bit
 * for bit (-0, NaN payloads). Masks are u32 (as comparisons return; any non-zero value is true); a `bool`
 * dtype slots in where `MASK_DTYPES` lists the mask dtypes.
 */
import { DeviceArray } from '../buffers/device-array.js';
import type { DType } from '../buffers/dtype.js';
import { checkNoExtra } from '../args.js';
import { DTypeError, ShapeError } from '../errors.js';
import { liveArray } from './check-array.js';
import { defineOp, type Checked } from './manifest.js';
import { add, astype, notEqual, where } from './math.js';
import { scan } from './scan.js';
import { scatterAdd, take, TAKE_TYPES } from './indexing.js';
import { copy } from './copy.js';

/** Dtypes a boolean mask may have (u32 0/1 today; the bool dtype joins this list). */
const MASK_DTYPES: readonly string[] = ['bool', 'u32'];

/** Dtypes `nonzero` takes: those `notEqual` compares. */
const NONZERO_DTYPES: readonly DType[] = ['bool', 'f32', 'i32', 'u32'];

/** Destroys the arrays whatever happens in `f`. */
async function using<R>(temps: DeviceArray[], f: () => Promise<R>): Promise<R> {
  try {
    return await f();
  } finally {
    for (const t of temps) t.destroy();
  }
}

/**
 * For the n elements of `x` (C order), the number that are non-zero and, for each requested coordinate
 * grid (an i32 array broadcastable to x's shape), the grid's values at the non-zero elements, in C order:
 * new plain i32 arrays of that length.
 */
async function compact(x: DeviceArray, grids: readonly (() => Grid)[]): Promise<{ count: number; picked: DeviceArray<'i32'>[] }> {
  const n = x.size;
  const backend = x.backend;
  const temps: DeviceArray[] = [];
  return using(temps, async () => {
    if (n === 0) return { count: 0, picked: grids.map(() => new DeviceArray(backend, 'i32', [0])) };
    const zero = new DeviceArray(backend, x.dtype, [], undefined, 'zero');
    temps.push(zero);
    const truth = notEqual(x, zero);
    temps.push(truth);
    // Comparisons give bool; the scan and scatter below count in u32.
    const flags = astype(truth, 'u32');
    temps.push(flags);
    const flat = flags.reshape([n]);
    temps.push(flat);
    const pos = scan(flat, { exclusive: true });
    temps.push(pos);
    const lastPos = pos.slice(n - 1);
    const lastFlag = flat.slice(n - 1);
    temps.push(lastPos, lastFlag);
    // Summed on the device (both u32, the sum at most n < 2^31), so the count is one readback, not two.
    const total = add(lastPos, lastFlag);
    temps.push(total);
    const count = await total.item();
    const none = new DeviceArray(backend, 'i32', [], undefined, 'zero');
    temps.push(none);
    const picked = grids.map((grid): DeviceArray<'i32'> => {
      const g = grid();
      let vals: DeviceArray;
      try {
        vals = where(flags, g.view, none);
      } finally {
        g.view.destroy();
        g.base.destroy();
      }
      const out = new DeviceArray(backend, 'i32', [count + 1], undefined, 'zero');
      try {
        const v = vals.reshape([n]);
        try {
          scatterAdd(out, pos, v);
        } finally {
          v.destroy();
          vals.destroy();
        }
        const head = out.slice([0, count]);
        try {
          return copy(head);
        } finally {
          head.destroy();
        }
      } finally {
        out.destroy();
      }
    });
    return { count, picked };
  });
}

/** A read-only i32 view and the array that owns its memory (destroyed together). */
interface Grid {
  readonly view: DeviceArray;
  readonly base: DeviceArray;
}

/** An i32 array of 0 … extent − 1 laid along `axis` of `shape` (a broadcast view of a small array). */
function coordinates(backend: DeviceArray['backend'], shape: readonly number[], axis: number): Grid {
  const e = shape[axis] ?? 1;
  const base = new DeviceArray(backend, 'i32', [e], undefined, 'host');
  base.write(Int32Array.from({ length: e }, (_, i) => i));
  const along = shape.map((s, d) => (d === axis ? s : 1));
  const v = base.reshape(along);
  try {
    return { view: v.broadcastTo(shape), base };
  } finally {
    v.destroy();
  }
}

/** A checked nonzero / booleanIndex call. */
export interface MaskCall extends Checked {
  readonly run: () => Promise<DeviceArray[] | DeviceArray>;
}

const runMask = (_: unknown, call: MaskCall): Promise<DeviceArray[] | DeviceArray> => call.run();

export const NONZERO = defineOp({
  name: 'nonzero',
  numpy: 'numpy.nonzero',
  category: 'indexing',
  summary: 'the indices of the non-zero elements, one i32 array per axis, in C order (a Promise: the count is read back)',
  tolerance: 'exact',
  dtypes: NONZERO_DTYPES,
  composite: true,
  check: (x: unknown, extra: readonly unknown[]): MaskCall => {
    const a = liveArray('nonzero', 'x', x);
    checkNoExtra('nonzero', extra, 'one argument (x)');
    if (!NONZERO_DTYPES.includes(a.dtype)) throw new DTypeError(`nonzero: x has dtype ${a.dtype}; expected one of ${NONZERO_DTYPES.join(', ')} (astype(x, 'f32') first)`);
    if (a.ndim === 0) throw new ShapeError('nonzero: x must have at least 1 dimension (the standard refuses 0-d input)');
    if (a.size >= 2 ** 31) throw new ShapeError(`nonzero: x has ${a.size} elements; i32 indices reach 2^31 − 1`);
    return { backend: a.backend, run: async () => (await compact(a, a.shape.map((_, d) => () => coordinates(a.backend, a.shape, d)))).picked };
  },
  dawn: runMask,
  host: runMask,
});

/**
 * The indices of the non-zero elements of `x` (the standard's `nonzero`; NaN counts as non-zero, ±0 as
 * zero): one i32 array per axis, each of the same length, in C order. The count is known only after the
 * device has counted, so it resolves once a one-element readback has; the compaction stays on the device
 * (an exclusive scan of the flags, then a scatter). A 0-d x is a ShapeError.
 *
 * @example
 * ```ts
 * const [rows, cols] = await nonzero(greater(m, zero));
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.nonzero.html
 */
export function nonzero(x: DeviceArray, ...extra: []): Promise<DeviceArray<'i32'>[]> {
  return NONZERO.call(x, extra) as Promise<DeviceArray<'i32'>[]>;
}

export const BOOLEAN_INDEX = defineOp({
  name: 'booleanIndex',
  numpy: null,
  category: 'indexing',
  summary: "NumPy's `x[mask]`: the elements (or sub-arrays) where a u32 mask over x's leading axes is non-zero, in C order (a Promise)",
  tolerance: 'exact',
  dtypes: TAKE_TYPES,
  composite: true,
  check: (x: unknown, mask: unknown, extra: readonly unknown[]): MaskCall => {
    const a = liveArray('booleanIndex', 'x', x);
    const m = liveArray('booleanIndex', 'mask', mask);
    checkNoExtra('booleanIndex', extra, 'x and a mask');
    // The elements move through take: its dtypes, checked here, before the compaction allocates anything.
    if (!TAKE_TYPES.includes(a.dtype)) throw new DTypeError(`booleanIndex: x has dtype ${a.dtype}; expected ${TAKE_TYPES.join(', ')} (astype(x, 'f32') first)`);
    if (!MASK_DTYPES.includes(m.dtype)) throw new DTypeError(`booleanIndex: the mask must be ${MASK_DTYPES.join(' or ')} (as comparisons return), got ${m.dtype}`);
    if (m.backend !== a.backend) throw new DTypeError('booleanIndex: the mask belongs to another device');
    const k = m.ndim;
    if (k > a.ndim || m.shape.some((e, d) => e !== a.shape[d])) {
      throw new ShapeError(`booleanIndex: a mask of shape [${m.shape.join(', ')}] does not match the leading axes of x [${a.shape.join(', ')}]`);
    }
    const lead = m.size;
    if (lead >= 2 ** 31) throw new ShapeError(`booleanIndex: the mask has ${lead} elements; i32 indices reach 2^31 − 1`);
    const rest = a.shape.slice(k);
    return {
      backend: a.backend,
      run: async () => {
        const { picked } = await compact(m, [() => flatIndex(a.backend, m.shape)]);
        const idx = picked[0] as DeviceArray<'i32'>;
        const rows = a.reshape([lead, ...rest]);
        try {
          return take(rows, idx, { axis: 0 });
        } finally {
          rows.destroy();
          idx.destroy();
        }
      },
    };
  },
  dawn: runMask,
  host: runMask,
});

/** The flat C-order index of every element of `shape`, as an i32 array of that shape. */
function flatIndex(backend: DeviceArray['backend'], shape: readonly number[]): Grid {
  const n = shape.reduce((p, e) => p * e, 1);
  const base = new DeviceArray(backend, 'i32', [n], undefined, 'host');
  base.write(Int32Array.from({ length: n }, (_, i) => i));
  return { view: base.reshape(shape), base };
}

/**
 * NumPy's boolean-mask indexing `x[mask]` (the standard's boolean array indexing): `mask` is a u32 array
 * (as comparisons return; any non-zero value is true) whose shape equals x's leading axes; the result is a
 * new array of shape `[count, ...x.shape[mask.ndim:]]` holding the selected elements (or sub-arrays) in C
 * order, values moved bit for bit. Asynchronous because its length is known only after the device counts
 * (a one-element readback); the compaction (scan, scatter, gather) stays on the device.
 *
 * @example
 * ```ts
 * using big = await booleanIndex(x, greater(x, threshold)); // x[x > t]
 * using rows = await booleanIndex(m, keep);                  // m[keep], keep of shape [m.shape[0]]
 * ```
 * @see https://numpy.org/doc/stable/user/basics.indexing.html#boolean-array-indexing
 */
export function booleanIndex<D extends DType>(x: DeviceArray<D>, mask: DeviceArray, ...extra: []): Promise<DeviceArray<D>> {
  return BOOLEAN_INDEX.call(x, mask, extra) as Promise<DeviceArray<D>>;
}
