import { afterAll, beforeAll, expect, test } from 'vitest';
import { axpyLoop, dotLoop, matmulRows, radixSortU32, scanLoop, sumLoop } from '../../src/cpu/loops.js';
import { CpuPool, sharedF32, sharedU32 } from '../../src/cpu/pool.js';

let pool: CpuPool;
beforeAll(async () => {
  pool = await CpuPool.create(3); // odd, so ranges and merge rounds are uneven
});
afterAll(async () => {
  await pool.close();
});

const rand = (n: number, seed: number): Float32Array => {
  const a = sharedF32(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 16807) % 2147483647;
    a[i] = s / 2147483647 - 0.5;
  }
  return a;
};

test.each([0, 1, 17, 1000, 100_003])('the pool agrees with the single-thread loops (n = %i)', (n) => {
  const x = rand(n, 3);
  const y = rand(n, 5);
  expect(pool.sum(x)).toBeCloseTo(sumLoop(x), 6);
  expect(pool.dot(x, y)).toBeCloseTo(dotLoop(x, y), 6);
  const y1 = new Float32Array(y);
  axpyLoop(2, x, y1);
  pool.axpy(2, x, y);
  expect([...y]).toEqual([...y1]);
  const s1 = new Float32Array(n);
  const s2 = sharedF32(n);
  scanLoop(x, s1);
  pool.scan(x, s2);
  for (let i = 0; i < n; i += Math.max(1, n >> 6)) expect(s2[i]).toBeCloseTo(s1[i] ?? 0, 3);
  const keys = sharedU32(n);
  for (let i = 0; i < n; i++) keys[i] = ((x[i] ?? 0) * 2 ** 31 + 2 ** 31) >>> 0;
  const ref = new Uint32Array(keys).sort();
  const one = new Uint32Array(keys);
  radixSortU32(one, new Uint32Array(n));
  pool.sort(keys, sharedU32(n));
  expect([...one]).toEqual([...ref]);
  expect([...keys]).toEqual([...ref]);
});

test('matmul rows split over the pool agree with one thread', () => {
  const N = 37;
  const a = rand(N * N, 7);
  const b = rand(N * N, 9);
  const c1 = new Float32Array(N * N);
  const c2 = sharedF32(N * N);
  matmulRows(a, b, c1, N, N, N);
  pool.matmul(a, b, c2, N, N, N);
  expect([...c2]).toEqual([...c1]);
});

test('the noise monitor times its reference jobs and summarises them over the sweep', async () => {
  const noise = await import('../../src/bench/noise.js');
  const { NoiseMonitor } = noise;
  const { median, quantile } = await import('../../src/bench/stats.js');
  const m = new NoiseMonitor(pool);
  const probes = [m.probe(), m.probe(), m.probe(), m.probe()];
  for (const p of probes) {
    expect(p.oneThreadMs).toBeGreaterThan(0);
    expect(p.allCoresMs).toBeGreaterThan(0);
  }
  expect(probes.map((p) => p.atS)).toEqual([...probes.map((p) => p.atS)].sort((a, b) => a - b));
  const s = m.summary();
  expect(s.probes).toEqual(probes);
  const all = probes.map((p) => p.allCoresMs);
  expect(s.allCores.medianMs).toBe(median(all));
  expect(s.allCores.spread).toBeCloseTo(quantile(all, 0.9) / quantile(all, 0.1), 12);
  expect(s.oneThread.maxOverMin).toBeGreaterThanOrEqual(1);
  // The jobs really ran: their sums (Σ (i mod 13) − 6 ≠ 0 over 2^16 and 2^20 elements) landed in the sink.
  expect(noise.noiseSink).not.toBe(0);
});
