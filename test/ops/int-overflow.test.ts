/**
 * Integer sum, prod and cumsum never wrap (issue 26 item 7): a result whose exact value (NumPy's, computed
 * in int64) lies outside the 32-bit dtype fails the op with an OverflowError naming it — at the readback on
 * both engines — and a result inside the range is exact, right up to the boundary, whatever partial sums
 * overflow on the way. `{ dtype: 'f32' }` accumulates in f32 instead. Before, `sum(i32 [2147483647, 1])`
 * read −2147483648 and `sum(u32 [4294967295, 1])` read 0.
 */
import { expect } from 'vitest';
import { cumsum, OverflowError, prod, scan, sum, type DeviceArray, type GpuDevice } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { numpy, npOut } from './helpers.js';

const I32_MAX = 2 ** 31 - 1;
const I32_MIN = -(2 ** 31);
const U32_MAX = 2 ** 32 - 1;

async function fails(device: GpuDevice, r: DeviceArray, op: string): Promise<void> {
  try {
    await expect(r.toArray()).rejects.toThrow(OverflowError);
    await expect(r.toArray()).rejects.toThrow(new RegExp(`^${op}: `));
    await expect(device.sync()).rejects.toThrow(OverflowError); // reported once more, then cleared
  } finally {
    r.destroy();
  }
}

async function reads(r: DeviceArray, want: number[]): Promise<void> {
  try {
    expectArrayEqual(await r.toArray(), want);
  } finally {
    r.destroy();
  }
}

gpuTest('sum of i32 and u32 at the boundary: exactly the extreme passes, one past it fails (whole array and along axes)', async ({ device }) => {
  using a = device.array([I32_MAX - 1, 1], { dtype: 'i32' });
  using b = device.array([I32_MAX, 1], { dtype: 'i32' });
  using c = device.array([I32_MIN + 1, -1], { dtype: 'i32' });
  using d = device.array([I32_MIN, -1], { dtype: 'i32' });
  using e = device.array([U32_MAX - 1, 1], { dtype: 'u32' });
  using f = device.array([U32_MAX, 1], { dtype: 'u32' });
  // Partial sums past the range, the total inside it: exact (NumPy's int64 sum), not an error.
  using g = device.array([I32_MAX, 1, -1, I32_MAX, -I32_MAX], { dtype: 'i32' });
  await reads(sum(a), [I32_MAX]);
  await fails(device, sum(b), 'sum');
  await reads(sum(c), [I32_MIN]);
  await fails(device, sum(d), 'sum');
  await reads(sum(e), [U32_MAX]);
  await fails(device, sum(f), 'sum');
  await reads(sum(g), [I32_MAX]);
  using m = device.array([I32_MAX, 0, 1, 5, 3, 2], { dtype: 'i32', shape: [3, 2] });
  await reads(sum(m, { axis: 1 }), [I32_MAX, 6, 5]);
  await fails(device, sum(m, { axis: 0 }), 'sum');
  await reads(sum(m, { axis: 0, dtype: 'f32' }), [2147483648, 7]);
  await reads(sum(b, { dtype: 'f32' }), [2147483648]);
  await reads(sum(f, { dtype: 'f32' }), [4294967296]);
});

gpuTest('a long i32 sum whose partials overflow matches NumPy\'s int64 sum; one past the range fails; empty sums are 0', async ({ device }) => {
  const n = 70_001;
  const h = new Int32Array(n);
  for (let i = 0; i < n; i++) h[i] = i % 2 === 0 ? 2_000_000_000 : -1_999_999_999;
  const ref = numpy('s = int(inp["x"].astype(np.int64).sum()); out["s"] = np.array([s], dtype=np.float64)', { x: h });
  const want = npOut(ref, 's')[0] ?? NaN;
  expect(want).toBe(35001 * 2_000_000_000 - 35000 * 1_999_999_999);
  using x = device.array(h, { dtype: 'i32' });
  await reads(sum(x), [want]);
  h[0] = (h[0] ?? 0) + (I32_MAX - want) + 1;
  using y = device.array(h, { dtype: 'i32' });
  await fails(device, sum(y), 'sum');
  using z = device.zeros([0], 'i32');
  await reads(sum(z), [0]);
  await reads(prod(z), [1]);
});

gpuTest('prod of i32 and u32: exact up to the boundary, past it an OverflowError; a zero anywhere gives 0', async ({ device }) => {
  using a = device.array([65536, 32768, -1], { dtype: 'i32' }); // −2^31: fits
  using b = device.array([65536, 32768], { dtype: 'i32' }); // 2^31: one past
  using c = device.array([65535, 65537], { dtype: 'u32' }); // 2^32 − 1: fits
  using d = device.array([65536, 65536], { dtype: 'u32' }); // 2^32: wraps to 0 before
  using z = device.array([65536, 65536, 65536, 0], { dtype: 'i32' });
  using big = device.array([1 << 20, 1 << 20, 1 << 20, 1 << 20, 3], { dtype: 'i32' });
  await reads(prod(a), [I32_MIN]);
  await fails(device, prod(b), 'prod');
  await reads(prod(c), [U32_MAX]);
  await fails(device, prod(d), 'prod');
  await reads(prod(z), [0]);
  await fails(device, prod(big), 'prod');
  await reads(prod(b, { dtype: 'f32' }), [2 ** 31]);
  using m = device.array([46341, 46341, 46340, 46340], { dtype: 'i32', shape: [2, 2] });
  await fails(device, prod(m, { axis: 1 }), 'prod');
  using m2 = device.array([46340, 46340, -46340, 46341], { dtype: 'i32', shape: [2, 2] });
  await reads(prod(m2, { axis: 1 }), [46340 * 46340, -46340 * 46341]);
});

gpuTest('cumsum / scan of i32 and u32: a prefix past the range fails, the last kept prefix decides, along axes too', async ({ device }) => {
  using a = device.array([I32_MAX - 2, 1, 1, -5], { dtype: 'i32' });
  await reads(cumsum(a), [I32_MAX - 2, I32_MAX - 1, I32_MAX, I32_MAX - 5]);
  using b = device.array([I32_MAX - 2, 1, 1, 1, -5], { dtype: 'i32' }); // a prefix at 2^31, back inside later: still fails
  await fails(device, cumsum(b), 'cumsum');
  await fails(device, scan(b), 'scan');
  // Exclusive: the full total is never kept, so it may overflow.
  using a3 = a.slice([0, 3]);
  await reads(scan(a3, { exclusive: true }), [0, I32_MAX - 2, I32_MAX - 1]);
  using ex = device.array([I32_MAX, 1], { dtype: 'i32' });
  await reads(scan(ex, { exclusive: true }), [0, I32_MAX]);
  using ex3 = device.array([I32_MAX, 1, 0], { dtype: 'i32' });
  await fails(device, scan(ex3, { exclusive: true }), 'scan');
  using u = device.array([U32_MAX - 1, 1, 1], { dtype: 'u32' });
  await fails(device, cumsum(u), 'cumsum');
  using u2 = u.slice([0, 2]);
  await reads(cumsum(u2), [U32_MAX - 1, U32_MAX]);
  using neg = device.array([I32_MIN + 1, -1, -1], { dtype: 'i32' });
  await fails(device, cumsum(neg), 'cumsum');
  using m = device.array([1, I32_MAX - 1, 5, -3, 0, 1], { dtype: 'i32', shape: [3, 2] });
  await reads(cumsum(m, { axis: 0 }), [1, I32_MAX - 1, 6, I32_MAX - 4, 6, I32_MAX - 3]);
  await reads(cumsum(m, { axis: 1 }), [1, I32_MAX, 5, 2, 0, 1]);
  using m2 = device.array([1, I32_MAX, 0, 0], { dtype: 'i32', shape: [2, 2] });
  await reads(cumsum(m2, { axis: 0 }), [1, I32_MAX, 1, I32_MAX]);
  await fails(device, cumsum(m2, { axis: 1 }), 'cumsum');
  await reads(cumsum(m2, { axis: 1, dtype: 'f32' }), [1, 2 ** 31, 0, 0]);
});
