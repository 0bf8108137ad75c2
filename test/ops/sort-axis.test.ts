/**
 * sort / argsort / sortPairs along an axis keep the shape (issue 26 item 5: n-d sorts flattened before) and
 * match numpy.array_api (the 2021.12 reference: stable, `descending` as it implements it) on both engines:
 * every axis of 1-, 2- and 3-d arrays, f32 / i32 / u32, with NaN (last; first descending), ±0 (equal: input
 * order kept, visible in the result's signs and indices), ±Inf, the dtypes' extremes, ties, size 1 and empty
 * axes; argsort's indices are i32.
 */
import { expect } from 'vitest';
import { argsort, ArgumentError, ShapeError, sort, sortPairs, topk, type DType } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { numpy, npOut, type NpArray } from './helpers.js';

const CASES: { shape: number[]; dtype: DType }[] = [
  { shape: [13], dtype: 'f32' },
  { shape: [1], dtype: 'f32' },
  { shape: [4, 7], dtype: 'f32' },
  { shape: [3, 4, 5], dtype: 'f32' },
  { shape: [9], dtype: 'i32' },
  { shape: [5, 6], dtype: 'i32' },
  { shape: [2, 3, 4], dtype: 'u32' },
  { shape: [6, 1], dtype: 'u32' },
];

/** Data with ties, NaN, ±0, ±Inf and the dtype's extremes. */
function dataOf(n: number, dtype: DType, seed: number): NpArray {
  const pick = <T>(vals: readonly T[], i: number): T => vals[(i * 7 + seed * 3 + ((i * i) % 5)) % vals.length] as T;
  if (dtype === 'f32') return Float32Array.from({ length: n }, (_, i) => pick([NaN, -0, 0, 1.5, -1.5, Infinity, -Infinity, 3, 3, -0, 2 ** 100, -(2 ** -140), 0], i));
  if (dtype === 'i32') return Int32Array.from({ length: n }, (_, i) => pick([0, -1, 1, 2147483647, -2147483648, 5, 5, -7], i));
  return Uint32Array.from({ length: n }, (_, i) => pick([0, 1, 4294967295, 2147483648, 7, 7, 3], i));
}

gpuTest('sort and argsort along every axis, ascending and descending, match numpy.array_api (NaN, ±0, ±Inf, extremes, ties)', async ({ device }) => {
  const inputs: Record<string, NpArray> = {};
  CASES.forEach((c, k) => (inputs[`x${k}`] = dataOf(c.shape.reduce((a, b) => a * b, 1), c.dtype, k)));
  const shapes = JSON.stringify(CASES.map((c) => c.shape));
  const ref = numpy(
    `
import numpy.array_api as xp
import warnings
warnings.simplefilter('ignore')
for k, shape in enumerate(${shapes}):
    x = xp.asarray(inp[f'x{k}'].reshape(shape))
    for a in range(-len(shape), len(shape)):
        for desc in (False, True):
            out[f's{k}_{a}_{desc}'] = np.asarray(xp.sort(x, axis=a, descending=desc)).ravel()
            r = xp.argsort(x, axis=a, descending=desc)
            out[f'i{k}_{a}_{desc}'] = np.asarray(r).astype(np.int32).ravel()
            # the signs of zeros, which a plain comparison cannot tell apart
            out[f'z{k}_{a}_{desc}'] = np.signbit(np.asarray(xp.sort(x, axis=a, descending=desc)).astype(np.float64)).astype(np.uint32).ravel()
`,
    inputs,
  );
  for (const [k, c] of CASES.entries()) {
    using x = device.array(inputs[`x${k}`] as NpArray, { dtype: c.dtype, shape: c.shape });
    for (let a = -c.shape.length; a < c.shape.length; a++) {
      for (const d of [false, true]) {
        const what = `${c.dtype} [${c.shape.join(', ')}] axis ${a}${d ? ' descending' : ''}`;
        using s = sort(x, { axis: a, descending: d });
        using i = argsort(x, { axis: a, descending: d });
        expect(s.shape, what).toEqual(c.shape);
        expect([i.shape, i.dtype], what).toEqual([c.shape, 'i32']);
        const sh = await s.toArray();
        expectArrayEqual(sh, npOut(ref, `s${k}_${a}_${d ? 'True' : 'False'}`));
        if (c.dtype === 'f32') expectArrayEqual(Array.from(sh, (v) => (Object.is(v, -0) || v < 0 ? 1 : 0)), Array.from(npOut(ref, `z${k}_${a}_${d ? 'True' : 'False'}`), (z, j) => (Number.isNaN(sh[j]) ? 0 : z)));
        expectArrayEqual(await i.toArray(), npOut(ref, `i${k}_${a}_${d ? 'True' : 'False'}`));
      }
    }
  }
});

gpuTest('sortPairs along the last axis moves the values with their keys, per row (stable)', async ({ device }) => {
  const kh = new Int32Array([3, 1, 3, 0, 2, 2, 2, 1, -5, 9, -5, 0]);
  const vh = Uint32Array.from({ length: 12 }, (_, i) => 100 + i);
  const ref = numpy(`k = inp['k'].reshape(3, 4); v = inp['v'].reshape(3, 4)
o = np.argsort(k, axis=-1, kind='stable')
out['k'] = np.take_along_axis(k, o, -1).ravel(); out['v'] = np.take_along_axis(v, o, -1).ravel()
o0 = np.argsort(k, axis=0, kind='stable')
out['k0'] = np.take_along_axis(k, o0, 0).ravel(); out['v0'] = np.take_along_axis(v, o0, 0).ravel()`, { k: kh, v: vh });
  using k = device.array(kh, { shape: [3, 4] });
  using v = device.array(vh, { shape: [3, 4] });
  const r = sortPairs(k, v);
  const r0 = sortPairs(k, v, { axis: 0 });
  try {
    expect([r.keys.shape, r.values.shape]).toEqual([[3, 4], [3, 4]]);
    expectArrayEqual(await r.keys.toArray(), npOut(ref, 'k'));
    expectArrayEqual(await r.values.toArray(), npOut(ref, 'v'));
    expectArrayEqual(await r0.keys.toArray(), npOut(ref, 'k0'));
    expectArrayEqual(await r0.values.toArray(), npOut(ref, 'v0'));
  } finally {
    for (const a of [r.keys, r.values, r0.keys, r0.values]) a.destroy();
  }
});

gpuTest('empty axes and arrays sort to empty results of the same shape; bad arguments are typed errors', async ({ device }) => {
  for (const shape of [[0], [2, 0], [0, 3]]) {
    using e = device.zeros(shape);
    using s = sort(e);
    using i = argsort(e, { axis: 0 });
    expect([s.shape, i.shape, i.dtype]).toEqual([shape, shape, 'i32']);
    expect((await s.toArray()).length).toBe(0);
  }
  using x = device.array([3, 1, 2]);
  using z = x.reshape([1, 3]);
  using five = device.array([5]);
  using zero = five.reshape([]);
  expect(() => sort(zero)).toThrow(ArgumentError);
  expect(() => sort(x, { axis: 1 })).toThrow(ArgumentError);
  expect(() => sort(x, { axes: 0 } as never)).toThrow(/^sort: unknown options key axes/);
  expect(() => argsort(x, { descending: 1 } as never)).toThrow(ArgumentError);
  expect(() => sort(x, 0 as never)).toThrow(ArgumentError);
  using v = device.array([0, 1], { dtype: 'u32' });
  expect(() => sortPairs(z, v)).toThrow(ShapeError);
  using s1 = sort(x, { stable: false });
  expectArrayEqual(await s1.toArray(), [1, 2, 3]);
});

gpuTest('topk: the first k of numpy.array_api\'s argsort (descending for largest) with their values, along every axis; k = 0; k > n is an ArgumentError', async ({ device }) => {
  const h = new Float32Array([3, NaN, 1, 3, -0, 0, 7, -Infinity, 1, 3, 2, 2]);
  const ref = numpy(`import numpy.array_api as xp
import warnings
warnings.simplefilter('ignore')
x = inp['x'].reshape(3, 4)
for a in (0, 1):
    for largest in (True, False):
        for k in (0, 1, 2, 3):
            i = np.asarray(xp.argsort(xp.asarray(x), axis=a, descending=largest))
            i = np.take(i, range(k), axis=a)
            out[f'i{a}{largest}{k}'] = i.astype(np.int32).ravel()
            out[f'v{a}{largest}{k}'] = np.take_along_axis(x, i, axis=a).ravel()`, { x: h });
  using x = device.array(h, { shape: [3, 4] });
  for (const a of [0, 1]) {
    for (const largest of [true, false]) {
      for (const k of [0, 1, 2, 3]) {
        const r = topk(x, k, { axis: a, largest });
        try {
          expect(r.values.shape).toEqual(a === 0 ? [k, 4] : [3, k]);
          expect(r.indices.dtype).toBe('i32');
          const tag = `${a}${largest ? 'True' : 'False'}${k}`;
          expectArrayEqual(await r.indices.toArray(), npOut(ref, `i${tag}`));
          expectArrayEqual(await r.values.toArray(), npOut(ref, `v${tag}`));
        } finally {
          r.values.destroy();
          r.indices.destroy();
        }
      }
    }
  }
  using v = device.array([1, 5, 3, 5], { dtype: 'i32' });
  const t = topk(v, 2);
  expectArrayEqual(await t.values.toArray(), [5, 5]);
  expectArrayEqual(await t.indices.toArray(), [1, 3]);
  t.values.destroy();
  t.indices.destroy();
  expect(() => topk(v, 5)).toThrow(/^topk: k = 5 is larger than the axis \(4 elements\)/);
  expect(() => topk(v, -1)).toThrow(ArgumentError);
  expect(() => topk(v, 1.5)).toThrow(ArgumentError);
  expect(() => topk(v, 1, { largest: 'yes' } as never)).toThrow(ArgumentError);
});
