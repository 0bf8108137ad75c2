/**
 * take (np.take) against NumPy on the fixture's engine: every axis, no axis, negative and repeated indices,
 * views as inputs, empty inputs, a one-hot from an identity, and out-of-range indices failing the op.
 */
import { expect } from 'vitest';
import { add, ArgumentError, bincount, take } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { npOut, numpy, randomF32 } from './helpers.js';

gpuTest('take along every axis, and flattened, matches np.take for f32, i32 and u32 with i32 and u32 indices', async ({ device }) => {
  const shape = [4, 5, 6];
  const xf = randomF32(120, 11, -100, 100);
  const idx = new Int32Array([3, -1, 0, 3, -4, 2]); // repeats and negatives, valid on every axis (extent ≥ 4)
  const code = `
x = inp['x'].reshape(4, 5, 6); i = inp['i'].reshape(2, 3)
for ax in (0, 1, 2, -1):
    out[f'a{ax}'] = np.take(x, i, axis=ax).ravel(); out[f's{ax}'] = np.array(np.take(x, i, axis=ax).shape, dtype=np.uint32)
out['flat'] = np.take(x, i).ravel()
out['u'] = np.take(x, np.array([0, 119, 7, 7], dtype=np.uint32), axis=None).ravel()
`;
  const ref = numpy(code, { x: xf, i: idx });
  for (const dtype of ['f32', 'i32', 'u32'] as const) {
    const data = dtype === 'f32' ? xf : dtype === 'i32' ? Int32Array.from(xf, Math.round) : Uint32Array.from(xf, (v) => Math.abs(Math.round(v)));
    const cast = (a: ArrayLike<number>): ArrayLike<number> => (dtype === 'f32' ? a : dtype === 'i32' ? Int32Array.from(a, Math.round) : Uint32Array.from(a, (v) => Math.abs(Math.round(v))));
    using x = device.array(data, { shape });
    using i = device.array(idx, { shape: [2, 3] });
    for (const ax of [0, 1, 2, -1]) {
      using r = take(x, i, ax);
      expect(r.shape, `${dtype} axis ${ax}`).toEqual(Array.from(npOut(ref, `s${ax}`)));
      expect(r.dtype).toBe(dtype);
      expectArrayEqual(await r.toArray(), cast(npOut(ref, `a${ax}`)));
    }
    using f = take(x, i);
    expect(f.shape).toEqual([2, 3]);
    expectArrayEqual(await f.toArray(), cast(npOut(ref, 'flat')));
    using iu = device.array(new Uint32Array([0, 119, 7, 7]));
    using u = take(x, iu);
    expectArrayEqual(await u.toArray(), cast(npOut(ref, 'u')));
  }
});

gpuTest('take reads views (a transposed x, strided indices) and gives empty results for empty indices', async ({ device }) => {
  const xf = randomF32(30, 5);
  const ref = numpy(`x = inp['x'].reshape(5, 6).T; out['t'] = np.take(x, np.array([4, 0, -2]), axis=1).ravel(); out['s'] = np.take(x, np.array([1, 3, 5]), axis=0).ravel()`, { x: xf });
  using x = device.array(xf, { shape: [5, 6] });
  using xt = x.T;
  using i = device.array(new Int32Array([4, 9, 0, 9, -2, 9]));
  using iv = i.slice([0, 6, 2]); // [4, 0, -2]
  using t = take(xt, iv, 1);
  expect(t.shape).toEqual([6, 3]);
  expectArrayEqual(await t.toArray(), npOut(ref, 't'));
  using all = device.array(new Uint32Array([0, 1, 2, 3, 4, 5]));
  using odd = all.slice([1, 6, 2]); // [1, 3, 5]
  using s = take(xt, odd, 0);
  expectArrayEqual(await s.toArray(), npOut(ref, 's'));
  using none = device.array(new Int32Array(0));
  using e = take(x, none, 1);
  expect(e.shape).toEqual([5, 0]);
  expect((await e.toArray()).length).toBe(0);
  using empty = device.array(new Float32Array(0), { shape: [0, 3] });
  using e2 = take(empty, none, 0);
  expect(e2.shape).toEqual([0, 3]);
});

gpuTest('a one-hot is one take of an identity: matches np.eye(k)[labels]', async ({ device }) => {
  const k = 7;
  const labels = Int32Array.from({ length: 50 }, (_, j) => (j * 5 + 3) % k);
  const ref = numpy(`out['h'] = np.eye(${k}, dtype=np.float32)[inp['l']].ravel()`, { l: labels });
  using eye = device.array(Float32Array.from({ length: k * k }, (_, j) => (j % (k + 1) === 0 ? 1 : 0)), { shape: [k, k] });
  using l = device.array(labels);
  using h = take(eye, l, 0);
  expect(h.shape).toEqual([50, k]);
  expectArrayEqual(await h.toArray(), npOut(ref, 'h'));
});

gpuTest('an index out of range fails take with an ArgumentError naming the op and the value, never a wrap or clamp', async ({ device }) => {
  using x = device.array(randomF32(12, 3), { shape: [3, 4] });
  using big = device.array(new Int32Array([0, 4, 1]));
  using r = take(x, big, 1);
  await expect(r.toArray()).rejects.toThrow(ArgumentError);
  await expect(r.toArray()).rejects.toThrow(/take: 1 index is out of range for axis 1 of extent 4 \(largest 4\)/);
  await expect(device.sync()).rejects.toThrow(/take/);
  using neg = device.array(new Int32Array([-5, -4, -1]));
  using r2 = take(x, neg, 1);
  await expect(r2.toArray()).rejects.toThrow(/most negative -5/);
  await expect(device.sync()).rejects.toThrow(ArgumentError);
  using u = device.array(new Uint32Array([2 ** 32 - 1]));
  using r3 = take(x, u, 0); // as u32 this is 4294967295, not -1
  await expect(device.sync()).rejects.toThrow(/largest 4294967295/);
  await expect(r3.toArray()).rejects.toThrow(ArgumentError);
  // What is computed from a failed take, and views of it, fail with its error too.
  using r6 = take(x, big, 1);
  using sum = add(r6, r6);
  using view = r6.T;
  await expect(sum.toArray()).rejects.toThrow(/take: 1 index is out of range/);
  await expect(view.toArray()).rejects.toThrow(/take: 1 index is out of range/);
  await expect(device.sync()).rejects.toThrow(ArgumentError);
  // A good take after a bad one is unaffected.
  using ok = device.array(new Int32Array([-1]));
  using r4 = take(x, ok, 0);
  expectArrayEqual(await r4.toArray(), (await x.toArray()).slice(8, 12));
  // An empty x with indices: every index is out of range (NumPy raises too).
  using empty = device.array(new Float32Array(0), { shape: [0, 4] });
  using zero = device.array(new Int32Array([0]));
  using r5 = take(empty, zero, 0);
  await expect(r5.toArray()).rejects.toThrow(/extent 0/);
  await expect(device.sync()).rejects.toThrow(ArgumentError);
});

gpuTest('take and bincount past 65,535 workgroups of 64 (a 2-D dispatch) match a direct loop', async ({ device }) => {
  const m = 65_535 * 64 + 7;
  const xs = new Float32Array([0.5, -1, 2, 7, -3, 9, 11, 4]);
  const ids = Int32Array.from({ length: m }, (_, j) => ((j * 2654435761) >>> 0) % 8);
  using x = device.array(xs);
  using i = device.array(ids);
  using r = take(x, i);
  const got = await r.toArray();
  let bad = -1;
  for (let j = 0; j < m && bad < 0; j++) if (got[j] !== xs[ids[j] ?? 0]) bad = j;
  expect(bad, `first wrong element at ${bad}`).toBe(-1);
  using c = await bincount(i);
  const counts = new Array<number>(8).fill(0);
  for (const k of ids) counts[k] = (counts[k] ?? 0) + 1;
  expectArrayEqual(await c.toArray(), counts);
});

gpuTest('take gathers a bool array (stored as u32 0/1) along an axis and flattened, as np.take; the result is bool (was a DTypeError)', async ({ device }) => {
  const bits = Uint32Array.from({ length: 24 }, (_, k) => ((k * 7) % 5 < 2 ? 1 : 0));
  const idx = new Int32Array([3, -1, 0, 3]);
  const ref = numpy(`
x = inp['x'].reshape(4, 6).astype(bool); i = inp['i']
out['a0'] = np.take(x, i, axis=0).ravel().astype(np.uint32)
out['a1'] = np.take(x, i, axis=1).ravel().astype(np.uint32)
out['flat'] = np.take(x, i).astype(np.uint32)
`, { x: bits, i: idx });
  using x = device.array(bits, { dtype: 'bool', shape: [4, 6] });
  using i = device.array(idx);
  using a0 = take(x, i, { axis: 0 });
  using a1 = take(x, i, { axis: 1 });
  using flat = take(x, i);
  for (const [r, k, shape] of [[a0, 'a0', [4, 6]], [a1, 'a1', [4, 4]], [flat, 'flat', [4]]] as const) {
    expect(r.dtype, k).toBe('bool');
    expect(r.shape, k).toEqual(shape);
    expectArrayEqual(await r.toArray(), npOut(ref, k));
  }
  // Empty indices: an empty bool result.
  using none = device.array(new Int32Array(0));
  using e = take(x, none, { axis: 0 });
  expect([e.dtype, e.shape]).toEqual(['bool', [0, 6]]);
});
