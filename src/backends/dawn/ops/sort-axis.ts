/**
 * sort, argsort and sortPairs along an axis on Dawn, from the radix sort of src/backends/dawn/ops/sort.ts:
 * the axis moved last and made dense (rows × R; reversed along it for a descending argsort or sortPairs), then
 *   1. a stable sort of (key, flat position) pairs over all n elements (−0 sorting as +0, NaN last),
 *   2. for more than one row, a stable sort of (row of that position, position) pairs: the positions grouped
 *      by row, each row's in key order (LSD: the later sort's stability keeps the earlier order),
 *   3. gathers (kernels/take.wgsl) of the keys, of the positions along the axis (argsort) or of the carried
 *      values (sortPairs) by that permutation, moved back to x's axis order (reversed for `descending`).
 * Two pair sorts instead of a segmented one: the existing kernels, O(n) each, one dispatch sequence for any
 * number of rows. One row (a 1-d sort) needs no gather: its pair sort carries the keys' own bits (sort),
 * the positions (argsort) or the values (sortPairs), so it works past one binding; the gathers bind their
 * source whole, so more rows (or a descending argsort) than one binding holds is a LimitError. The 1-d
 * ascending integer sort keeps the keys-only radix sort.
 */
import { DeviceArray } from '../../../buffers/device-array.js';
import type { DeviceContext } from '../context.js';
import { dawnTake } from './indexing.js';
import { chunkElements } from '../../../buffers/chunks.js';
import { LimitError } from '../../../errors.js';
import { flatSort, flatSortPairs } from './sort.js';
import type { SearchsortedCall, SortCall, SortPairsCall, SortPlan, TopkCall } from '../../../ops/sort.js';
import { compileKernelSync } from '../kernel.js';
import { builtinKernel } from '../../../kernels/load.js';

/** x's elements at `idx` (flat positions of x in C order). */
function gather(ctx: DeviceContext, x: DeviceArray, idx: DeviceArray): DeviceArray {
  return dawnTake(ctx, { backend: ctx.backend, x, indices: idx, g: { outer: 1, n: x.length, m: idx.length, inner: 1 }, what: 'the flattened array', shape: [idx.length], dtype: x.dtype });
}

/** A u32 (or i32) table of n values f(i), uploaded. */
function table(ctx: DeviceContext, dtype: 'u32' | 'i32', n: number, f: (i: number) => number): DeviceArray {
  const h = dtype === 'u32' ? new Uint32Array(n) : new Int32Array(n);
  for (let i = 0; i < n; i++) h[i] = f(i);
  return new DeviceArray(ctx, dtype, [n]).write(h);
}

interface Sorted {
  values: DeviceArray | null;
  indices: DeviceArray | null;
  carried: DeviceArray | null;
}

/** Sorts x along the plan's axis: the sorted keys, the argsort indices (i32) and the carried array, as asked. */
function sortAlong(ctx: DeviceContext, x: DeviceArray, plan: SortPlan, want: { values: boolean; indices: boolean; carry: DeviceArray | null }): Sorted {
  const { order, back, rows, R, movedShape, descending } = plan;
  // numpy.array_api: a descending sort is the ascending one reversed; a descending argsort (and here
  // sortPairs) the reversed ascending argsort of the reversed axis, so equal keys keep their input order.
  const reverseIn = descending && (want.indices || want.carry !== null);
  const n = rows * R;
  const last = movedShape.length - 1;
  const flip = movedShape.map((_, d) => (d === last ? ([null, null, -1] as const) : null));
  const temps: DeviceArray[] = [];
  // Views may come back as the very array they were taken from (an identity transpose): never free an input.
  const inputs = new Set<DeviceArray>([x, ...(want.carry === null ? [] : [want.carry])]);
  const t = <A extends DeviceArray>(a: A): A => {
    if (!inputs.has(a) && !temps.includes(a)) temps.push(a);
    return a;
  };
  // x (or a carried array) in the sort's layout: axis last, dense, reversed along it for descending.
  const dense = (a: DeviceArray): DeviceArray => {
    const moved = t(a.transpose(order));
    const v = reverseIn ? t(moved.slice(...flip)) : moved;
    return t(t(v.contiguous()).reshape([n]));
  };
  // A gathered flat result back in x's layout, as an array of its own.
  const finish = (flat: DeviceArray): DeviceArray => {
    const m = t(flat.reshape(movedShape));
    const v = descending ? t(m.slice(...flip)) : m;
    const w = t(v.transpose(back));
    // Already in x's C order (the axis was last, or the others have extent 1): the gathered array itself.
    if (w.isPlain) return flat.reinterpret(flat.dtype, x.shape);
    t(flat);
    return w.contiguous();
  };
  const out: Sorted = { values: null, indices: null, carried: null };
  try {
    if (n === 0) {
      if (want.values) out.values = new DeviceArray(ctx, x.dtype, x.shape);
      if (want.indices) out.indices = new DeviceArray(ctx, 'i32', x.shape);
      if (want.carry !== null) out.carried = new DeviceArray(ctx, 'u32', x.shape);
      const made = [out.values, out.indices, out.carried].flatMap((a) => (a === null ? [] : a.storageBuffers));
      ctx.noWork('sort|empty', [...x.storageBuffers, ...(want.carry?.storageBuffers ?? [])], made);
      return out;
    }
    const keys = dense(x);
    if (rows === 1 && !(want.indices && reverseIn)) {
      // One row: the pair sorts carry what is asked (the keys' own bits, positions or the carried values)
      // and nothing is gathered, so any length works, past one binding too.
      if (want.values && want.carry !== null && x.dtype !== 'f32') {
        // Integer keys come back exact from the pair sort's inverse key map: one sort carries the values.
        const r = flatSortPairs(ctx, keys, dense(want.carry) as DeviceArray<'u32'>, true);
        out.values = finish(r.keys.reinterpret(x.dtype, [n]));
        out.carried = finish(r.values);
        return out;
      }
      if (want.values) {
        // The keys' own bits as the values: f32 zeros keep their sign (the key map sorts −0 as +0).
        const r = flatSortPairs(ctx, keys, t(keys.viewAs('u32')), true);
        t(r.keys);
        out.values = finish(r.values.reinterpret(x.dtype, [n]));
      }
      if (want.indices) {
        const r = flatSortPairs(ctx, keys, t(table(ctx, 'u32', n, (i) => i)) as DeviceArray<'u32'>, true);
        t(r.keys);
        out.indices = finish(r.values.reinterpret('i32', [n]));
      }
      if (want.carry !== null) {
        const r = flatSortPairs(ctx, keys, dense(want.carry) as DeviceArray<'u32'>, true);
        t(r.keys);
        out.carried = finish(r.values);
      }
      return out;
    }
    const chunk = chunkElements(ctx.limits);
    if (n > chunk) {
      throw new LimitError('maxStorageBufferBindingSize', n * 4, ctx.limits.maxStorageBufferBindingSize, `sort along an axis of an array of ${n} elements (${rows} rows${reverseIn ? ', or a descending argsort' : ''}) gathers it whole, in one binding`, 'a 1-d sort (or ascending argsort, sortPairs) of any length works; sort the rows in parts (slices along another axis)');
    }
    const positions = t(table(ctx, 'u32', n, (i) => i));
    const first = flatSortPairs(ctx, keys, positions as DeviceArray<'u32'>, true);
    t(first.keys);
    let perm = t(first.values);
    if (rows > 1) {
      const rowOf = t(table(ctx, 'u32', n, (i) => Math.floor(i / R)));
      const rk = t(gather(ctx, rowOf, perm));
      const second = flatSortPairs(ctx, rk, perm);
      t(second.keys);
      perm = t(second.values);
    }
    if (want.values) out.values = finish(gather(ctx, keys, perm));
    if (want.indices) out.indices = finish(gather(ctx, t(table(ctx, 'i32', n, (i) => (reverseIn ? R - 1 - (i % R) : i % R))), perm));
    if (want.carry !== null) out.carried = finish(gather(ctx, dense(want.carry), perm));
    return out;
  } catch (e) {
    for (const a of [out.values, out.indices, out.carried]) a?.destroy();
    throw e;
  } finally {
    for (const a of temps.reverse()) a.destroy();
  }
}

/** sort: the keys-only radix sort for the 1-d ascending integer case, else along the axis. */
export function dawnSort(ctx: DeviceContext, { keys, plan }: SortCall): DeviceArray {
  ctx.assertUsable();
  if (plan === null) return flatSort(ctx, keys);
  return sortAlong(ctx, keys, plan, { values: true, indices: false, carry: null }).values as DeviceArray;
}

export function dawnArgsort(ctx: DeviceContext, { keys, plan }: SortCall): DeviceArray<'i32'> {
  ctx.assertUsable();
  if (plan === null) throw new Error('argsort: internal error, no plan'); // checkSort always plans argsort
  return sortAlong(ctx, keys, plan, { values: false, indices: true, carry: null }).indices as DeviceArray<'i32'>;
}

export function dawnSortPairs(ctx: DeviceContext, { keys, values, plan }: SortPairsCall): { keys: DeviceArray; values: DeviceArray<'u32'> } {
  ctx.assertUsable();
  const r = sortAlong(ctx, keys, plan, { values: true, indices: false, carry: values });
  return { keys: r.values as DeviceArray, values: r.carried as DeviceArray<'u32'> };
}

/** searchsorted: kernels/searchsorted.wgsl, a binary search per element of v (sorted bound whole). */
export function dawnSearchsorted(ctx: DeviceContext, { sorted, v, right }: SearchsortedCall): DeviceArray<'i32'> {
  ctx.assertUsable();
  const out = new DeviceArray(ctx, 'i32', v.shape);
  if (v.length === 0) {
    ctx.noWork('searchsorted|empty', [...sorted.storageBuffers, ...v.storageBuffers], out.storageBuffers);
    return out;
  }
  const s = sorted.contiguous();
  const vs = v.contiguous();
  try {
    using sBits = s.storageAlias('u32');
    using vBits = vs.storageAlias('u32');
    using oBits = out.storageAlias('u32');
    const kind = sorted.dtype === 'u32' ? 0 : sorted.dtype === 'i32' ? 1 : 2;
    const k = compileKernelSync(ctx, builtinKernel('searchsorted'), { constants: { KIND: kind }, label: `searchsorted|${sorted.dtype}` });
    // An empty `sorted` binds v in its place (read, never indexed: n = 0).
    k.run({ sorted: sorted.length === 0 ? vBits : sBits, v: vBits, out: oBits, params: { n: sorted.length, m: v.length, right: right ? 1 : 0, pad: 0 } }, { invocations: v.length });
  } catch (e) {
    out.destroy();
    throw e;
  } finally {
    s.destroy();
    vs.destroy();
  }
  return out;
}

/** The first k along the axis of a sorted result (x's layout), as an array of its own; `full` is freed. */
export function firstAlong(full: DeviceArray, axis: number, k: number): DeviceArray {
  try {
    using v = full.slice(...full.shape.map((_, d) => (d === axis ? ([0, k] as [number, number]) : null)));
    if (!v.isPlain) return v.contiguous(); // a gather: memory of its own
    // A prefix of full (plain): copied out, since full is freed.
    const out = new DeviceArray(full, full.dtype, v.shape);
    if (v.length > 0) full.backend.copyInto(v, out, 0);
    return out;
  } finally {
    full.destroy();
  }
}

/** topk: the values and indices of the ascending or (largest) descending argsort order, cut to k. */
export function dawnTopk(ctx: DeviceContext, { x, k, plan }: TopkCall): { values: DeviceArray; indices: DeviceArray<'i32'> } {
  ctx.assertUsable();
  const r = sortAlong(ctx, x, plan, { values: true, indices: true, carry: null });
  const a = plan.order[plan.order.length - 1] ?? 0;
  const values = firstAlong(r.values as DeviceArray, a, k);
  try {
    return { values, indices: firstAlong(r.indices as DeviceArray, a, k) as DeviceArray<'i32'> };
  } catch (e) {
    values.destroy();
    throw e;
  }
}
