/**
 * matmul from the arrays' shapes (NumPy's matmul) on both engines, against NumPy: 2-D, transposed views
 * read through the transpose flags, 1-D promotion, batched stacks whose batch axes broadcast, and the
 * shape errors. Small integers: every product is exact in f32, so results compare exactly.
 */
import { expect } from 'vitest';
import { matmul, ShapeError } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { npOut, numpy } from './helpers.js';

function ints(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => ((i * 7 + seed * 5) % 9) - 4);
}

gpuTest('matmul reads shapes: 2-D, transposed views, 1-D operands and broadcast batches match NumPy exactly', async ({ device }) => {
  const a = ints(3 * 5 * 4, 1); // (3, 1, 5, 4)
  const b = ints(1 * 2 * 4 * 6, 2); // (1, 2, 4, 6)
  const w = ints(6 * 4, 3); // (6, 4): used as w.T (4, 6)
  const v = ints(4, 4);
  const ref = numpy(
    `
a = inp['a'].astype(np.float64).reshape(3, 1, 5, 4); b = inp['b'].astype(np.float64).reshape(1, 2, 4, 6)
w = inp['w'].astype(np.float64).reshape(6, 4); v = inp['v'].astype(np.float64)
a2 = a[0, 0]
out['mm'] = (a2 @ w.T).ravel(); out['batch'] = np.matmul(a, b).ravel(); out['vec'] = (v @ w.T).ravel()
out['matvec'] = (a2 @ v).ravel(); out['tt'] = (w.T.T @ w.T).ravel(); out['shape'] = np.array(np.matmul(a, b).shape, dtype=np.uint32)
`,
    { a, b, w, v },
  );
  using A = device.array(a, { shape: [3, 1, 5, 4] });
  using B = device.array(b, { shape: [1, 2, 4, 6] });
  using W = device.array(w, { shape: [6, 4] });
  using V = device.array(v);
  using a2 = A.slice(0, 0);
  using mm = matmul(a2, W.T);
  expect(mm.shape).toEqual([5, 6]);
  expectArrayEqual(await mm.toArray(), npOut(ref, 'mm'));
  using batch = matmul(A, B);
  expect(batch.shape).toEqual(Array.from(npOut(ref, 'shape')));
  expectArrayEqual(await batch.toArray(), npOut(ref, 'batch'));
  using vec = matmul(V, W.T);
  expect(vec.shape).toEqual([6]);
  expectArrayEqual(await vec.toArray(), npOut(ref, 'vec'));
  using mv = matmul(a2, V);
  expect(mv.shape).toEqual([5]);
  expectArrayEqual(await mv.toArray(), npOut(ref, 'matvec'));
  using dot = matmul(V, V); // 1-D · 1-D: a 0-d result, as NumPy's
  expect(dot.shape).toEqual([]);
  expect(await dot.item()).toBe(v.reduce((acc, e) => acc + e * e, 0));
  using tt = matmul(W, W.T);
  expectArrayEqual(await tt.toArray(), npOut(ref, 'tt'));
  // Misaligned inner axes and non-broadcastable batches are ShapeErrors naming the shapes.
  expect(() => matmul(W, W)).toThrow(ShapeError);
  using C = device.zeros([3, 4, 6]);
  using D = device.zeros([2, 5, 4]);
  expect(() => matmul(D, C)).toThrow(ShapeError);
});

gpuTest('tall-skinny products (computed transposed on Dawn) match NumPy for every transpose combination', async ({ device }) => {
  const m = 300;
  const k = 70;
  const n = 7;
  const a = ints(m * k, 5);
  const b = ints(k * n, 6);
  const ref = numpy(`out['c'] = (inp['a'].astype(np.float64).reshape(${m}, ${k}) @ inp['b'].astype(np.float64).reshape(${k}, ${n})).ravel()`, { a, b });
  const at = new Float32Array(k * m);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) at[p * m + i] = a[i * k + p] ?? 0;
  const bt = new Float32Array(n * k);
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) bt[j * k + p] = b[p * n + j] ?? 0;
  using A = device.array(a, { shape: [m, k] });
  using B = device.array(b, { shape: [k, n] });
  using AT = device.array(at, { shape: [k, m] });
  using BT = device.array(bt, { shape: [n, k] });
  for (const [what, x, y] of [['a·b', A, B], ['(aᵀ)ᵀ·b', AT.T, B], ['a·(bᵀ)ᵀ', A, BT.T], ['(aᵀ)ᵀ·(bᵀ)ᵀ', AT.T, BT.T]] as const) {
    using c = matmul(x, y);
    expect(c.shape, what).toEqual([m, n]);
    expectArrayEqual(await c.toArray(), npOut(ref, 'c'));
  }
});
