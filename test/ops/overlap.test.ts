/**
 * Inputs that overlap an output in another layout (a row of it, its transpose, a reversed or same-layout
 * view, the scatter target itself) against NumPy, whose rule is that the result equals computing from a copy
 * of the inputs (`X -= X[0]`, `np.add.at(t, idx, t)`): both engines compute exactly that. Two outputs on one
 * memory, and a raw input on an output's memory, are refused on both.
 */
import { expect } from 'vitest';
import { add, ArgumentError, axpy, maximum, mul, scatterAdd, sub } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { npOut, numpy, randomF32, randomI32 } from './helpers.js';

gpuTest('elementwise ops with an input overlapping out in another layout compute from a copy, as NumPy', async ({ device }) => {
  // 3 × 67: rows of a size that is not a multiple of 4 (vec4 and scalar tail), a square for the transpose.
  const xh = randomF32(3 * 67, 11, -100, 100);
  const sq = randomF32(9 * 9, 12, -100, 100);
  const ih = randomI32(3 * 67, 13, 2 ** 20);
  const ref = numpy(
    `
X = inp['x'].reshape(3, 67).copy(); np.subtract(X, X[0:1], out=X); out['rowsub'] = X
X = inp['x'].reshape(3, 67).copy(); np.maximum(X, X[2:3], out=X); out['rowmax'] = X
X = inp['x'].reshape(3, 67).copy(); X += np.float32(2) * X[1:2]; out['axpy'] = X
S = inp['s'].reshape(9, 9).copy(); np.multiply(S, S.T, out=S); out['tmul'] = S
a = inp['x'].copy(); np.add(a, a, out=a[:]); out['same'] = a
I = inp['i'].reshape(3, 67).copy(); np.subtract(I, I[1:2], out=I); out['irow'] = I
`,
    { x: xh, s: sq, i: ih },
  );
  using x1 = device.array(xh, { shape: [3, 67] });
  expect(sub(x1, x1.slice([0, 1]), x1)).toBe(x1);
  expectArrayEqual(await x1.toArray(), npOut(ref, 'rowsub'));
  using x2 = device.array(xh, { shape: [3, 67] });
  maximum(x2, x2.slice([2, 3]), x2);
  expectArrayEqual(await x2.toArray(), npOut(ref, 'rowmax'));
  using x3 = device.array(xh, { shape: [3, 67] });
  axpy(2, x3.slice([1, 2]), x3);
  // a·x + y may fuse into one FMA: within one rounding of the product (|2x| ≤ 200: 2^-17) and of the sum.
  const got3 = await x3.toArray();
  const want3 = npOut(ref, 'axpy');
  for (let i = 0; i < want3.length; i++) expect(Math.abs((got3[i] ?? 0) - (want3[i] ?? 0)), `axpy element ${i}`).toBeLessThanOrEqual(2 ** -17 + 2 ** -24 * Math.abs(want3[i] ?? 0));
  using s = device.array(sq, { shape: [9, 9] });
  mul(s, s.T, s);
  expectArrayEqual(await s.toArray(), npOut(ref, 'tmul'));
  using a = device.array(xh);
  const view = a.slice(null);
  try {
    expect(add(a, a, view)).toBe(view);
  } finally {
    view.destroy();
  }
  expectArrayEqual(await a.toArray(), npOut(ref, 'same'));
  using i = device.array(ih, { shape: [3, 67] });
  sub(i, i.slice([1, 2]), i);
  expectArrayEqual(await i.toArray(), npOut(ref, 'irow'));
});

gpuTest("a builder's input reversed over its own output reads the old values (NumPy's y += y[::-1])", async ({ device }) => {
  const f = await device.elementwise({ name: 'accumulate', args: 'x: T[], y: T[]', body: 'y = y + x' });
  for (const n of [1, 2, 7, 1001]) {
    const yh = randomF32(n, 20 + n, -10, 10);
    const ref = numpy(`y = inp['y'].copy(); y += y[::-1]; out['y'] = y`, { y: yh });
    using y = device.array(yh);
    const rev = y.slice([null, null, -1]);
    try {
      f({ x: rev, y });
    } finally {
      rev.destroy();
    }
    expectArrayEqual(await y.toArray(), npOut(ref, 'y'));
  }
});

gpuTest('scatterAdd with values or indices in the target reads them from a copy, as np.add.at', async ({ device }) => {
  const th = randomF32(64, 31, -10, 10);
  // A permutation: each slot gets one add, so the f32 result is one rounding, the same in any order.
  const perm = Int32Array.from({ length: 64 }, (_, k) => (k * 37 + 5) % 64);
  const ti = new Int32Array([3, 0, 3, 1, 2, 7, 7, -1]); // the target is its own index array: repeats, a negative
  const ref = numpy(
    `
t = inp['t'].copy(); np.add.at(t, inp['p'], t); out['f'] = t
u = inp['u'].copy(); np.add.at(u, u, u); out['i'] = u
`,
    { t: th, p: perm, u: ti },
  );
  using t = device.array(th);
  using p = device.array(perm);
  expect(scatterAdd(t, p, t)).toBe(t);
  expectArrayEqual(await t.toArray(), npOut(ref, 'f'));
  using u = device.array(ti);
  scatterAdd(u, u, u);
  expectArrayEqual(await u.toArray(), npOut(ref, 'i'));
});

gpuTest('two outputs on one memory, or a raw input on an output, are refused on both engines', async ({ device }) => {
  const split = await device.elementwise({ name: 'split', args: 'x: T[], lo: T[], hi: T[]', body: 'lo = x - 1.0; hi = x + 1.0' });
  using x = device.array(new Float32Array([1, 2, 3]));
  using o = device.zeros(3);
  const same = o.slice(null);
  try {
    expect(() => split({ x, lo: o, hi: same })).toThrow(ArgumentError);
    expect(() => split({ x, lo: o, hi: same })).toThrow(/outputs 'lo' and 'hi' are views of the same memory/);
    const rev = await device.elementwise({ name: 'rev', args: 't: raw T[], out: T[]', body: 'out = t[n - 1u - i]' });
    expect(() => rev({ t: same, out: o })).toThrow(/raw argument 't' shares memory with output 'out'/);
  } finally {
    same.destroy();
  }
  expectArrayEqual(await o.toArray(), [0, 0, 0]);
});
