/**
 * sum and prod of f16 (where the device has shader-f16): the Array API standard 2021.12, which the
 * conformance harness targets, gives a float x's sum the default float dtype — f32 for gpukit — so an f16
 * x is summed in f32 and returns f32 (NumPy keeps float16, and overflows at 65504 where f32 does not).
 * `{ dtype: 'f16' }` keeps f16. Reference: NumPy's float64 sum of the f16 values (exact inputs), within the
 * f32 sum bound of test/tolerance.ts. vecdot and trace, which run through sum, keep f16 (their dtype is the
 * inputs' by the standard's promotion).
 */
import { expect } from 'vitest';
import { DTypeError, prod, sum, trace, vecdot } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { absSum, expectWithin, sumBound } from '../tolerance.js';
import { npOut, numpy, randomF32 } from './helpers.js';

gpuTest('sum of f16 is f32, whole and along an axis, past f16\'s range, against NumPy\'s float64 sum; { dtype: f16 } keeps f16', async ({ device }) => {
  if (!device.info.features.includes('shader-f16')) {
    expect(() => device.array([1, 2], { dtype: 'f16' })).toThrow(DTypeError);
    return;
  }
  // 40000 + 40000 is past f16's largest finite 65504: an f16 sum would be Inf.
  const raw = Float32Array.from([40000, 40000, 0.1, -3.5, 1 / 3, 65504, -0, 7, ...randomF32(24, 5, -100, 100)]);
  const ref = numpy(
    `h = inp['x'].astype(np.float16).astype(np.float64)
out['h'] = h; out['all'] = np.array([h.sum()]); out['rows'] = h.reshape(4, 8).sum(axis=1); out['cols'] = h.reshape(4, 8).sum(axis=0)
out['abs_rows'] = np.abs(h).reshape(4, 8).sum(axis=1); out['abs_cols'] = np.abs(h).reshape(4, 8).sum(axis=0)
with np.errstate(over='ignore'):
    out['np16'] = np.array([inp['x'].astype(np.float16).sum()], dtype=np.float64)`,
    { x: raw },
  );
  const h = npOut(ref, 'h');
  expect(Array.from(npOut(ref, 'np16'))).toEqual([Infinity]); // NumPy's float16 sum overflows here
  using x = device.array(raw, { dtype: 'f16', shape: [4, 8] });
  using s = sum(x);
  expect(s.dtype).toBe('f32');
  expect(s.shape).toEqual([]);
  const bound = (mag: number, n: number): number => sumBound(mag, n, n); // a serial-depth f32 bound (the loosest)
  expectWithin('sum of f16', await s.item(), npOut(ref, 'all')[0] ?? NaN, bound(absSum(Float32Array.from(h)), 32));
  using r = sum(x, { axis: 1 });
  expect(r.dtype).toBe('f32');
  const rows = await r.toArray();
  npOut(ref, 'rows').forEach((w, i) => { expectWithin(`row ${i}`, rows[i] ?? NaN, w, bound(npOut(ref, 'abs_rows')[i] ?? NaN, 8)); });
  using c = sum(x, { axis: 0, keepdims: true });
  expect([c.dtype, c.shape]).toEqual(['f32', [1, 8]]);
  const cols = await c.toArray();
  npOut(ref, 'cols').forEach((w, i) => { expectWithin(`col ${i}`, cols[i] ?? NaN, w, bound(npOut(ref, 'abs_cols')[i] ?? NaN, 4)); });
  // Asked for f16, it stays f16 (and overflows as f16 does).
  using k = sum(x, { dtype: 'f16' });
  expect(k.dtype).toBe('f16');
  expect(await k.item()).toBe(Infinity);
});

gpuTest('prod of f16 is f32 (as sum), exact for small integers', async ({ device }) => {
  if (!device.info.features.includes('shader-f16')) return;
  using x = device.array([2, 3, 4, 300, 300, 0.5], { dtype: 'f16', shape: [2, 3] });
  using p = prod(x, { axis: 1 });
  expect(p.dtype).toBe('f32');
  expectArrayEqual(await p.toArray(), [24, 45000]); // 300·300 = 90000 is past f16's range, not f32's
});

gpuTest('vecdot and trace of f16 stay f16 (the standard\'s promotion; they are not sums): products and sums in f32, rounded once, as NumPy\'s float32 result rounded to float16', async ({ device }) => {
  if (!device.info.features.includes('shader-f16')) return;
  const raw = Float32Array.from([...randomF32(24, 9, -30, 30), 300, 300, 300]);
  const ref = numpy(
    `h = inp['x'].astype(np.float16).astype(np.float32)
a = h[:12].reshape(3, 4); b = h[12:24].reshape(3, 4)
out['vec'] = (a * b).sum(axis=-1).astype(np.float16).astype(np.float64)
m = h[:9].reshape(3, 3); out['tr'] = np.array([np.trace(m)]).astype(np.float16).astype(np.float64)
big = h[24:27]; out['big'] = np.array([(big * big).sum()]).astype(np.float16).astype(np.float64)`,
    { x: raw },
  );
  using h = device.array(raw, { dtype: 'f16' });
  using a = h.slice([0, 12]).reshape(3, 4);
  using b = h.slice([12, 24]).reshape(3, 4);
  using v = vecdot(a, b);
  expect([v.dtype, v.shape]).toEqual(['f16', [3]]);
  expectArrayEqual(await v.toArray(), npOut(ref, 'vec'));
  using m = h.slice([0, 9]).reshape(3, 3);
  using t = trace(m);
  expect(t.dtype).toBe('f16');
  expectArrayEqual([await t.item()], npOut(ref, 'tr'));
  using big = h.slice([24, 27]);
  using w = vecdot(big, big); // 3·300² = 270000: past f16's range, so Inf, as the rounded float32 sum
  expect(await w.item()).toBe(Infinity);
  expectArrayEqual([await w.item()], npOut(ref, 'big'));
});
