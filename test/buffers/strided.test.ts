/**
 * View arithmetic against NumPy, no device: random chains of transposes, slices (negative steps included),
 * broadcasts, expandDims, squeezes and reshapes, applied to np.arange storage in NumPy and to gpukit's
 * layouts here. Shapes, the storage elements each view reads, and whether a reshape copies (NumPy's
 * np.shares_memory) must agree. Broadcasting shape rules are checked against np.broadcast_shapes.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ArgumentError, ShapeError } from '../../src/errors.js';
import {
  broadcastLayout,
  broadcastShapes,
  cStrides,
  isCContiguous,
  permuteLayout,
  reshapeLayout,
  sizeOf,
  sliceLayout,
  storageIndices,
  type Layout,
  type SliceSpec,
} from '../../src/buffers/strided.js';
import { numpy, npOut } from '../ops/helpers.js';

type Op =
  | { t: 'perm'; axes: number[] }
  | { t: 'slice'; specs: SliceSpec[] }
  | { t: 'bcast'; shape: number[] }
  | { t: 'reshape'; shape: number[] }
  | { t: 'expand'; axis: number }
  | { t: 'squeeze' };

interface Case {
  base: number[];
  ops: Op[];
}

/** A deterministic generator of valid op chains (driven by fast-check's seed). */
function makeCase(seed: number): Case {
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
          const pick = (): number | null => (rnd(3) === 0 ? null : rnd(2 * n + 3) - n - 1);
          const step = [1, 2, -1, -2, 3][rnd(5)] ?? 1;
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
      ops.push({ t: 'reshape', shape: dims });
      shape = dims;
    } else if (kind === 4 && shape.length < 6) {
      const axis = rnd(shape.length + 1) - (rnd(2) === 0 ? shape.length + 1 : 0);
      ops.push({ t: 'expand', axis });
      const a = axis < 0 ? axis + shape.length + 1 : axis;
      shape = [...shape.slice(0, a), 1, ...shape.slice(a)];
    } else {
      ops.push({ t: 'squeeze' });
      shape = shape.filter((e) => e !== 1);
    }
  }
  return { base, ops };
}

/** gpukit's side: layouts over a storage of values (a reshape that must copy gathers into new storage). */
function applyJs(c: Case): { shape: number[]; values: number[]; views: boolean[] } {
  let storage = Float64Array.from({ length: sizeOf(c.base) }, (_, i) => i);
  let l: Layout = { shape: c.base, strides: cStrides(c.base), offset: 0 };
  const views: boolean[] = [];
  for (const op of c.ops) {
    if (op.t === 'perm') l = permuteLayout('t', l, op.axes);
    else if (op.t === 'slice') l = sliceLayout('t', l, op.specs);
    else if (op.t === 'bcast') l = broadcastLayout('t', l, op.shape);
    else if (op.t === 'expand') {
      const a = op.axis < 0 ? op.axis + l.shape.length + 1 : op.axis;
      l = { shape: [...l.shape.slice(0, a), 1, ...l.shape.slice(a)], strides: [...l.strides.slice(0, a), 0, ...l.strides.slice(a)], offset: l.offset };
    } else if (op.t === 'squeeze') l = { shape: l.shape.filter((e) => e !== 1), strides: l.strides.filter((_, d) => l.shape[d] !== 1), offset: l.offset };
    else {
      const r = reshapeLayout(l, op.shape);
      views.push(r !== undefined);
      if (r !== undefined) l = r;
      else {
        const idx = storageIndices(l);
        storage = Float64Array.from(idx, (k) => storage[k] ?? NaN);
        l = { shape: op.shape, strides: cStrides(op.shape), offset: 0 };
      }
    }
  }
  return { shape: [...l.shape], values: Array.from(storageIndices(l), (k) => storage[k] ?? NaN), views };
}

function decode(a: ArrayLike<number>): string {
  return new TextDecoder().decode(Uint8Array.from(a));
}

const PY = `
cases = json.loads({CASES})
shapes, values, views = [], [], []
for c in cases:
    a = np.arange(int(np.prod(c['base'])), dtype=np.float64).reshape(c['base'])
    v = []
    for op in c['ops']:
        t = op['t']
        if t == 'perm': a = np.transpose(a, op['axes'])
        elif t == 'slice':
            a = a[tuple(slice(None) if s is None else s if isinstance(s, int) else slice(*s) for s in op['specs']) + (Ellipsis,)]  # Ellipsis: a full index gives a 0-d view, as here, not a scalar
        elif t == 'bcast': a = np.broadcast_to(a, op['shape'])
        elif t == 'expand': a = np.expand_dims(a, op['axis'])
        elif t == 'squeeze': a = np.squeeze(a)
        else:
            r = a.reshape(op['shape'])
            v.append(bool(a.size > 0 and np.shares_memory(r, a)))
            a = r
    shapes.append(list(a.shape)); values.append(a.ravel().tolist()); views.append(v)
out['meta'] = np.frombuffer(json.dumps({'shapes': shapes, 'values': values, 'views': views}).encode(), dtype=np.uint8).astype(np.uint32)
`;

describe('view arithmetic against NumPy (no device)', () => {
  test('random chains of permute, slice, broadcast, expandDims, squeeze and reshape', () => {
    const cases = fc.sample(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { numRuns: 400, seed: 20261126 }).map(makeCase);
    const r = numpy(PY.replace('{CASES}', JSON.stringify(JSON.stringify(cases))), {});
    const meta = JSON.parse(decode(npOut(r, 'meta'))) as { shapes: number[][]; values: number[][]; views: boolean[][] };
    cases.forEach((c, k) => {
      const js = applyJs(c);
      const what = `case ${k}: ${JSON.stringify(c)}`;
      expect(js.shape, what).toEqual(meta.shapes[k]);
      expect(js.values, what).toEqual(meta.values[k]);
      // A reshape must copy exactly when NumPy's does (for non-empty arrays).
      const npViews = meta.views[k] ?? [];
      js.views.forEach((v, j) => {
        if (npViews[j] !== undefined && sizeOf(js.shape) > 0) expect(v, `${what}: reshape ${j} view?`).toBe(npViews[j]);
      });
    });
  });

  test('broadcast shapes follow np.broadcast_shapes, and the failures are ShapeErrors', () => {
    const shape = fc.array(fc.constantFrom(0, 1, 2, 3), { maxLength: 5 });
    const pairs = fc.sample(fc.tuple(shape, shape), { numRuns: 300, seed: 7 });
    const code = `
pairs = json.loads(${JSON.stringify(JSON.stringify(pairs))})
res = []
for a, b in pairs:
    try: res.append(list(np.broadcast_shapes(tuple(a), tuple(b))))
    except ValueError: res.append(None)
out['meta'] = np.frombuffer(json.dumps(res).encode(), dtype=np.uint8).astype(np.uint32)
`;
    const expected = JSON.parse(decode(npOut(numpy(code, {}), 'meta'))) as (number[] | null)[];
    pairs.forEach(([a, b], k) => {
      const want = expected[k];
      if (want === null) expect(() => broadcastShapes('add', a, b), JSON.stringify([a, b])).toThrow(ShapeError);
      else expect(broadcastShapes('add', a, b), JSON.stringify([a, b])).toEqual(want);
    });
  });

  test('properties: a view reads the base at the mapped positions; transposing twice is the identity', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), (shape) => {
        const l: Layout = { shape, strides: cStrides(shape), offset: 0 };
        expect(isCContiguous(l)).toBe(true);
        const rev = shape.map((_, i) => shape.length - 1 - i);
        const t = permuteLayout('t', l, rev);
        const tt = permuteLayout('t', t, rev);
        expect(Array.from(storageIndices(tt))).toEqual(Array.from(storageIndices(l)));
        // Element (i, j, ...) of the transpose is element (..., j, i) of the base.
        const idx = storageIndices(t);
        const base = storageIndices(l);
        const ts = t.shape;
        for (let f = 0; f < idx.length; f++) {
          const coord: number[] = [];
          let rem = f;
          for (let d = ts.length - 1; d >= 0; d--) {
            coord[d] = rem % (ts[d] ?? 1);
            rem = Math.floor(rem / (ts[d] ?? 1));
          }
          const back = [...coord].reverse();
          const flat = back.reduce((acc, c, d) => acc * (shape[d] ?? 1) + c, 0);
          if (idx[f] !== base[flat]) return false;
        }
        return true;
      }),
      { seed: 11, numRuns: 200 },
    );
  });

  test('errors: an axis out of range or repeated is an ArgumentError; an index out of range too; slices clamp', () => {
    const l: Layout = { shape: [3, 4], strides: [4, 1], offset: 0 };
    expect(() => permuteLayout('transpose', l, [0, 2])).toThrow(ArgumentError);
    expect(() => permuteLayout('transpose', l, [1, 1])).toThrow(ArgumentError);
    expect(() => sliceLayout('slice', l, [3])).toThrow(ArgumentError);
    expect(() => sliceLayout('slice', l, [-4])).toThrow(ArgumentError);
    expect(() => sliceLayout('slice', l, [[0, 2, 0]])).toThrow(ArgumentError);
    expect(sliceLayout('slice', l, [[-10, 10]]).shape).toEqual([3, 4]); // clamps, as NumPy
    expect(() => broadcastLayout('broadcastTo', l, [2, 4])).toThrow(ShapeError);
  });
});
