/**
 * searchsorted (NumPy's, both sides: NaN, ±0, ±Inf, duplicates, empty sorted and v, n-d v), cumulativeSum
 * (the standard's cumulative_sum: axis rule, includeInitial, dtype) and var/std's `correction` (the standard's
 * name for ddof) against NumPy, on both engines.
 */
import { expect } from 'vitest';
import { ArgumentError, cumulativeSum, scan, softmax, DTypeError, OverflowError, searchsorted, ShapeError, std, variance, type DType } from '../../src/index.js';
import { expectAllClose, expectArrayEqual, gpuTest } from '../fixture.js';
import { numpy, npOut, type NpArray } from './helpers.js';

gpuTest('searchsorted matches np.searchsorted on both sides (f32 with NaN, ±0, ±Inf, ties; i32 and u32 extremes)', async ({ device }) => {
  const cases: [DType, NpArray, NpArray][] = [
    ['f32', new Float32Array([-Infinity, -2, -0, 0, 0, 1.5, 1.5, 1.5, 3, Infinity, NaN, NaN]), new Float32Array([NaN, -Infinity, Infinity, 0, -0, 1.5, 2, -5, 100, 3, -2, 1e-40])],
    ['f32', new Float32Array([]), new Float32Array([1, NaN])],
    ['f32', new Float32Array([7]), new Float32Array([6, 7, 8])],
    ['i32', new Int32Array([-2147483648, -1, 0, 0, 5, 2147483647]), new Int32Array([-2147483648, 2147483647, 0, 3, -5, 6])],
    ['u32', new Uint32Array([0, 1, 1, 4294967295]), new Uint32Array([4294967295, 0, 1, 2, 3])],
  ];
  const inputs: Record<string, NpArray> = {};
  cases.forEach(([, s, v], k) => {
    inputs[`s${k}`] = s;
    inputs[`v${k}`] = v;
  });
  const ref = numpy(`for k in range(${cases.length}):
    for side in ('left', 'right'):
        out[f'{side}{k}'] = np.searchsorted(inp[f's{k}'], inp[f'v{k}'], side=side).astype(np.int32)`, inputs);
  for (const [k, [dtype, s, v]] of cases.entries()) {
    using sd = device.array(s, { dtype });
    using vd = device.array(v, { dtype });
    for (const side of ['left', 'right'] as const) {
      using r = searchsorted(sd, vd, side === 'left' ? undefined : { side });
      expect(r.dtype).toBe('i32');
      expectArrayEqual(await r.toArray(), npOut(ref, `${side}${k}`));
    }
  }
  // v of any shape keeps its shape; an empty v gives an empty result.
  using sd = device.array([1, 2, 3]);
  using v2 = device.array([0, 2, 4, 3], { shape: [2, 2] });
  using r2 = searchsorted(sd, v2, { side: 'right' });
  expect(r2.shape).toEqual([2, 2]);
  expectArrayEqual(await r2.toArray(), [0, 2, 3, 3]);
  using ve = device.zeros([0, 4]);
  using re = searchsorted(sd, ve);
  expect(re.shape).toEqual([0, 4]);
  using vi = device.array([1], { dtype: 'i32' });
  expect(() => searchsorted(sd, vi)).toThrow(DTypeError);
  expect(() => searchsorted(v2, sd)).toThrow(ShapeError);
  expect(() => searchsorted(sd, sd, { side: 'middle' } as never)).toThrow(ArgumentError);
  expect(() => searchsorted(sd, sd, { sides: 'left' } as never)).toThrow(/^searchsorted: unknown options key sides/);
});

gpuTest('cumulativeSum: the axis rule, includeInitial along every axis, dtype, empty axes; as np.cumsum', async ({ device }) => {
  const h = Float32Array.from({ length: 24 }, (_, i) => ((i * 7) % 11) - 5);
  const ref = numpy(`x = inp['x'].astype(np.float64).reshape(2, 3, 4)
for a in range(3):
    c = np.cumsum(x, axis=a)
    z = np.zeros_like(np.take(c, [0], axis=a))
    out[f'i{a}'] = np.concatenate([z, c], axis=a).ravel()
    out[f'c{a}'] = c.ravel()
out['flat'] = np.cumsum(x.ravel())`, { x: h });
  using x = device.array(h, { shape: [2, 3, 4] });
  for (let a = 0; a < 3; a++) {
    using c = cumulativeSum(x, { axis: a });
    expect(c.shape).toEqual([2, 3, 4]);
    expectArrayEqual(await c.toArray(), npOut(ref, `c${a}`));
    using c0 = cumulativeSum(x, { axis: a - 3, includeInitial: true });
    expect(c0.shape).toEqual([2, 3, 4].map((e, d) => (d === a ? e + 1 : e)));
    expectArrayEqual(await c0.toArray(), npOut(ref, `i${a}`));
  }
  using f = x.reshape([24]);
  using cf = cumulativeSum(f);
  expectArrayEqual(await cf.toArray(), npOut(ref, 'flat'));
  using e = device.zeros([0]);
  using ce = cumulativeSum(e, { includeInitial: true });
  expectArrayEqual(await ce.toArray(), [0]);
  using e2 = device.zeros([2, 0]);
  using ce2 = cumulativeSum(e2, { axis: 1, includeInitial: true });
  expect(ce2.shape).toEqual([2, 1]);
  expectArrayEqual(await ce2.toArray(), [0, 0]);
  // Along an axis whose other extents are 1 the result keeps x's shape (scan and softmax gave the moved shape).
  using one = device.array([1, 2, 3], { shape: [1, 3] });
  using s0 = scan(one, { axis: 0 });
  using m0 = softmax(one, { axis: 0 });
  expect([s0.shape, m0.shape]).toEqual([[1, 3], [1, 3]]);
  expectArrayEqual(await s0.toArray(), [1, 2, 3]);
  expect(() => cumulativeSum(x)).toThrow(/^cumulativeSum: an array of 3 dimensions needs \{ axis \}/);
  expect(() => cumulativeSum(x, { axis: 3 })).toThrow(ArgumentError);
  expect(() => cumulativeSum(x, { axis: 0, initial: true } as never)).toThrow(ArgumentError);
  // Integers: exact, past the range an OverflowError, with dtype 'f32' a rounded f32 sum.
  using big = device.array([2147483647, 1], { dtype: 'i32' });
  using cb = cumulativeSum(big, { includeInitial: true });
  await expect(cb.toArray()).rejects.toThrow(OverflowError);
  await expect(cb.toArray()).rejects.toThrow(/^cumulativeSum: a running sum of i32/);
  await expect(device.sync()).rejects.toThrow(OverflowError);
  using cbf = cumulativeSum(big, { dtype: 'f32', includeInitial: true });
  expect(cbf.dtype).toBe('f32');
  expectArrayEqual(await cbf.toArray(), [0, 2147483648, 2147483648]);
});

gpuTest('var and std take the standard\'s correction (ddof\'s other name), as np.var(ddof=)', async ({ device }) => {
  const h = new Float32Array([1, 2, 4, 7, -3, 0.5]);
  const ref = numpy(`x = inp['x'].astype(np.float64).reshape(2, 3)
out['v1'] = np.var(x, axis=1, ddof=1); out['s0'] = np.std(x, axis=0, ddof=1); out['all'] = np.array([np.var(x, ddof=2)])`, { x: h });
  using x = device.array(h, { shape: [2, 3] });
  using v1 = variance(x, { axis: 1, correction: 1 });
  using s0 = std(x, { axis: 0, correction: 1 });
  using all = variance(x, { correction: 2 });
  expectAllClose(await v1.toArray(), npOut(ref, 'v1'), 1e-6, 1e-6);
  expectAllClose(await s0.toArray(), npOut(ref, 's0'), 1e-6, 1e-6);
  expectAllClose(await all.toArray(), npOut(ref, 'all'), 1e-6, 1e-6);
  expect(() => variance(x, { correction: 1, ddof: 1 })).toThrow(/^var: give ddof or correction/);
  expect(() => std(x, { correction: -1 })).toThrow(/correction must be a non-negative integer/);
});
