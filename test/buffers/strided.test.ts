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
  rangeSpan,
  reshapeLayout,
  sizeOf,
  sliceLayout,
  storageIndices,
  type Layout,
} from '../../src/buffers/strided.js';
import { numpy, npOut } from '../ops/helpers.js';
import { makeCase, NP_APPLY, type Case } from './view-chains.js';

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
    } else if (op.t === 'squeeze') {
      const nd = l.shape.length;
      const drop = op.axis === undefined ? l.shape.flatMap((e, d) => (e === 1 ? [d] : [])) : op.axis.map((a) => (a + nd) % nd);
      l = { shape: l.shape.filter((_, d) => !drop.includes(d)), strides: l.strides.filter((_, d) => !drop.includes(d)), offset: l.offset };
    }
    else {
      // reshapeLayout takes the resolved shape (DeviceArray.reshape infers a −1 before calling it).
      const known = op.shape.filter((e) => e !== -1).reduce((a, b) => a * b, 1);
      const shape = op.shape.map((e) => (e === -1 ? sizeOf(l.shape) / known : e));
      const r = reshapeLayout(l, shape);
      views.push(r !== undefined);
      if (r !== undefined) l = r;
      else {
        const idx = storageIndices(l);
        storage = Float64Array.from(idx, (k) => storage[k] ?? NaN);
        l = { shape, strides: cStrides(shape), offset: 0 };
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
    a, v = apply_chain(a, c['ops'])
    shapes.append(list(a.shape)); values.append(a.ravel().tolist()); views.append(v)
out['meta'] = np.frombuffer(json.dumps({'shapes': shapes, 'values': values, 'views': views}).encode(), dtype=np.uint8).astype(np.uint32)
`;

describe('view arithmetic against NumPy (no device)', () => {
  test('random chains of permute, slice, broadcast, expandDims, squeeze and reshape', () => {
    const cases = fc.sample(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { numRuns: 400, seed: 20261126 }).map(makeCase);
    const r = numpy(NP_APPLY + PY.replace('{CASES}', JSON.stringify(JSON.stringify(cases))), {});
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

  test('every slice of extents 0..6 (bounds from below −n to above n, steps ±1..±7) picks the elements Python\'s slice picks', () => {
    // Exhaustive where the clamping rules differ: each bound null, inside, at or past either end, with
    // either step sign (a start below −n with a negative step selects nothing; above n it starts at n − 1).
    const bounds: (number | null)[] = [null, ...Array.from({ length: 19 }, (_, i) => i - 9)];
    const steps = [-7, -6, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6, 7];
    const cases: [number, number | null, number | null, number][] = [];
    for (let n = 0; n <= 6; n++) for (const a of bounds) for (const b of bounds) for (const st of steps) cases.push([n, a, b, st]);
    const r = numpy(
      // The same cases in the same order (too many to pass on the command line).
      `bounds = [None] + list(range(-9, 10)); steps = ${JSON.stringify(steps)}
picked = [list(range(n))[slice(a, b, st)] for n in range(7) for a in bounds for b in bounds for st in steps]
out['count'] = np.array([len(p) for p in picked], dtype=np.uint32)
out['idx'] = np.array([i for p in picked for i in p] or [0], dtype=np.int32)`,
      {},
    );
    const count = npOut(r, 'count');
    const idx = npOut(r, 'idx');
    let at = 0;
    cases.forEach(([n, a, b, st], k) => {
      const l = sliceLayout('slice', { shape: [n], strides: [1], offset: 0 }, [[a, b, st]]);
      const got = Array.from(storageIndices(l));
      const want = Array.from(idx.subarray(at, at + (count[k] ?? 0)));
      at += count[k] ?? 0;
      if (got.length !== want.length || got.some((g, i) => g !== want[i])) {
        expect.fail(`range(${n})[${String(a)}:${String(b)}:${st}]: got [${got.join(', ')}], Python [${want.join(', ')}]`);
      }
    });
    expect(count.length).toBe(cases.length);
    expect(at).toBe(idx.length);
  });
});

describe('rangeSpan (no device)', () => {
  test('bounds every storage element a flat range of the view touches; exact for one element and the whole view', () => {
    const layout = fc
      .array(fc.record({ e: fc.integer({ min: 1, max: 5 }), s: fc.integer({ min: -9, max: 9 }) }), { minLength: 0, maxLength: 4 })
      .map((axes): Layout => ({ shape: axes.map((a) => a.e), strides: axes.map((a) => a.s), offset: 1000 }));
    fc.assert(
      fc.property(layout, fc.nat(), fc.nat(), (l, x, y) => {
        const idx = storageIndices(l);
        const n = idx.length;
        const a = x % (n + 1);
        const b = a + (y % (n - a + 1));
        const r = rangeSpan(l, a, b);
        if (a === b) {
          expect(r).toEqual({ lo: l.offset, hi: l.offset - 1 });
          return;
        }
        const touched = Array.from(idx.subarray(a, b));
        expect(r.lo).toBeLessThanOrEqual(Math.min(...touched));
        expect(r.hi).toBeGreaterThanOrEqual(Math.max(...touched));
        if (b - a === 1) expect(r).toEqual({ lo: idx[a], hi: idx[a] });
        const all = Array.from(idx);
        if (a === 0 && b === n) expect(r).toEqual({ lo: Math.min(...all), hi: Math.max(...all) });
      }),
      { numRuns: 500, seed: 24 },
    );
  });
});
