import { describe, expect } from 'vitest';
import { histogram, ArgumentError, DTypeError, type GpuDevice } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { U32 } from '../tolerance.js';
import { numpy, npOut, randomF32 } from './helpers.js';

/**
 * Test data for [lo, hi] with `bins` bins: values spread over a range 40 % wider than [lo, hi), plus NaN and
 * ±Inf, with every in-range value kept at least `margin` bins away from an inner edge (moved to its bin's
 * centre otherwise), so the f32 bin formula and NumPy's float64 one cannot disagree by rounding.
 */
function histogramData(n: number, bins: number, lo: number, hi: number, seed: number): Float32Array {
  const lo32 = Math.fround(lo);
  const hi32 = Math.fround(hi);
  const w = hi32 - lo32;
  const x = randomF32(n, seed, lo32 - 0.2 * w, hi32 + 0.2 * w);
  const margin = 1e-3 + 16 * U32 * bins;
  for (let i = 0; i < n; i++) {
    if (i % 997 === 13) x[i] = [NaN, Infinity, -Infinity][i % 3] ?? NaN;
    const v = x[i] ?? NaN;
    if (!(v >= lo32 && v < hi32)) continue;
    const t = ((v - lo32) / w) * bins;
    const f = t - Math.floor(t);
    if (f < margin || f > 1 - margin) x[i] = Math.fround(lo32 + ((Math.floor(t) + 0.5) / bins) * w);
  }
  return x;
}

async function deviceHistogram(device: GpuDevice, xh: Float32Array, bins: number, lo: number, hi: number): Promise<{ counts: Uint32Array; outside: number[] }> {
  using x = device.array(xh);
  const h = histogram(x, { bins, lo, hi });
  using counts = h.counts;
  using outside = h.outside;
  return { counts: (await counts.toArray()), outside: [...(await outside.toArray())] };
}

describe('histogram', () => {
  // Negative lo, widths that are not powers of two, and the old lo = 0, hi = 1 case.
  const cases: [number, number, number, number][] = [
    [0, 4, -1, 1], [1, 1, -3, -2], [63, 10, -2.5, 1.7], [65, 256, -1000, 24.5], [100_003, 7, -0.3, 0.4],
    [200_000, 3000, -7.25, 3.1], [50_000, 9000, -1e-3, 2e-3], [65_537, 33, 0, 1],
  ];
  for (const [n, bins, lo, hi] of cases) {
    gpuTest(`counts match NumPy's histogram exactly (n = ${n}, bins = ${bins}, [${lo}, ${hi}])`, async ({ device }) => {
      const xh = histogramData(n, bins, lo, hi, n + bins);
      const got = await deviceHistogram(device, xh, bins, lo, hi);
      const r = numpy(
        `x = inp['x'].astype(np.float64); lo, hi, bins = inp['p'][0], inp['p'][1], int(inp['p'][2])
inside = x[(x >= lo) & (x <= hi)]
out['counts'] = np.histogram(inside, bins=bins, range=(lo, hi))[0].astype(np.uint32)
out['outside'] = np.array([np.sum(x < lo), np.sum(x > hi), np.sum(np.isnan(x))], dtype=np.uint32)`,
        { x: xh, p: new Float64Array([Math.fround(lo), Math.fround(hi), bins]) },
      );
      expectArrayEqual(got.counts, npOut(r, 'counts'));
      expect(got.outside).toEqual(Array.from(npOut(r, 'outside')));
      // Nothing is dropped or double-counted.
      expect(got.counts.reduce((a, v) => a + v, 0) + got.outside.reduce((a, v) => a + v, 0)).toBe(n);
    });
  }

  gpuTest('edges, ±Inf, NaN, -0 and values just under hi land in hand-computed bins (negative lo)', async ({ device }) => {
    // [-3, 5] in 8 bins of width 1 (scale exactly 1): every edge value is exact. NumPy closes the last bin, so
    // x = 5 counts in bin 7 (np.histogram gives [2 1 0 3 1 0 0 3]; below 2, above 1 (+Inf), NaN 1).
    const xh = new Float32Array([-3, -2.5, -2, 0, -0, 1e-30, Math.fround(5 - 2 ** -21), 5, Math.fround(-3 - 2 ** -21), Infinity, -Infinity, NaN, 4.5, 1]);
    const got = await deviceHistogram(device, xh, 8, -3, 5);
    expectArrayEqual(got.counts, [2, 1, 0, 3, 1, 0, 0, 3]);
    expect(got.outside).toEqual([2, 1, 1]);
    // [-0.75, 0.75] in 3 bins of width 0.5 (total width 1.5, scale exactly 2): 0.75 = hi is in the last bin.
    const yh = new Float32Array([-0.75, -0.5, -0.25, 0, 0.25, Math.fround(0.75 - 2 ** -24), 0.75, -0.7500001]);
    const h2 = await deviceHistogram(device, yh, 3, -0.75, 0.75);
    expectArrayEqual(h2.counts, [2, 2, 3]);
    expect(h2.outside).toEqual([1, 0, 0]);
    // np.histogram([0, 0.5, 1], 2, (0, 1)) = [1, 2]: the value at hi is counted, not set apart (issue 26, item 6).
    const z = await deviceHistogram(device, new Float32Array([0, 0.5, 1]), 2, 0, 1);
    expectArrayEqual(z.counts, [1, 2]);
    expect(z.outside).toEqual([0, 0, 0]);
  });

  gpuTest('bad arguments are typed errors', async ({ device }) => {
    using x = device.zeros(4);
    using xi = device.zeros(4, 'i32');
    expect(() => histogram(x, { bins: 0, lo: 0, hi: 1 })).toThrow(ArgumentError);
    expect(() => histogram(x, { bins: 4, lo: 1, hi: 1 })).toThrow(/need finite lo < hi/);
    expect(() => histogram(xi, { bins: 4, lo: 0, hi: 1 })).toThrow(DTypeError);
  });
});
