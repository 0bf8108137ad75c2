/**
 * Random chains of view operations (permute, slice, broadcast, reshape, expandDims, squeeze), shared by
 * the layout tests and the device tests, and the same chain applied by NumPy (\`apply_chain\`).
 */
import { cStrides, sizeOf, sliceLayout, type SliceSpec } from '../../src/buffers/strided.js';

export type Op =
  | { t: 'perm'; axes: number[] }
  | { t: 'slice'; specs: SliceSpec[] }
  | { t: 'bcast'; shape: number[] }
  | { t: 'reshape'; shape: number[] }
  | { t: 'expand'; axis: number }
  | { t: 'squeeze'; axis?: number[] };

export interface Case {
  base: number[];
  ops: Op[];
}

/** A deterministic generator of valid op chains (driven by fast-check's seed). */
export function makeCase(seed: number): Case {
  let s = seed >>> 0 || 1;
  const rnd = (n: number): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
  const base = Array.from({ length: 1 + rnd(4) }, () => rnd(6));
  let shape = [...base];
  const ops: Op[] = [];
  for (let k = 0, m = 1 + rnd(5); k < m; k++) {
    const kind = rnd(6);
    if (kind === 0 && shape.length > 0) {
      const axes = shape.map((_, i) => i);
      for (let i = axes.length - 1; i > 0; i--) {
        const j = rnd(i + 1);
        [axes[i], axes[j]] = [axes[j] ?? 0, axes[i] ?? 0];
      }
      ops.push({ t: 'perm', axes: axes.map((a) => (rnd(2) === 0 ? a - shape.length : a)) });
      shape = axes.map((a) => shape[a] ?? 1);
    } else if (kind === 1 && shape.length > 0) {
      const specs: SliceSpec[] = [];
      const next: number[] = [];
      shape.forEach((n) => {
        const r = rnd(4);
        if (r === 0 && n > 0) {
          specs.push(rnd(n) - (rnd(2) === 0 ? n : 0));
        } else if (r === 1) specs.push(null);
        else {
          // Bounds biased to the boundaries, where clamping differs by the step's sign: just inside and
          // just past either end, below −n and above n (a start below −n with a negative step is empty).
          const edges = [-n - 3, -n - 1, -n, -n + 1, -1, 0, 1, n - 1, n, n + 1, n + 4];
          const pick = (): number | null => {
            const r3 = rnd(6);
            return r3 === 0 ? null : r3 <= 3 ? (edges[rnd(edges.length)] ?? 0) : rnd(2 * n + 7) - n - 3;
          };
          const step = [1, 2, -1, -2, 3, -3, n + 1, -n - 1][rnd(8)] ?? 1;
          const spec: [number | null, number | null, number] = [pick(), pick(), step];
          specs.push(spec);
          next.push(-1); // the extent is NumPy's business: the layout below computes it
        }
      });
      ops.push({ t: 'slice', specs });
      shape = sliceLayout('t', { shape, strides: cStrides(shape), offset: 0 }, specs).shape as number[];
    } else if (kind === 2 && shape.length < 5) {
      const extra = rnd(2);
      const target = [...Array.from({ length: extra }, () => 1 + rnd(3)), ...shape.map((e) => (e === 1 ? rnd(3) + 1 : e))];
      ops.push({ t: 'bcast', shape: target });
      shape = target;
    } else if (kind === 3) {
      const n = sizeOf(shape);
      const dims: number[] = [];
      let rest = n;
      while (rest > 1 && dims.length < 3) {
        const divs = [2, 3, 4, 5].filter((d) => rest % d === 0);
        const d = divs.length > 0 ? (divs[rnd(divs.length)] ?? 1) : rest;
        dims.push(d);
        rest /= d;
      }
      if (rest !== 1 || n === 0) dims.push(rest);
      if (rnd(2) === 0) dims.splice(rnd(dims.length + 1), 0, 1);
      // One dimension inferred (-1) now and then, where the others' product is not 0 (NumPy refuses that).
      const given = [...dims];
      if (dims.length > 0 && n > 0 && rnd(3) === 0) given[rnd(dims.length)] = -1;
      ops.push({ t: 'reshape', shape: given });
      shape = dims;
    } else if (kind === 4 && shape.length < 6) {
      const axis = rnd(shape.length + 1) - (rnd(2) === 0 ? shape.length + 1 : 0);
      ops.push({ t: 'expand', axis });
      const a = axis < 0 ? axis + shape.length + 1 : axis;
      shape = [...shape.slice(0, a), 1, ...shape.slice(a)];
    } else {
      // squeeze() drops every extent-1 axis; squeeze(axis) some of them, listed in any order, some negative.
      const ones = shape.flatMap((e, d) => (e === 1 ? [d] : []));
      if (ones.length > 0 && rnd(2) === 0) {
        const pick = ones.filter(() => rnd(2) === 0);
        const drop = pick.length > 0 ? pick : ones.slice(0, 1);
        const axis = drop.map((d) => (rnd(2) === 0 ? d - shape.length : d));
        if (rnd(2) === 0) axis.reverse();
        ops.push({ t: 'squeeze', axis });
        shape = shape.filter((_, d) => !drop.includes(d));
      } else {
        ops.push({ t: 'squeeze' });
        shape = shape.filter((e) => e !== 1);
      }
    }
  }
  return { base, ops };
}


/** Python: \`apply_chain(a, ops)\` applies a chain to a NumPy array, returning it and, per reshape, whether it was a view. */
export const NP_APPLY = `
def apply_chain(a, ops):
    v = []
    for op in ops:
        t = op['t']
        if t == 'perm': a = np.transpose(a, op['axes'])
        elif t == 'slice':
            a = a[tuple(slice(None) if s is None else s if isinstance(s, int) else slice(*s) for s in op['specs']) + (Ellipsis,)]  # Ellipsis: a full index gives a 0-d view, as here, not a scalar
        elif t == 'bcast': a = np.broadcast_to(a, op['shape'])
        elif t == 'expand': a = np.expand_dims(a, op['axis'])
        elif t == 'squeeze': a = np.squeeze(a, axis=tuple(op['axis'])) if 'axis' in op else np.squeeze(a)
        else:
            r = a.reshape(op['shape'])
            v.append(bool(a.size > 0 and np.shares_memory(r, a)))
            a = r
    return a, v
`;
