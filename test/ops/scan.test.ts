import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { scan, DTypeError, type DeviceArray, type GpuDevice } from '../../src/index.js';
import { pinParams } from '../../src/backends/dawn/tuning.js';
import { scanTunable } from '../../src/backends/dawn/ops/scan.js';
import { expectArrayEqual, dawnTest, gpuTest } from '../fixture.js';
import { gamma, U64 } from '../tolerance.js';
import { EDGE_SIZES, numpy, npOut, randomF32, randomI32, randomU32, scanSumDepth } from './helpers.js';

/**
 * f32 scan against a float64 prefix sum `want` (NumPy's cumsum, or a float64 loop), per element within
 * the derived bound (test/tolerance.ts): |got[i] − want[i]| ≤ (γ_d + γ⁶⁴_n) · (|x[0]| + … + |x[i]|),
 * d = the scan's summation depth on this engine. Returns the worst error / allowed ratio.
 */
function expectScanClose(device: GpuDevice, actual: Float32Array, x: Float32Array, want: ArrayLike<number>, exclusive: boolean): number {
  expect(actual.length, 'length').toBe(want.length);
  const c = gamma(scanSumDepth(device, x.length)) + gamma(x.length, U64);
  let absSum = 0;
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    if (!exclusive) absSum += Math.abs(x[i] ?? 0);
    const err = Math.abs((actual[i] ?? NaN) - (want[i] ?? NaN));
    const allowed = c * absSum;
    if (!(err <= allowed)) expect.fail(`element ${i}: got ${actual[i]}, expected ${want[i]} (error ${err} > allowed ${allowed})`);
    if (allowed > 0) worst = Math.max(worst, err / allowed);
    if (exclusive) absSum += Math.abs(x[i] ?? 0);
  }
  return worst;
}

/**
 * The integer oracle, a property that needs no reference: inclusive s[0] = x[0] and s[i] − s[i−1] = x[i];
 * exclusive e[0] = 0 and e[i+1] − e[i] = x[i] (the inputs keep every prefix inside the dtype).
 */
function expectIntScan(got: ArrayLike<number>, x: Int32Array | Uint32Array, exclusive: boolean): void {
  expect(got.length, 'length').toBe(x.length);
  const wrap = (v: number) => (x instanceof Int32Array ? v | 0 : v >>> 0);
  let prev = 0;
  for (let i = 0; i < x.length; i++) {
    const g = got[i] ?? NaN;
    const step = exclusive ? (i === 0 ? 0 : (x[i - 1] ?? NaN)) : (x[i] ?? NaN);
    if (wrap(g - prev) !== wrap(step) || wrap(g) !== g) expect.fail(`element ${i}: got ${g} after ${prev}, but x[${exclusive ? i - 1 : i}] = ${step}`);
    prev = g;
  }
}

/** Float64 prefix sums (inclusive and exclusive) from NumPy, batched: one python call for several arrays. */
function numpyCumsum(xs: readonly Float32Array[]): Float64Array[] {
  const inputs = Object.fromEntries(xs.map((x, k) => [`x${k}`, x]));
  const r = numpy(`for k, x in inp.items(): out[k] = np.cumsum(x.astype(np.float64))`, inputs);
  return xs.map((_x, k) => npOut(r, `x${k}`) as Float64Array);
}

/** Scans `xh` both ways on the device: f32 against NumPy (or `want`) within the bound, integers by the property. */
async function checkScan(device: GpuDevice, xh: Float32Array | Int32Array | Uint32Array, modes = [false, true], want?: Float64Array): Promise<void> {
  using x: DeviceArray = xh instanceof Float32Array ? device.array(xh) : xh instanceof Int32Array ? device.array(xh, 'i32') : device.array(xh, 'u32');
  const inclusive = xh instanceof Float32Array ? (want ?? (numpyCumsum([xh])[0])) : undefined;
  for (const exclusive of modes) {
    using s = scan(x, { exclusive });
    expect(s.dtype).toBe(x.dtype);
    const got = await s.toArray();
    if (xh instanceof Float32Array && inclusive !== undefined) {
      const ref = exclusive ? Float64Array.from({ length: xh.length }, (_v, i) => (i === 0 ? 0 : (inclusive[i - 1] ?? NaN))) : inclusive;
      expectScanClose(device, got as Float32Array, xh, ref, exclusive);
    } else expectIntScan(got, xh as Int32Array | Uint32Array, exclusive);
  }
}

/** Float64 running sum written here, for the property test (no python per run). */
function cumsum64(x: Float32Array): Float64Array {
  const out = new Float64Array(x.length);
  let s = 0;
  for (let i = 0; i < x.length; i++) out[i] = s += x[i] ?? 0;
  return out;
}

describe('scan', () => {
  for (const n of EDGE_SIZES) {
    gpuTest(`f32, i32 and u32, inclusive and exclusive, at n = ${n}`, async ({ device }) => {
      await checkScan(device, randomF32(n, 11 + n));
      // Integer running sums stay inside the dtype (past it: an OverflowError, test/ops/int-overflow.test.ts).
      await checkScan(device, randomI32(n, 12 + n, 1000));
      await checkScan(device, randomU32(n, 13 + n).map((v) => v % 4000));
    });
  }

  gpuTest('a large size (2^20 + 3), every dtype, both ways', async ({ device }) => {
    const n = 2 ** 20 + 3;
    await checkScan(device, randomF32(n, 21));
    await checkScan(device, randomI32(n, 22, 1000));
    await checkScan(device, randomU32(n, 23).map((v) => v % 4000));
  });

  gpuTest('inclusive is the default; exclusive starts at 0; the input is unchanged', async ({ device }) => {
    const xh = new Int32Array([5, -2, 7, 1]);
    using x = device.array(xh, 'i32');
    using s = scan(x);
    using e = scan(x, { exclusive: true });
    expectArrayEqual(await s.toArray(), [5, 3, 10, 11]);
    expectArrayEqual(await e.toArray(), [0, 5, 3, 10]);
    expectArrayEqual(await x.toArray(), xh);
    using one = device.array(new Float32Array([2.5]));
    using e1 = scan(one, { exclusive: true });
    expectArrayEqual(await e1.toArray(), [0]);
  });

  gpuTest('f32 error stays inside the derived bound at 2^20 + 3 with a nonzero mean', async ({ device }) => {
    // A positive drift makes the partial sums large (≈ n / 4), the harder case for the relative part.
    const xh = randomF32(2 ** 20 + 3, 31, -0.5, 1);
    using x = device.array(xh);
    using s = scan(x);
    const [want] = numpyCumsum([xh]);
    expectScanClose(device, (await s.toArray()) as Float32Array, xh, want as Float64Array, false);
  });

  for (const n of [4097, 65_537, 2 ** 20 + 3]) {
    gpuTest(`exact data: f32 scans of small integers and 2⁻¹⁰ multiples are exact at n = ${n}`, async ({ device }) => {
      // Every prefix sum is an integer (|x| ≤ 7, so |s| < 2^23) or an integer times 2⁻¹⁰ below 2^13: an f32
      // number, so any summation order is exact and a shifted, dropped or doubled element shows.
      const xi = Float32Array.from(randomI32(n, n + 5, 8), (v) => v % 8);
      const K = Math.min(1024, Math.floor(2 ** 23 / n));
      const xq = Float32Array.from(randomI32(n, n + 6, K), (v) => v * 2 ** -10);
      xi[n - 1] = 5;
      xq[n - 1] = 0.75;
      const [wi, wq] = numpyCumsum([xi, xq]);
      for (const [h, w] of [[xi, wi], [xq, wq]] as const) {
        using x = device.array(h);
        using s = scan(x);
        using e = scan(x, { exclusive: true });
        expectArrayEqual(await s.toArray(), w as Float64Array);
        const we = new Float64Array(n);
        we.set((w as Float64Array).subarray(0, n - 1), 1);
        expectArrayEqual(await e.toArray(), we);
      }
    });
  }

  dawnTest('a size that needs a 2-D dispatch (pinned to WG = 1, BLOCK = 4: > 65,535 workgroups)', async ({ device }) => {
    pinParams(device.ctx, scanTunable.op, { WG: 1, BLOCK: 4 });
    try {
      const n = 65_535 * 4 + 4 * 1000 + 3;
      await checkScan(device, randomI32(n, 41, 1000));
      await checkScan(device, randomF32(n, 42));
    } finally {
      pinParams(device.ctx, scanTunable.op, undefined);
    }
  });

  gpuTest('property: random sizes and values against a float64 running sum (f32) and the difference property (integers)', async ({ device }) => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.constantFrom('f32', 'i32', 'u32'),
        fc.boolean(),
        async (n, seed, dtype, exclusive) => {
          // Integers: magnitudes that keep every prefix inside the dtype (n ≤ 20,000).
          const xh = dtype === 'f32' ? randomF32(n, seed, -1e3, 1e3) : dtype === 'i32' ? randomI32(n, seed, 100_000) : randomU32(n, seed).map((v) => v % 200_000);
          await checkScan(device, xh, [exclusive], xh instanceof Float32Array ? cumsum64(xh) : undefined);
        },
      ),
      { numRuns: 20 },
    );
  });

  gpuTest('f16 is refused with a DTypeError naming the dtype', ({ device }) => {
    if (!device.info.features.includes('shader-f16')) {
      // Without shader-f16 no f16 array can exist; the op's check is still the dtype list.
      expect(() => device.zeros(4, 'f16')).toThrow(DTypeError);
      return;
    }
    using h = device.zeros(4, 'f16');
    expect(() => scan(h)).toThrow(DTypeError);
    expect(() => scan(h)).toThrow(/scan: x has dtype f16; expected f32 or i32 or u32/);
  });
});
