/**
 * The standard's linalg beyond matmul, against NumPy (float64 references, f32 inputs): vecdot (with
 * broadcasting, negative axes, non-contiguous views, an empty contracted axis), tensordot (integer and list
 * axes, 0 = outer product, transposed inputs), outer (exact: one rounding per product, compared with NumPy's
 * f32 outer), trace (offsets past the edges, stacks, i32) and the `linalg` namespace; bad arguments are
 * typed errors. Tolerances: the f32 dot bound of test/tolerance.ts's kind, stated per call: |err| ≤
 * k · 2^-23 · Σ|x1·x2| (k terms, each product and partial sum rounded once).
 */
import { expect } from 'vitest';
import { ArgumentError, diagonal, DTypeError, linalg, matmul, outer, ShapeError, tensordot, trace, vecdot } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { npOut, numpy, randomF32 } from './helpers.js';

/** |got − want| ≤ k·2^-23·mag elementwise (mag = Σ|products|, from NumPy in float64). */
function expectDot(got: ArrayLike<number>, want: ArrayLike<number>, mag: ArrayLike<number>, k: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    const bound = Math.max(1, k) * 2 ** -23 * (mag[i] ?? 0) + 1e-30;
    const err = Math.abs((got[i] ?? NaN) - (want[i] ?? NaN));
    if (!(err <= bound)) expect.fail(`element ${i}: got ${got[i]}, want ${want[i]} (|err| ${err} > ${bound})`);
  }
}

const A = randomF32(2 * 3 * 4, 1);
const B = randomF32(4 * 3 * 5, 2);

gpuTest('vecdot and tensordot match NumPy within the f32 dot bound', async ({ device }) => {
  const ref = numpy(`
a = inp['a'].reshape(2, 3, 4).astype(np.float64)
b = inp['b'].reshape(4, 3, 5).astype(np.float64)
def put(k, v, m):
    out[k] = np.asarray(v, np.float64); out[k + '_m'] = np.asarray(m, np.float64); out[k + '_s'] = np.array(np.shape(v), np.int32)
put('vd', np.sum(a * a[1], -1), np.sum(np.abs(a * a[1]), -1))
put('vd0', np.sum(a * a[:, :1], 0), np.sum(np.abs(a * a[:, :1]), 0))
put('vdT', np.sum(a.transpose(0, 2, 1) * b[:, 0, :3][None], 1), np.sum(np.abs(a.transpose(0, 2, 1) * b[:, 0, :3][None]), 1))
put('td2', np.tensordot(a[:, :, :3], b[:3, :, 0].T, 2), np.tensordot(np.abs(a[:, :, :3]), np.abs(b[:3, :, 0].T), 2))
put('tdL', np.tensordot(a, b, ([2, 1], [0, 1])), np.tensordot(np.abs(a), np.abs(b), ([2, 1], [0, 1])))
put('td0', np.tensordot(a[0, 0], b[0, 0], 0), np.abs(np.tensordot(a[0, 0], b[0, 0], 0)))
put('tr', np.trace(a, 0, -2, -1), np.trace(np.abs(a), 0, -2, -1))
put('tr1', np.trace(b, 2, -2, -1), np.trace(np.abs(b), 2, -2, -1))
put('trm', np.trace(b, -2, -2, -1), np.trace(np.abs(b), -2, -2, -1))
put('trFar', np.trace(b, 9, -2, -1), np.trace(np.abs(b), 9, -2, -1))
`, { a: A, b: B });
  using a = device.array(A, { shape: [2, 3, 4] });
  using b = device.array(B, { shape: [4, 3, 5] });
  using a1 = a.slice(1);
  using a0 = a.slice(null, [0, 1]);
  using at = a.transpose(0, 2, 1);
  using bcol = b.slice(null, 0, [0, 3]);
  using bcol3 = bcol.slice('newaxis');
  using a3 = a.slice(null, null, [0, 3]);
  using b3 = b.slice([0, 3], null, 0);
  using bt3 = b3.T;
  using a00 = a.slice(0, 0);
  using b00 = b.slice(0, 0);
  const cases: [string, () => { result: ReturnType<typeof vecdot>; k: number }][] = [
    ['vd', () => ({ result: vecdot(a, a1), k: 4 })],
    ['vd0', () => ({ result: vecdot(a, a0, { axis: 0 }), k: 2 })],
    ['vdT', () => ({ result: vecdot(at, bcol3, { axis: -2 }), k: 4 })],
    ['td2', () => ({ result: tensordot(a3, bt3, { axes: 2 }), k: 9 })],
    ['tdL', () => ({ result: tensordot(a, b, { axes: [[2, 1], [0, 1]] }), k: 12 })],
    ['td0', () => ({ result: tensordot(a00, b00, { axes: 0 }), k: 1 })],
    ['tr', () => ({ result: trace(a), k: 3 })],
    ['tr1', () => ({ result: trace(b, { offset: 2 }), k: 3 })],
    ['trm', () => ({ result: linalg.trace(b, { offset: -2 }), k: 3 })],
    ['trFar', () => ({ result: trace(b, { offset: 9 }), k: 1 })],
  ];
  for (const [name, f] of cases) {
    const { result, k } = f();
    try {
      expect([...result.shape], name).toEqual([...npOut(ref, `${name}_s`)]);
      expectDot(await result.toArray(), npOut(ref, name), npOut(ref, `${name}_m`), k);
    } finally {
      result.destroy();
    }
  }
});

gpuTest('outer is exact (NumPy f32 outer); i32 trace and vecdot are exact; linalg namespace is the same functions', async ({ device }) => {
  const u = new Float32Array([1.1, -0, 3e38, NaN, -2.5]);
  const v = new Float32Array([2, -1e-30, Infinity]);
  const ref = numpy('out["o"] = np.outer(inp["u"], inp["v"])', { u, v });
  using x = device.array(u);
  using y = device.array(v);
  using o = outer(x, y);
  expect(o.shape).toEqual([5, 3]);
  expectArrayEqual(await o.toArray(), npOut(ref, 'o'));
  using xs = x.slice([null, null, -2]);
  using o2 = linalg.outer(xs, y);
  expect(o2.shape).toEqual([3, 3]);
  using m = device.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]], { dtype: 'i32' });
  using t = trace(m);
  expect([t.shape, [...(await t.toArray())]]).toEqual([[], [15]]);
  using d = vecdot(m, m);
  expect([...(await d.toArray())]).toEqual([14, 77, 194]);
  expect(linalg.matmul).toBe(matmul);
  using e = device.zeros([3, 0]);
  using e2 = device.zeros([0, 2]);
  using ee = tensordot(e, e2, { axes: 1 }); // an empty contracted axis: zeros
  expect([...(await ee.toArray())]).toEqual([0, 0, 0, 0, 0, 0]);
  using dg = m.diagonal(1);
  expect([dg.shape, [...(await dg.toArray())], dg.writable]).toEqual([[2], [2, 6], false]);
  const ref2 = numpy('b = inp["b"].reshape(4, 3, 5)\nfor o in (-3, -1, 0, 2, 5): out[str(o)] = np.diagonal(b, o, -2, -1).copy()', { b: B });
  using b = device.array(B, { shape: [4, 3, 5] });
  using bt = b.transpose(0, 2, 1);
  for (const o of [-3, -1, 0, 2, 5]) {
    using dv = linalg.diagonal(b, { offset: o });
    expect(dv.isView).toBe(true);
    expectArrayEqual(await dv.toArray(), npOut(ref2, String(o)));
    using dt = diagonal(bt, { offset: -o }); // the diagonal of the transposed view: the same elements
    expectArrayEqual(await dt.toArray(), npOut(ref2, String(o)));
  }
  using v1 = device.array([1, 2, 3]);
  expect(() => diagonal(v1)).toThrow(ShapeError);
  expect(() => diagonal(m, { k: 1 } as never)).toThrow(/unknown options key k/);
});

gpuTest('bad arguments are typed errors', ({ device }) => {
  using a = device.array(A, { shape: [2, 3, 4] });
  using i = device.array([1, 2, 3, 4], { dtype: 'i32' });
  using v = device.array([1, 2, 3]);
  using bo = device.array([true, false], { dtype: 'bool' });
  const before = device.memory.inUseBytes;
  expect(() => vecdot(a, v as never)).toThrow(ShapeError);
  expect(() => vecdot(a, i as never)).toThrow(DTypeError);
  expect(() => vecdot(a, a, { axis: 3 })).toThrow(ArgumentError);
  expect(() => vecdot(a, a, { axes: 1 } as never)).toThrow(/unknown options key axes/);
  expect(() => tensordot(a, a, { axes: 4 })).toThrow(/must lie in \[0, 3\]/);
  expect(() => tensordot(a, a, { axes: [[0], [1]] })).toThrow(/extent 2 but axis 1 of x2 has 3/);
  expect(() => tensordot(a, a, { axes: [[0, 1], [0]] })).toThrow(/differ in length/);
  expect(() => tensordot(bo, bo, { axes: 1 })).toThrow(/^tensordot: x1 and x2 are bool; .*takes f32, i32 or u32/);
  expect(() => tensordot(a, a, { axes: 'x' as never })).toThrow(ArgumentError);
  expect(() => outer(a, v)).toThrow(/must be 1-d/);
  expect(() => trace(v)).toThrow(/at least 2 dimensions/);
  expect(() => trace(a, { offset: 0.5 })).toThrow(ArgumentError);
  expect(device.memory.inUseBytes).toBe(before);
});
