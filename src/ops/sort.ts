/**
 * sort and sortPairs: the manifests (argument check, NumPy's name, tolerance, docs). The engines'
 * implementations: src/backends/dawn/ops/sort.ts (LSD radix sort in WGSL) and src/backends/host/ops/sort.ts
 * (the CPU references); the references sortCpu and sortPairsCpu: src/reference/sort.ts.
 */
import type { DeviceArray } from '../buffers/device-array.js';
import type { DType } from '../buffers/dtype.js';
import { requireDType, sameLength } from './util.js';
import { checkArray, checkArrays } from './signature.js';
import { checkNoExtra } from '../args.js';
import { defineOp, type Checked } from './manifest.js';
import { backendOf } from './same-device.js';
import { sortCpu, sortPairsCpu } from '../reference/sort.js';
import { dawnSort, dawnSortPairs } from '../backends/dawn/ops/sort.js';
import { hostSort, hostSortPairs } from '../backends/host/ops/sort.js';

/** A checked sort. */
export interface SortCall extends Checked {
  readonly keys: DeviceArray;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** A checked sortPairs (shape and dtype: the sorted keys'). */
export interface SortPairsCall extends SortCall {
  readonly values: DeviceArray<'u32'>;
}

export const SORT = defineOp({
  name: 'sort',
  numpy: 'numpy.sort',
  category: 'sorting',
  summary: 'stable ascending sort of u32, i32 or f32 keys (NaN last), as a new 1-D array',
  tolerance: 'exact',
  check: (keys: DeviceArray, extra: readonly unknown[]): SortCall => {
    checkArray('sort', 'keys', keys);
    checkNoExtra('sort', extra, 'one argument (keys; no options: the order is ascending)');
    const backend = backendOf('sort', keys);
    requireDType('sort', 'keys', keys, ['u32', 'i32', 'f32']);
    return { backend, keys, shape: [keys.length], dtype: keys.dtype };
  },
  dawn: dawnSort,
  host: hostSort,
  reference: sortCpu,
});

export const SORT_PAIRS = defineOp({
  name: 'sortPairs',
  numpy: null,
  category: 'sorting',
  summary: 'stable sort of (key, value) pairs by key, u32 values moved with their keys',
  tolerance: 'exact',
  check: (keys: DeviceArray, values: DeviceArray<'u32'>, extra: readonly unknown[]): SortPairsCall => {
    checkArrays('sortPairs', { keys, values });
    checkNoExtra('sortPairs', extra, 'two arguments (keys, values; no options: the order is ascending)');
    const backend = backendOf('sortPairs', keys, values);
    requireDType('sortPairs', 'keys', keys, ['u32', 'i32', 'f32']);
    requireDType('sortPairs', 'values', values, ['u32']);
    sameLength('sortPairs', keys, 'keys', values, 'values');
    return { backend, keys, values, shape: [keys.length], dtype: keys.dtype };
  },
  dawn: dawnSortPairs,
  host: hostSortPairs,
  reference: sortPairsCpu,
});

/**
 * Stable ascending sort of u32, i32 or f32 keys (LSD radix sort), as a new array; the input is not
 * modified. f32 order: −Inf < … < −0 < +0 < … < +Inf < NaN; every NaN comes back as the quiet NaN
 * 0x7FFFFFFF, whatever its sign or payload. Enqueues and returns at once.
 *
 * @example
 * ```ts
 * using x = device.array(new Float32Array([2, NaN, -1, -0, 0]));
 * using s = sort(x);
 * console.log(await s.toArray()); // Float32Array [-1, -0, 0, 2, NaN]
 * ```
 */
export function sort<D extends DType>(keys: DeviceArray<D>, ...extra: []): DeviceArray<D> {
  return SORT.call(keys, extra) as DeviceArray<D>;
}

/**
 * Stable sort of (key, value) pairs by key: keys as in {@link sort}, u32 values (e.g. indices, to sort
 * other data by the same permutation) moved along with them. Equal keys keep their input order. Returns
 * new arrays; the inputs are not modified. Enqueues and returns at once.
 *
 * @example
 * ```ts
 * using k = device.array(new Int32Array([5, -2, 5]), 'i32');
 * using v = device.array(new Uint32Array([0, 1, 2]), 'u32');
 * const s = sortPairs(k, v);
 * console.log(await s.keys.toArray(), await s.values.toArray()); // [-2, 5, 5] [1, 0, 2]
 * s.keys.destroy(); s.values.destroy();
 * ```
 */
export function sortPairs<D extends DType>(keys: DeviceArray<D>, values: DeviceArray<'u32'>, ...extra: []): { keys: DeviceArray<D>; values: DeviceArray<'u32'> } {
  return SORT_PAIRS.call(keys, values, extra) as { keys: DeviceArray<D>; values: DeviceArray<'u32'> };
}
