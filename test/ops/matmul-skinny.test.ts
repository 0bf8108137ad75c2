/**
 * kernels/matmul-skinny.wgsl (at most 16 columns, k % 4 = 0, A not transposed) against a float64
 * reference, for each geometry pinned (a block of rows per invocation; lanes along k meeting in workgroup
 * memory): one column up to 16 (with lanes along k, as many rows per invocation as fit 16 sums), m not a
 * multiple of a workgroup's rows, B given plainly and as a transposed view, and a grid of more than
 * 65,535 workgroups.
 */
import { expect } from 'vitest';
import { matmul, type GpuDevice } from '../../src/index.js';
import { pinParams, type TuneParams } from '../../src/backends/dawn/tuning.js';
import { skinnyTunable } from '../../src/backends/dawn/ops/matmul.js';
import { dawnTest } from '../fixture.js';
import { matmulRef64, randomF32 } from './helpers.js';

const GEOMETRIES: TuneParams[] = [
  { WG: 8, LANES: 1, RM: 12 }, // the software default
  { WG: 64, LANES: 16, RM: 2 },
  { WG: 256, LANES: 64, RM: 1 }, // the GPU default at k = 1024
];

async function pinned<R>(device: GpuDevice, p: TuneParams, body: () => Promise<R>): Promise<R> {
  pinParams(device.ctx, skinnyTunable.op, p);
  try {
    return await body();
  } finally {
    pinParams(device.ctx, skinnyTunable.op, undefined);
  }
}

/** Each element within matmul's documented bound, 1e-4·sqrt(k)·Σ|a·b|, of the float64 product. */
function expectProduct(got: ArrayLike<number>, want: { c: Float64Array; mag: Float64Array }, k: number, what: string): void {
  expect(got.length, what).toBe(want.c.length);
  for (let i = 0; i < want.c.length; i++) {
    const bound = 1e-4 * Math.sqrt(k) * (want.mag[i] ?? 0) + 1e-30;
    if (!(Math.abs((got[i] ?? NaN) - (want.c[i] ?? 0)) <= bound)) expect.fail(`${what}[${i}]: got ${got[i]}, expected ${want.c[i]} (bound ${bound})`);
  }
}

for (const geometry of GEOMETRIES) {
  dawnTest(`tall-skinny products on matmul-skinny match float64 with WG ${geometry['WG']} LANES ${geometry['LANES']} RM ${geometry['RM']}: n = 1, 5, 10, 16, B plain and as a transposed view`, async ({ device }) => {
    const p: TuneParams = { ...geometry, WG: Math.min(geometry['WG'] ?? 8, device.ctx.limits.maxComputeInvocationsPerWorkgroup) };
    await pinned(device, p, async () => {
      const [m, k] = [203, 132]; // m: not a multiple of any geometry's rows per workgroup; k: 33 chunks of 4
      const ah = randomF32(m * k, 1, -1, 1);
      using a = device.array(ah, { shape: [m, k] });
      for (const n of [1, 5, 10, 16]) {
        const bh = randomF32(k * n, 10 + n, -1, 1);
        const bth = new Float32Array(n * k);
        for (let q = 0; q < k; q++) for (let j = 0; j < n; j++) bth[j * k + q] = bh[q * n + j] ?? 0;
        using b = device.array(bh, { shape: [k, n] });
        using bt = device.array(bth, { shape: [n, k] });
        const want = matmulRef64(ah, bh, m, k, n);
        using c = matmul(a, b);
        expect(c.shape).toEqual([m, n]);
        expectProduct(await c.toArray(), want, k, `a·b n=${n}`);
        using c2 = matmul(a, bt.T);
        expectProduct(await c2.toArray(), want, k, `a·(bᵀ)ᵀ n=${n}`);
      }
    });
  });
}

dawnTest('matmul-skinny over more than 65,535 workgroups (one row each), folded into a 2-D grid', async ({ device }) => {
  const [m, k, n] = [70_001, 8, 3];
  const ah = randomF32(m * k, 3, -1, 1);
  const bh = randomF32(k * n, 4, -1, 1);
  await pinned(device, { WG: 64, LANES: 64, RM: 1 }, async () => {
    using a = device.array(ah, { shape: [m, k] });
    using b = device.array(bh, { shape: [k, n] });
    using c = matmul(a, b);
    expectProduct(await c.toArray(), matmulRef64(ah, bh, m, k, n), k, 'a·b');
  });
});
