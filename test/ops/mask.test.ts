/**
 * nonzero(x) and boolean-mask indexing booleanIndex(x, mask) (NumPy's x[mask]) against NumPy, on both
 * engines: NaN counts as non-zero and ±0 as zero; masks over all axes or only the leading ones; nothing or
 * everything selected; empty inputs; non-contiguous x and mask; a size that spans several scan blocks; values
 * moved bit for bit (-0, i32 extremes); bad dtypes and shapes refused before anything runs.
 */
import { expect } from 'vitest';
import { booleanIndex, DTypeError, nonzero, ShapeError, type DeviceArray } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { npOut, numpy, randomF32 } from './helpers.js';

const X = new Float32Array([0, 1.5, -0, NaN, 0, -2, Infinity, 0, 3, 0, 0, -0.25]);

async function readAll(arrays: DeviceArray[]): Promise<number[][]> {
  try {
    return await Promise.all(arrays.map(async (a) => [...(await a.toArray())]));
  } finally {
    for (const a of arrays) a.destroy();
  }
}

gpuTest('nonzero of 1-d, 2-d, 3-d and transposed arrays matches np.nonzero (C order)', async ({ device }) => {
  const ref = numpy(`
x = inp['x']
for k, a in {'a': x, 'b': x.reshape(3, 4), 'c': x.reshape(2, 3, 2), 'd': x.reshape(3, 4).T, 'z': np.zeros(5, np.float32), 'e': np.zeros((0, 3), np.float32)}.items():
    for j, v in enumerate(np.nonzero(a)): out[k + str(j)] = v.astype(np.int32)
`, { x: X });
  using x = device.array(X);
  using b = x.reshape([3, 4]);
  using c = x.reshape([2, 3, 2]);
  using d = b.T;
  using z = device.zeros([5]);
  using e = device.zeros([0, 3]);
  for (const [k, a] of [['a', x], ['b', b], ['c', c], ['d', d], ['z', z], ['e', e]] as const) {
    const got = await readAll(await nonzero(a));
    expect(got.length, k).toBe(a.ndim);
    for (const [dim, v] of got.entries()) expectArrayEqual(v, npOut(ref, `${k}${dim}`));
  }
  using i = device.array([-2147483648, 0, 2147483647, 0], { dtype: 'i32' });
  expect(await readAll(await nonzero(i))).toEqual([[0, 2]]);
  using u = device.array([0, 4294967295, 1], { dtype: 'u32' });
  expect(await readAll(await nonzero(u))).toEqual([[1, 2]]);
});

gpuTest('booleanIndex: x[mask] for full and leading-axis masks, views, none and all selected', async ({ device }) => {
  const ref = numpy(`
x = inp['x'].reshape(3, 4)
m = x != 0
out['full'] = x[m]
out['rows'] = x[np.array([True, False, True])]
out['tcols'] = x.T[np.array([False, True, True, False])]
out['none'] = x[np.zeros((3, 4), bool)]
out['all'] = x[np.ones(3, bool)]
`, { x: X });
  using x = device.array(X, { shape: [3, 4] });
  using mask = device.array(X.map((v) => (v !== 0 || Number.isNaN(v) ? 1 : 0)), { dtype: 'u32', shape: [3, 4] });
  using full = await booleanIndex(x, mask);
  expect(full.shape).toEqual([6]); // NaN is true, ±0 false
  const f = await full.toArray();
  expectArrayEqual(f, npOut(ref, 'full'));
  using rowsMask = device.array([1, 0, 7], { dtype: 'u32' }); // any non-zero value is true
  using rows = await booleanIndex(x, rowsMask);
  expect(rows.shape).toEqual([2, 4]);
  const r = await rows.toArray();
  expectArrayEqual(r, npOut(ref, 'rows'));
  expect(Object.is(r[2], -0)).toBe(true); // moved bit for bit
  using colsBase = device.array([0, 1, 0, 1, 1, 0, 0, 0], { dtype: 'u32' });
  using colsMask = colsBase.slice([1, 8, 2]); // a stepped view: elements 1, 3, 5, 7 = [1, 1, 0, 0]
  using t = x.T;
  using tcols = await booleanIndex(t, colsMask);
  const want = [...(await colsMask.toArray())];
  expect(want).toEqual([1, 1, 0, 0]);
  const ref2 = numpy('x = inp["x"].reshape(3, 4)\nout["t"] = x.T[np.array([True, True, False, False])]', { x: X });
  expect(tcols.shape).toEqual([2, 3]);
  expectArrayEqual(await tcols.toArray(), npOut(ref2, 't'));
  using noneMask = device.zeros([3, 4], { dtype: 'u32' });
  using none = await booleanIndex(x, noneMask);
  expect(none.shape).toEqual([0]);
  using allMask = device.array([1, 1, 1], { dtype: 'u32' });
  using all = await booleanIndex(x, allMask);
  expectArrayEqual(await all.toArray(), npOut(ref, 'all'));
});

gpuTest('booleanIndex over 70,000 elements (several scan blocks) keeps C order and exact values', async ({ device }) => {
  const n = 70_001;
  const data = randomF32(n, 7);
  using x = device.array(data);
  using m = device.array(Uint32Array.from(data, (v) => (v > 0.3 ? 1 : 0)), { dtype: 'u32' });
  const ref = numpy('x = inp["x"]\nout["s"] = x[x > np.float32(0.3)]\nout["nz"] = np.nonzero(x > np.float32(0.3))[0].astype(np.int32)', { x: data });
  using s = await booleanIndex(x, m);
  expectArrayEqual(await s.toArray(), npOut(ref, 's'));
  const [nz] = await readAll(await nonzero(m));
  expectArrayEqual(nz ?? [], npOut(ref, 'nz'));
});

gpuTest('bad masks and inputs are typed errors before anything runs', async ({ device }) => {
  using x = device.array(X, { shape: [3, 4] });
  using f = device.zeros([3, 4]);
  using short = device.zeros([4], { dtype: 'u32' });
  using s0 = device.zeros([]);
  expect(() => booleanIndex(x, f)).toThrow(DTypeError);
  expect(() => booleanIndex(x, short)).toThrow(/does not match the leading axes/);
  expect(() => booleanIndex(x, x as never)).toThrow(DTypeError);
  expect(() => nonzero(s0)).toThrow(ShapeError);
  expect(() => nonzero(null as never)).toThrow(/x must be a DeviceArray/);
});

gpuTest('booleanIndex of a bool array gives the selected bools, as x[mask] (was a DTypeError from take inside)', async ({ device }) => {
  const bits = Uint32Array.from({ length: 12 }, (_, k) => (k % 3 === 0 || k === 7 ? 1 : 0));
  const keep = Uint32Array.from({ length: 12 }, (_, k) => (k % 2 === 0 || k === 11 ? 1 : 0));
  const ref = numpy(`
x = inp['x'].reshape(3, 4).astype(bool); m = inp['m'].reshape(3, 4).astype(bool)
out['s'] = x[m].astype(np.uint32)
out['rows'] = x[np.array([True, False, True])].ravel().astype(np.uint32)
`, { x: bits, m: keep });
  using x = device.array(bits, { dtype: 'bool', shape: [3, 4] });
  using m = device.array(keep, { dtype: 'bool', shape: [3, 4] });
  using s = await booleanIndex(x, m);
  expect([s.dtype, s.shape]).toEqual(['bool', [npOut(ref, 's').length]]);
  expectArrayEqual(await s.toArray(), npOut(ref, 's'));
  using r = device.array([true, false, true]);
  using rows = await booleanIndex(x, r);
  expect([rows.dtype, rows.shape]).toEqual(['bool', [2, 4]]);
  expectArrayEqual(await rows.toArray(), npOut(ref, 'rows'));
  using empty = device.zeros([0, 4], { dtype: 'bool' });
  using em = device.zeros([0], { dtype: 'bool' });
  using e = await booleanIndex(empty, em);
  expect([e.dtype, e.shape]).toEqual(['bool', [0, 4]]);
});
