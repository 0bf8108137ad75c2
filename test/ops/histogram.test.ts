import { describe, expect } from 'vitest';
import { histogram, histogramCpu, ArgumentError, DTypeError } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { randomF32 } from './helpers.js';

describe('histogram', () => {
  for (const [n, bins] of [[0, 4], [1, 1], [63, 10], [65, 256], [100_003, 7], [200_000, 3000], [50_000, 9000]] as const) {
    gpuTest(`counts match the CPU exactly (n = ${n}, bins = ${bins})`, async ({ device }) => {
      const xh = randomF32(n, n + bins, -0.2, 1.2);
      using x = device.array(xh);
      const h = histogram(x, { bins, lo: 0, hi: 1 });
      using counts = h.counts;
      using outside = h.outside;
      const ref = histogramCpu(xh, bins, 0, 1);
      expectArrayEqual(await counts.toArray(), ref.counts);
      expect([...(await outside.toArray())]).toEqual([ref.below, ref.above, ref.nan]);
    });
  }

  gpuTest('edges, ±Inf, NaN and values just under hi land where the CPU puts them', async ({ device }) => {
    const hi = 1;
    const xh = new Float32Array([0, 0.1, 0.2, 0.5, 1, Math.fround(1 - 2 ** -24), -0, -1e-30, Infinity, -Infinity, NaN, 0.3, 0.7]);
    using x = device.array(xh);
    const h = histogram(x, { bins: 10, lo: 0, hi });
    using counts = h.counts;
    using outside = h.outside;
    const ref = histogramCpu(xh, 10, 0, hi);
    expectArrayEqual(await counts.toArray(), ref.counts);
    expect([...(await outside.toArray())]).toEqual([ref.below, ref.above, ref.nan]);
    expect(ref.nan).toBe(1);
  });

  gpuTest('bad arguments are typed errors', async ({ device }) => {
    using x = device.zeros(4);
    using xi = device.zeros(4, 'i32');
    expect(() => histogram(x, { bins: 0, lo: 0, hi: 1 })).toThrow(ArgumentError);
    expect(() => histogram(x, { bins: 4, lo: 1, hi: 1 })).toThrow(/need finite lo < hi/);
    expect(() => histogram(xi, { bins: 4, lo: 0, hi: 1 })).toThrow(DTypeError);
  });
});
