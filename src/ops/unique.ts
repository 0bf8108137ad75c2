/**
 * The standard's set functions: `uniqueValues`, `uniqueCounts`, `uniqueInverse`, `uniqueAll` (numpy.array_api's
 * `unique_*`, which are `np.unique(x, equal_nan=False)`): x flattened, sorted, and cut where a value differs
 * from the one before it — so every NaN is a value of its own (NaN != NaN) and −0 and +0 are one value (the
 * first of them in x). The result's length depends on the data, so each returns a Promise: the work (a stable
 * argsort, a gather, a compare of neighbours, a scan, a compaction) stays on the device and only the count is
 * read back, as in `booleanIndex`. Indices and counts are i32, gpukit's default integer dtype.
 */
import { DeviceArray } from '../buffers/device-array.js';
import type { DType } from '../buffers/dtype.js';
import { checkNoExtra } from '../args.js';
import { DestroyedError, DTypeError } from '../errors.js';
import { checkArray } from './check-array.js';
import { defineOp, type Checked } from './manifest.js';
import { astype, notEqual, subtract } from './math.js';
import { scan } from './scan.js';
import { argsort } from './sort.js';
import { BINCOUNT, scatterAdd, take } from './indexing.js';
import { booleanIndex } from './mask.js';
import { concat } from './manipulation.js';
import { copy } from './copy.js';

type UniqueKind = 'values' | 'counts' | 'inverse' | 'all';

/** What `uniqueAll` gives: the distinct values, the first index of each in x (flattened), x's values as indices into `values` (x's shape), and the count of each. */
export interface UniqueAllResult<D extends DType = DType> {
  readonly values: DeviceArray<D>;
  readonly indices: DeviceArray<'i32'>;
  readonly inverseIndices: DeviceArray<'i32'>;
  readonly counts: DeviceArray<'i32'>;
}

/** What `uniqueCounts` gives. */
export type UniqueCountsResult<D extends DType = DType> = Pick<UniqueAllResult<D>, 'values' | 'counts'>;

/** What `uniqueInverse` gives. */
export type UniqueInverseResult<D extends DType = DType> = Pick<UniqueAllResult<D>, 'values' | 'inverseIndices'>;

interface UniqueCall extends Checked {
  readonly run: () => Promise<unknown>;
}

const UNIQUE_DTYPES: readonly DType[] = ['f32', 'i32', 'u32', 'bool'];

/** Frees `temps` whatever `f` does. */
async function freeing<R>(temps: DeviceArray[], f: () => Promise<R>): Promise<R> {
  try {
    return await f();
  } finally {
    for (const t of temps) t.destroy();
  }
}

async function unique(x: DeviceArray, kind: UniqueKind): Promise<UniqueAllResult> {
  const n = x.size;
  const backend = x.backend;
  const temps: DeviceArray[] = [];
  return freeing(temps, async () => {
    if (n === 0) {
      // Only the parts this kind returns (the caller never sees, so never frees, the others).
      const empty = (shape: readonly number[]): DeviceArray<'i32'> => new DeviceArray(backend, 'i32', shape);
      return {
        values: new DeviceArray(backend, x.dtype, [0]),
        ...(kind === 'all' ? { indices: empty([0]) } : {}),
        ...(kind === 'all' || kind === 'inverse' ? { inverseIndices: empty(x.shape) } : {}),
        ...(kind === 'all' || kind === 'counts' ? { counts: empty([0]) } : {}),
      } as UniqueAllResult;
    }
    // bool sorts as its u32 storage (0 before 1) and comes back as bool.
    const dense = x.dtype === 'bool' ? astype(x, 'u32') : copy(x);
    temps.push(dense);
    const flat = dense.reshape([n]);
    temps.push(flat);
    const order = argsort(flat); // stable: the first of equal values is the earliest in x
    temps.push(order);
    const sorted = take(flat, order);
    temps.push(sorted);
    // flags[i]: sorted[i] starts a new value (i = 0, or it differs from sorted[i − 1]; NaN differs from NaN).
    const head = new DeviceArray(backend, 'bool', [1], undefined, 'host');
    temps.push(head);
    head.write([1]);
    let flags: DeviceArray = head;
    if (n > 1) {
      const later = sorted.slice([1, n]);
      const earlier = sorted.slice([0, n - 1]);
      temps.push(later, earlier);
      const differs = notEqual(later, earlier);
      temps.push(differs);
      flags = concat([head, differs]);
      temps.push(flags);
    }
    // The one readback: the first index in x of each value (order at the flagged positions) sizes every part;
    // the values are then gathered from x by those indices (sorted[p] = flat[order[p]]) without another count.
    const first = await booleanIndex<'i32'>(order, flags);
    const k = first.size;
    const out: { values?: DeviceArray; indices?: DeviceArray<'i32'>; inverseIndices?: DeviceArray<'i32'>; counts?: DeviceArray<'i32'> } = {};
    try {
      if (kind === 'all') out.indices = first;
      else temps.push(first);
      const picked = take(flat, first);
      if (x.dtype === 'bool') {
        temps.push(picked);
        out.values = astype(picked, 'bool');
      } else out.values = picked;
      let group: DeviceArray | undefined;
      if (kind === 'counts' || kind === 'all' || kind === 'inverse') {
        // The value each sorted element belongs to: (inclusive scan of the flags) − 1.
        const ones = astype(flags, 'i32');
        temps.push(ones);
        const running = scan(ones);
        temps.push(running);
        group = subtract(running, 1);
        temps.push(group);
      }
      if ((kind === 'counts' || kind === 'all') && group !== undefined) {
        // k bins: the groups are 0 … k − 1, known without bincount's min/max readback.
        const c = BINCOUNT.call(group, {}, k);
        temps.push(c);
        out.counts = astype(c, 'i32');
      }
      if ((kind === 'inverse' || kind === 'all') && group !== undefined) {
        // inverse[order[i]] = group[i]: each position of x is written once.
        const inv = new DeviceArray(backend, 'i32', [n], undefined, 'zero');
        scatterAdd(inv, order, group);
        out.inverseIndices = inv.reinterpret('i32', x.shape); // inv's memory, in x's shape
      }
    } catch (e) {
      for (const a of [out.values, out.indices, out.inverseIndices, out.counts]) a?.destroy();
      throw e;
    }
    return out as UniqueAllResult;
  });
}

function uniqueOp(kind: UniqueKind, name: string, summary: string) {
  return defineOp({
    name,
    numpy: 'numpy.unique',
    category: 'sorting',
    summary,
    tolerance: 'exact',
    dtypes: UNIQUE_DTYPES,
    composite: true,
    check: (x: unknown, extra: readonly unknown[]): UniqueCall => {
      checkArray(name, 'x', x);
      checkNoExtra(name, extra, 'x');
      if (x.destroyed) throw new DestroyedError(`${name}: x (${x.dtype}, shape [${x.shape.join(', ')}]) was destroyed`);
      if (!UNIQUE_DTYPES.includes(x.dtype)) throw new DTypeError(`${name}: x has dtype ${x.dtype}; expected one of ${UNIQUE_DTYPES.join(', ')} (astype(x, 'f32') first)`);
      if (x.size >= 2 ** 31) throw new DTypeError(`${name}: x has ${x.size} elements; i32 indices reach 2^31 − 1`);
      return { backend: x.backend, run: () => unique(x, kind) };
    },
    dawn: (_: unknown, call: UniqueCall) => call.run(),
    host: (_: unknown, call: UniqueCall) => call.run(),
  });
}

export const UNIQUE_VALUES = uniqueOp('values', 'uniqueValues', 'the distinct values of x, flattened and sorted (every NaN distinct; a Promise)');
export const UNIQUE_COUNTS = uniqueOp('counts', 'uniqueCounts', 'the distinct values and how often each occurs (a Promise)');
export const UNIQUE_INVERSE = uniqueOp('inverse', 'uniqueInverse', "the distinct values and, for each element of x, its value's index (x's shape; a Promise)");
export const UNIQUE_ALL = uniqueOp('all', 'uniqueAll', 'values, first indices, inverse indices and counts (a Promise)');

/**
 * The distinct values of x, flattened and sorted ascending (the standard's `unique_values`; NumPy's
 * `np.unique(x, equal_nan=False)`): every NaN is its own value, −0 and +0 one value. A Promise, since the
 * number of values is known only after the device counts them.
 *
 * @example
 * ```ts
 * using v = await uniqueValues(device.array([3, 1, 3, 2])); // [1, 2, 3]
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.unique.html
 */
export function uniqueValues<D extends DType>(x: DeviceArray<D>, ...extra: []): Promise<DeviceArray<D>> {
  return (UNIQUE_VALUES.call(x, extra) as Promise<UniqueAllResult<D>>).then((r) => r.values);
}

/**
 * The distinct values of x and how often each occurs (the standard's `unique_counts`): counts are i32.
 *
 * @example
 * ```ts
 * const { values, counts } = await uniqueCounts(device.array([3, 1, 3])); // [1, 3], [1, 2]
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.unique.html
 */
export function uniqueCounts<D extends DType>(x: DeviceArray<D>, ...extra: []): Promise<UniqueCountsResult<D>> {
  return (UNIQUE_COUNTS.call(x, extra) as Promise<UniqueAllResult<D>>).then((r) => ({ values: r.values, counts: r.counts }));
}

/**
 * The distinct values of x and, for each element of x, the index of its value in `values` (the standard's
 * `unique_inverse`: `inverseIndices` has x's shape, i32), so `take(values, inverseIndices)` rebuilds x.
 *
 * @example
 * ```ts
 * const { values, inverseIndices } = await uniqueInverse(device.array([3, 1, 3])); // [1, 3], [1, 0, 1]
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.unique.html
 */
export function uniqueInverse<D extends DType>(x: DeviceArray<D>, ...extra: []): Promise<UniqueInverseResult<D>> {
  return (UNIQUE_INVERSE.call(x, extra) as Promise<UniqueAllResult<D>>).then((r) => ({ values: r.values, inverseIndices: r.inverseIndices }));
}

/**
 * Everything `np.unique` returns (the standard's `unique_all`): the values, the index of each value's first
 * occurrence in x (flattened), the inverse indices (x's shape) and the counts; all indices i32.
 *
 * @example
 * ```ts
 * const { values, indices, inverseIndices, counts } = await uniqueAll(x);
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.unique.html
 */
export function uniqueAll<D extends DType>(x: DeviceArray<D>, ...extra: []): Promise<UniqueAllResult<D>> {
  return UNIQUE_ALL.call(x, extra) as Promise<UniqueAllResult<D>>;
}
