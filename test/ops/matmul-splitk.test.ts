/**
 * Products with few outputs and a long k (issue 26 item 4): on Dawn, `matmul(X.T, r)` (32×50,000 ·
 * 50,000) and `matmul(r, X)` run the same plan (a column result is computed as its transpose, a row, with
 * the same memory), and a plan whose output gives too few workgroups is split along k (matmul-rb composed
 * with SPLIT_K, then matmul-splitk-sum adds the layers in order). Checked on both engines against a float64
 * loop (matmulRef64) within the derived bound of test/tolerance.ts (a blocked sum has depth ≤ k, so the
 * bound is the same), in all four layouts, at k below, at and above the split threshold, odd k and sizes,
 * through the n-d API (transposed views, 1-D operands) and against NumPy's matmul; and on Dawn, the plan.
 */
import { describe, expect } from 'vitest';
import { matmul, type GpuDevice } from '../../src/index.js';
import type { MatmulOptions } from '../../src/ops/matmul.js';
import { planMatmul } from '../../src/backends/dawn/ops/matmul.js';
import { dawnTest, gpuTest } from '../fixture.js';
import { matmulBound } from '../tolerance.js';
import { matmulRef64, npOut, numpy, randomF32 } from './helpers.js';

function expectClose(got: Float32Array, ref: Float64Array, mag: Float64Array, k: number, what: string): void {
  expect(got.length, what).toBe(ref.length);
  for (let i = 0; i < got.length; i++) {
    const tol = matmulBound(k, mag[i] ?? NaN);
    if (!(Math.abs((got[i] ?? NaN) - (ref[i] ?? NaN)) <= tol)) expect.fail(`${what}: C[${i}] = ${got[i]}, reference ${ref[i]} (tolerance ${tol})`);
  }
}

async function check(device: GpuDevice, m: number, k: number, n: number, opts: MatmulOptions, seed: number): Promise<void> {
  const ah = randomF32(m * k, seed);
  const bh = randomF32(k * n, seed + 1);
  using a = device.array(ah);
  using b = device.array(bh);
  using c = matmul(a, b, { m, k, n, ...opts });
  expect(c.shape).toEqual([m, n]);
  const { c: ref, mag } = matmulRef64(ah, bh, m, k, n, opts.transA === true, opts.transB === true);
  expectClose(await c.toArray(), ref, mag, k, `${m}×${k}×${n} ${JSON.stringify(opts)}`);
}

const COMBOS: readonly MatmulOptions[] = [{}, { transA: true }, { transB: true }, { transA: true, transB: true }];

describe('split-k and column results', () => {
  gpuTest('few outputs, long k, every layout: within the derived bound', async ({ device }) => {
    // Every layout where the layout changes the plan (the column result, the row, odd sizes); one elsewhere.
    const shapes: [number, number, number, readonly MatmulOptions[]][] = [
      [32, 12_000, 1, COMBOS], // a column result (X.T @ r)
      [1, 12_000, 32, COMBOS], // a row (r @ X)
      [7, 2049, 3, COMBOS], // odd k just past the threshold
      [2, 2048, 2, [{}]], // k = 2 · SPLIT_MIN_K exactly
      [5, 2047, 1, [{ transA: true }]], // just below: unsplit
      [1, 30_001, 1, [{}]], // a dot product
      [40, 3000, 24, [{ transB: true }]], // several row blocks and columns
    ];
    let seed = 11;
    for (const [m, k, n, combos] of shapes) for (const o of combos) await check(device, m, k, n, o, (seed += 2));
  });

  gpuTest('the n-d API: X.T @ r, r @ X, X.T @ R (a column), X @ q against NumPy within the bound', async ({ device }) => {
    const [N, D] = [6007, 29];
    const xh = randomF32(N * D, 41);
    const rh = randomF32(N, 42);
    const qh = randomF32(D, 43);
    const r = numpy(
      `X = inp['x'].reshape(${N}, ${D}).astype(np.float64); r = inp['r'].astype(np.float64); q = inp['q'].astype(np.float64)
out['xtr'] = X.T @ r; out['rx'] = r @ X; out['xtR'] = (X.T @ r.reshape(${N}, 1)).ravel(); out['xq'] = X @ q
out['mxtr'] = np.abs(X.T) @ np.abs(r); out['mrx'] = np.abs(r) @ np.abs(X); out['mxq'] = np.abs(X) @ np.abs(q)`,
      { x: xh, r: rh, q: qh },
    );
    using X = device.array(xh, { shape: [N, D] });
    using rv = device.array(rh);
    using R = device.array(rh, { shape: [N, 1] });
    using q = device.array(qh);
    using a = matmul(X.T, rv);
    using b = matmul(rv, X);
    using c = matmul(X.T, R);
    using d = matmul(X, q); // m = 6007 rows, n = 1: the column result, k = 29 (unsplit)
    expect([a.shape, b.shape, c.shape, d.shape]).toEqual([[D], [D], [D, 1], [N]]);
    const f64 = (k: string): Float64Array => Float64Array.from(npOut(r, k));
    expectClose(await a.toArray(), f64('xtr'), f64('mxtr'), N, 'X.T @ r');
    expectClose(await b.toArray(), f64('rx'), f64('mrx'), N, 'r @ X');
    expectClose(await c.toArray(), f64('xtR'), f64('mxtr'), N, 'X.T @ R');
    expectClose(await d.toArray(), f64('xq'), f64('mxq'), D, 'X @ q');
  });

  dawnTest('the plan: too few output blocks and a long k split along k; otherwise not; a row vector blocks one row', ({ device }) => {
    const p = planMatmul(device.ctx, 1, 50_000, 32, false, false);
    expect(p.kernel).toBe('matmul-rb');
    expect(p.kc).toBeGreaterThanOrEqual(1024);
    expect(p.workgroups[2]).toBe(Math.ceil(50_000 / p.kc));
    expect(p.workgroups[2]).toBeGreaterThanOrEqual(2);
    expect(planMatmul(device.ctx, 1024, 1024, 1024, false, false)).toMatchObject({ kc: 0, workgroups: [expect.any(Number), expect.any(Number), 1] });
    expect(planMatmul(device.ctx, 4, 2047, 4, false, false)).toMatchObject({ kc: 0 });
    // A row vector times a matrix: matmul-rb blocks one row, not RM copies of it.
    const row = planMatmul(device.ctx, 1, 512, 64, false, false);
    if (row.kernel === 'matmul-rb') expect(row.constants['RM']).toBe(1);
  });

  dawnTest('X.T @ r and r @ X dispatch the same kernels', async ({ device }) => {
    using X = device.array(randomF32(50_000 * 32, 51), { shape: [50_000, 32] });
    using rv = device.array(randomF32(50_000, 52));
    const labels = async (f: () => { destroy(): void }): Promise<string[]> => {
      const p = await device.profile(() => {
        f().destroy();
      });
      return p.kernels.map((k) => `${k.label}×${k.dispatches}`).sort();
    };
    const t = await labels(() => matmul(X.T, rv));
    expect(t).toEqual(await labels(() => matmul(rv, X)));
    expect(t).toContain('matmul-rb|split-k×1');
  });
});
