/**
 * sort, argsort and sortPairs on the host engine: CPU loops along the axis (moved last, rows × R), NumPy's
 * stable order (NaN last, −0 and +0 equal, ties in input order); `descending` as numpy.array_api's: the
 * ascending sort of the reversed row, reversed. The 1-d ascending integer sort is the CPU reference's.
 */
import { DeviceArray } from '../../../buffers/device-array.js';
import type { HostContext } from '../context.js';
import type { SearchsortedCall, SortCall, SortPairsCall, SortPlan, TopkCall } from '../../../ops/sort.js';
import { sortCpu } from '../../../reference/sort.js';

type Keys = Float32Array | Int32Array | Uint32Array;

/** NumPy's ascending order: NaN after everything, −0 == +0 (ties broken by position, so the sort is stable). */
function less(a: number, b: number): number {
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Runs the sort along the plan's axis on the host queue: `fill(perm, row)` receives, for each row of the
 * dense moved layout, the positions along the axis in sorted order. Results are written in the moved layout
 * (`outs`) and moved back to x's axis order.
 */
function alongRows(host: HostContext, x: DeviceArray, plan: SortPlan, outs: { dtype: 'f32' | 'i32' | 'u32'; src: DeviceArray | 'positions'; asArgsort?: boolean }[]): DeviceArray[] {
  const { order, back, rows, R, movedShape, descending } = plan;
  // Views may come back as the very array they were taken from (an identity transpose): never free an input.
  const dense = (a: DeviceArray): DeviceArray => {
    const moved = a.transpose(order);
    try {
      return moved.contiguous();
    } finally {
      if (moved !== a) moved.destroy();
    }
  };
  const keys = dense(x);
  const srcs = outs.map((o) => (o.src === 'positions' ? null : o.src === x ? keys : dense(o.src)));
  const res = outs.map((o) => new DeviceArray(host, o.dtype, movedShape));
  const K = keys.data;
  // numpy.array_api: a descending sort is the ascending one reversed; a descending argsort (and sortPairs)
  // the reversed ascending argsort of the reversed row, so equal keys keep their input order.
  const reverseIn = descending && outs.some((o) => o.src !== x || o.asArgsort === true);
  // The typed arrays are taken now: the temporaries are destroyed below, before the task runs (their blocks
  // are reused only after it has run, but a destroyed array no longer hands out its data).
  const Os = res.map((r) => r.data);
  const Ss = srcs.map((s) => s?.data);
  host.enqueue(() => {
    const idx = new Array<number>(R);
    for (let row = 0; row < rows; row++) {
      const base = row * R;
      for (let j = 0; j < R; j++) idx[j] = j;
      idx.sort((i, j) => less(K[base + i] ?? 0, K[base + j] ?? 0) || (reverseIn ? j - i : i - j));
      if (descending) idx.reverse();
      Os.forEach((O, k) => {
        const S = Ss[k];
        if (S === undefined) for (let j = 0; j < R; j++) O[base + j] = idx[j] ?? 0;
        else {
          // Bit for bit (a NaN's payload, a zero's sign), as the Dawn gather moves them.
          const Ob = new Uint32Array(O.buffer, O.byteOffset, O.length);
          const Sb = new Uint32Array(S.buffer, S.byteOffset, S.length);
          for (let j = 0; j < R; j++) Ob[base + j] = Sb[base + (idx[j] ?? 0)] ?? 0;
        }
      });
    }
  });
  const results = res.map((r) => {
    const t = r.transpose(back);
    // Already in x's C order (the axis was last, or the others have extent 1): the result array itself.
    if (t.isPlain) {
      if (t !== r) t.destroy();
      return r.reinterpret(r.dtype, x.shape);
    }
    const c = t.contiguous();
    t.destroy();
    r.destroy();
    return c;
  });
  for (const s of new Set([keys, ...srcs])) s?.destroy();
  return results;
}

/** f32 values keep their bits through the host queue (a NaN's payload included), as the Dawn gather does. */
function copyBits(dst: Keys, src: Keys): void {
  new Uint32Array(dst.buffer, dst.byteOffset, dst.length).set(new Uint32Array(src.buffer, src.byteOffset, src.length));
}

export function hostSort(host: HostContext, { keys, plan }: SortCall): DeviceArray {
  host.assertUsable();
  if (plan === null) {
    // 1-d ascending integers: the reference's stable sort.
    const out = new DeviceArray(host, keys.dtype, keys.shape);
    const K = keys.data;
    const O = out.data;
    if (keys.length > 0) host.enqueue(() => {
      copyBits(O, sortCpu(K));
    });
    return out;
  }
  const [values] = alongRows(host, keys, plan, [{ dtype: keys.dtype as 'f32' | 'i32' | 'u32', src: keys }]);
  return values as DeviceArray;
}

export function hostArgsort(host: HostContext, { keys, plan }: SortCall): DeviceArray<'i32'> {
  host.assertUsable();
  if (plan === null) throw new Error('argsort: internal error, no plan'); // checkSort always plans argsort
  const [indices] = alongRows(host, keys, plan, [{ dtype: 'i32', src: 'positions' }]);
  return indices as DeviceArray<'i32'>;
}

export function hostSortPairs(host: HostContext, { keys, values, plan }: SortPairsCall): { keys: DeviceArray; values: DeviceArray<'u32'> } {
  host.assertUsable();
  const [k, v] = alongRows(host, keys, plan, [{ dtype: keys.dtype as 'f32' | 'i32' | 'u32', src: keys }, { dtype: 'u32', src: values }]);
  return { keys: k as DeviceArray, values: v as DeviceArray<'u32'> };
}

/** searchsorted: a binary search per element of v, in NumPy's order (less()). */
export function hostSearchsorted(host: HostContext, { sorted, v, right }: SearchsortedCall): DeviceArray<'i32'> {
  host.assertUsable();
  const out = new DeviceArray(host, 'i32', v.shape);
  const S = sorted.data;
  const V = v.data;
  const O = out.data;
  if (v.length > 0) host.enqueue(() => {
    for (let j = 0; j < V.length; j++) {
      const k = V[j] ?? 0;
      let lo = 0;
      let hi = S.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const c = less(S[mid] ?? 0, k);
        if (c < 0 || (right && c === 0)) lo = mid + 1;
        else hi = mid;
      }
      O[j] = lo;
    }
  });
  return out;
}

/** topk: the argsort order's values and indices (values moved with their indices, as argsort orders them), cut to k. */
export function hostTopk(host: HostContext, { x, k, plan }: TopkCall): { values: DeviceArray; indices: DeviceArray<'i32'> } {
  host.assertUsable();
  const [v, i] = alongRows(host, x, plan, [{ dtype: x.dtype as 'f32' | 'i32' | 'u32', src: x, asArgsort: true }, { dtype: 'i32', src: 'positions' }]);
  const a = plan.order[plan.order.length - 1] ?? 0;
  const cut = (full: DeviceArray): DeviceArray => {
    const view = full.slice(...full.shape.map((_, d) => (d === a ? ([0, k] as [number, number]) : null)));
    try {
      if (!view.isPlain) return view.contiguous(); // a gather: memory of its own
      // A prefix of full (plain): copied out, since full is freed.
      const out = new DeviceArray(host, full.dtype, view.shape);
      if (view.length > 0) host.backend.copyInto(view, out, 0);
      return out;
    } finally {
      view.destroy();
      full.destroy();
    }
  };
  return { values: cut(v as DeviceArray), indices: cut(i as DeviceArray) as DeviceArray<'i32'> };
}
