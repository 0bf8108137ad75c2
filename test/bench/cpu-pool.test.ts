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
