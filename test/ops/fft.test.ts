import { describe, expect } from 'vitest';
import { fft, ifft, ShapeError } from '../../src/index.js';
import { pinParams } from '../../src/backends/dawn/tuning.js';
import { fftTunable } from '../../src/backends/dawn/ops/fft.js';
import { dawnTest, gpuTest } from '../fixture.js';
import { fftBound, fftRoundTripBound, U32 } from '../tolerance.js';
import { numpy, npOut, randomF32 } from './helpers.js';

/**
 * Worst normwise relative error over the `batch` transforms: max_b ‖got_b − ref_b‖₂ / ‖ref_b‖₂ (interleaved
 * complex; an all-zero reference compares absolutely).
 */
function relErr2(got: ArrayLike<number>, ref: ArrayLike<number>, batch: number): number {
  expect(got.length, 'length').toBe(ref.length);
  const len = ref.length / batch;
  let worst = 0;
  for (let b = 0; b < batch; b++) {
    let e2 = 0;
    let r2 = 0;
    for (let i = b * len; i < (b + 1) * len; i++) {
      const r = ref[i] ?? NaN;
      e2 += ((got[i] ?? NaN) - r) ** 2;
      r2 += r * r;
    }
    const e = Math.sqrt(e2) / (r2 > 0 ? Math.sqrt(r2) : 1);
    worst = Number.isNaN(e) ? NaN : Math.max(worst, e);
  }
  return worst;
}

/** NumPy's float64 FFT of `batch` interleaved transforms of length n (forward, or inverse with 1/n). */
function numpyFft(x: Float32Array, n: number, batch: number, inverse = false): Float64Array {
  const r = numpy(
    `x = inp['x'].astype(np.float64).reshape(${batch}, ${n}, 2); z = x[..., 0] + 1j * x[..., 1]
out['X'] = np.fft.${inverse ? 'ifft' : 'fft'}(z, axis=1)`,
    { x },
  );
  return npOut(r, 'X') as Float64Array;
}

describe('fft', () => {
  for (const [n, batch] of [[1, 1], [2, 1], [4, 3], [8, 1], [16, 5], [1024, 4], [4096, 1], [1 << 16, 1]] as const) {
    gpuTest(`forward and inverse match NumPy's FFT within the derived bound (n = ${n}, batch = ${batch})`, async ({ device }) => {
      const xh = randomF32(2 * n * batch, n + batch);
      using x = device.array(xh);
      using X = fft(x, { batch });
      using back = ifft(X, { batch });
      using y = ifft(x, { batch });
      const [got, b, inv] = await Promise.all([X.toArray(), back.toArray(), y.toArray()]);
      expect(relErr2(got, numpyFft(xh, n, batch), batch)).toBeLessThanOrEqual(fftBound(n));
      expect(relErr2(inv, numpyFft(xh, n, batch, true), batch)).toBeLessThanOrEqual(fftBound(n));
      expect(relErr2(b, xh, batch)).toBeLessThanOrEqual(fftRoundTripBound(n));
    });
  }

  for (const RADIX of [2, 4, 8]) {
    dawnTest(`every radix gives the transform (radix ${RADIX}, n = 2^11, batch 2)`, async ({ device }) => {
      pinParams(device.ctx, fftTunable.op, { RADIX });
      try {
        const n = 2048;
        const xh = randomF32(2 * n * 2, 77);
        using x = device.array(xh);
        using X = fft(x, { batch: 2 });
        expect(relErr2(await X.toArray(), numpyFft(xh, n, 2), 2)).toBeLessThanOrEqual(fftBound(n));
      } finally {
        pinParams(device.ctx, fftTunable.op, undefined);
      }
    });
  }

  gpuTest('an impulse transforms to all ones; a shifted impulse to the closed-form phase ramp', async ({ device }) => {
    using x = device.array(new Float32Array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    using X = fft(x);
    expect([...(await X.toArray())]).toEqual([1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
    for (const [n, m] of [[8, 3], [1024, 1], [4096, 1234]] as const) {
      const h = new Float32Array(2 * n);
      h[2 * m] = 1;
      using d = device.array(h);
      using D = fft(d);
      // X_k = e^{-2πi·m·k/n}
      const want = Float64Array.from({ length: 2 * n }, (_v, i) => {
        const a = (2 * Math.PI * ((m * (i >> 1)) % n)) / n;
        return i % 2 === 0 ? Math.cos(a) : -Math.sin(a);
      });
      expect(relErr2(await D.toArray(), want, 1)).toBeLessThanOrEqual(fftBound(n));
    }
  });

  gpuTest('a single tone transforms to n at its frequency and 0 elsewhere; Parseval holds', async ({ device }) => {
    for (const [n, f, batch] of [[16, 5, 1], [2048, 700, 3], [1 << 14, 12_345, 1]] as const) {
      // x_j = e^{2πi·f·j/n} (rounded to f32, within u of exact: hence the + u below).
      const h = new Float32Array(2 * n * batch);
      for (let b = 0; b < batch; b++) {
        for (let j = 0; j < n; j++) {
          const a = (2 * Math.PI * ((f * j) % n)) / n;
          h[2 * (b * n + j)] = Math.cos(a);
          h[2 * (b * n + j) + 1] = Math.sin(a);
        }
      }
      using x = device.array(h);
      using X = fft(x, { batch });
      const got = await X.toArray();
      const want = new Float64Array(2 * n * batch);
      for (let b = 0; b < batch; b++) want[2 * (b * n + f)] = n;
      const bound = fftBound(n) * (1 + U32) + U32;
      expect(relErr2(got, want, batch)).toBeLessThanOrEqual(bound);
      // Parseval on random data: Σ|X|² = n·Σ|x|², within the normwise bound squared.
      const rh = randomF32(2 * n, n + f);
      using r = device.array(rh);
      using R = fft(r);
      const Rh = await R.toArray();
      const energy = (a: ArrayLike<number>) => {
        let s = 0;
        for (let i = 0; i < a.length; i++) s += (a[i] ?? 0) ** 2;
        return s;
      };
      const ratio = energy(Rh) / (n * energy(rh));
      const b = fftBound(n);
      expect(ratio).toBeGreaterThanOrEqual((1 - b) ** 2);
      expect(ratio).toBeLessThanOrEqual((1 + b) ** 2);
    }
  });

  gpuTest('non-power-of-two lengths and bad layouts are ShapeErrors', async ({ device }) => {
    using x = device.zeros(2 * 12);
    expect(() => fft(x)).toThrow(ShapeError);
    expect(() => fft(x)).toThrow(/length 12 is not a power of two/);
    using y = device.zeros(6);
    expect(() => fft(y, { batch: 2 })).toThrow(/not 2 transform\(s\)/);
  });
});
