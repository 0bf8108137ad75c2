import { describe, expect } from 'vitest';
import { fft, ifft, fftCpu, ShapeError } from '../../src/index.js';
import { pinParams } from '../../src/kernels/tuning.js';
import { fftTunable } from '../../src/ops/fft.js';
import { dawnTest, gpuTest } from '../fixture.js';
import { randomF32 } from './helpers.js';

function relErr(got: Float32Array, ref: Float64Array): number {
  let maxAbs = 0;
  let maxErr = 0;
  for (let i = 0; i < ref.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(ref[i] ?? 0));
    maxErr = Math.max(maxErr, Math.abs((got[i] ?? 0) - (ref[i] ?? 0)));
  }
  return maxErr / Math.max(maxAbs, 1e-30);
}

describe('fft', () => {
  for (const [n, batch] of [[1, 1], [2, 1], [4, 3], [8, 1], [16, 5], [1024, 4], [4096, 1], [1 << 16, 1]] as const) {
    gpuTest(`forward and inverse match a float64 FFT (n = ${n}, batch = ${batch})`, async ({ device }) => {
      const xh = randomF32(2 * n * batch, n + batch);
      using x = device.array(xh);
      using X = fft(x, { batch });
      const got = await X.toArray();
      const bound = 4e-8 * Math.max(1, Math.log2(n)) + 1e-7;
      expect(relErr(got, fftCpu(xh, n, batch, false))).toBeLessThanOrEqual(bound);
      using back = ifft(X, { batch });
      const b = await back.toArray();
      expect(relErr(b, Float64Array.from(xh))).toBeLessThanOrEqual(4 * bound);
    });
  }

  for (const RADIX of [2, 4, 8]) {
    dawnTest(`every radix gives the same transform (radix ${RADIX}, n = 2^11)`, async ({ device }) => {
      pinParams(device.ctx, fftTunable.op, { RADIX });
      try {
        const n = 2048;
        const xh = randomF32(2 * n * 2, 77);
        using x = device.array(xh);
        using X = fft(x, { batch: 2 });
        expect(relErr(await X.toArray(), fftCpu(xh, n, 2, false))).toBeLessThanOrEqual(4e-8 * 11 + 1e-7);
      } finally {
        pinParams(device.ctx, fftTunable.op, undefined);
      }
    });
  }

  gpuTest('an impulse transforms to all ones', async ({ device }) => {
    using x = device.array(new Float32Array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    using X = fft(x);
    expect([...(await X.toArray())]).toEqual([1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
  });

  gpuTest('non-power-of-two lengths and bad layouts are ShapeErrors', async ({ device }) => {
    using x = device.zeros(2 * 12);
    expect(() => fft(x)).toThrow(ShapeError);
    expect(() => fft(x)).toThrow(/length 12 is not a power of two/);
    using y = device.zeros(6);
    expect(() => fft(y, { batch: 2 })).toThrow(/not 2 transform\(s\)/);
  });
});
