import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { scan, scanCpu, DTypeError, type DeviceArray, type GpuDevice } from '../../src/index.js';
import { pinParams } from '../../src/kernels/tuning.js';
import { scanTunable } from '../../src/ops/scan.js';
import { expectArrayEqual, dawnTest, gpuTest } from '../fixture.js';
import { EDGE_SIZES, randomF32, randomI32, randomU32 } from './helpers.js';

/**
 * The f32 tolerance documented in src/ops/scan.ts, per element:
 * |got[i] − want[i]| ≤ 2^-24 · (√n + 2) · (|x[0]| + … + |x[i]|). Returns the worst error / allowed ratio.
 */
function expectScanClose(actual: Float32Array, x: Float32Array, expected: Float32Array): number {
  expect(actual.length, 'length').toBe(expected.length);
  const c = 2 ** -24 * (Math.sqrt(x.length) + 2);
  let absSum = 0;
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    absSum += Math.abs(x[i] ?? 0);
    const err = Math.abs((actual[i] ?? NaN) - (expected[i] ?? NaN));
    const allowed = c * absSum;
    if (!(err <= allowed)) expect.fail(`element ${i}: got ${actual[i]}, expected ${expected[i]} (error ${err} > allowed ${allowed})`);
    if (allowed > 0) worst = Math.max(worst, err / allowed);
  }
  return worst;
}

/** Scans `xh` both ways on the device and compares with scanCpu (f32 within tolerance, integers exactly). */
async function checkScan(device: GpuDevice, xh: Float32Array | Int32Array | Uint32Array, modes = [false, true]): Promise<void> {
  using x: DeviceArray = xh instanceof Float32Array ? device.array(xh) : xh instanceof Int32Array ? device.array(xh, 'i32') : device.array(xh, 'u32');
  for (const exclusive of modes) {
    using s = scan(x, { exclusive });
    expect(s.dtype).toBe(x.dtype);
    const got = await s.toArray();
    const want = scanCpu(xh, exclusive);
    if (xh instanceof Float32Array) expectScanClose(got as Float32Array, xh, want as Float32Array);
    else expectArrayEqual(got, want);
  }
}

describe('scan', () => {
  for (const n of EDGE_SIZES) {
    gpuTest(`f32, i32 and u32, inclusive and exclusive, at n = ${n}`, async ({ device }) => {
      await checkScan(device, randomF32(n, 11 + n));
      // Large values so the integer sums wrap modulo 2^32.
      await checkScan(device, randomI32(n, 12 + n, 2 ** 30));
      await checkScan(device, randomU32(n, 13 + n));
    });
  }

  gpuTest('a large size (2^20 + 3), every dtype, both ways', async ({ device }) => {
    const n = 2 ** 20 + 3;
    await checkScan(device, randomF32(n, 21));
    await checkScan(device, randomI32(n, 22, 2 ** 30));
    await checkScan(device, randomU32(n, 23));
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

  gpuTest('f32 error stays inside the documented bound at 2^20 + 3 with a nonzero mean', async ({ device }) => {
    // A positive drift makes the partial sums large (≈ n / 4), the harder case for the relative part.
    const xh = randomF32(2 ** 20 + 3, 31, -0.5, 1);
    using x = device.array(xh);
    using s = scan(x);
    // The measured worst case is ≈ 2.5 % of the allowance; far above that means a precision regression.
    expect(expectScanClose((await s.toArray()) as Float32Array, xh, scanCpu(xh, false))).toBeLessThan(0.25);
  });

  dawnTest('a size that needs a 2-D dispatch (pinned to WG = 1, BLOCK = 4: > 65,535 workgroups)', async ({ device }) => {
    pinParams(device.ctx, scanTunable.op, { WG: 1, BLOCK: 4 });
    try {
      const n = 65_535 * 4 + 4 * 1000 + 3;
      await checkScan(device, randomI32(n, 41, 2 ** 30));
      await checkScan(device, randomF32(n, 42));
    } finally {
      pinParams(device.ctx, scanTunable.op, undefined);
    }
  });

  gpuTest('property: random sizes and values match scanCpu', async ({ device }) => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.constantFrom('f32', 'i32', 'u32'),
        fc.boolean(),
        async (n, seed, dtype, exclusive) => {
          const xh = dtype === 'f32' ? randomF32(n, seed, -1e3, 1e3) : dtype === 'i32' ? randomI32(n, seed, 2 ** 31 - 1) : randomU32(n, seed);
          await checkScan(device, xh, [exclusive]);
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
