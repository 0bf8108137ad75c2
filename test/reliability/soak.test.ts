import { expect } from 'vitest';
import { add, axpy, max, map, scale, sum } from '../../src/index.js';
import { gpuTest } from '../fixture.js';
import { randomF32 } from '../ops/helpers.js';

gpuTest('soak: 10,000 mixed ops with readbacks keep pool bytes and RSS flat', async ({ device }) => {
  const xh = randomF32(4096, 1);
  const yh = randomF32(4096, 2);
  const round = async (): Promise<number> => {
    using x = device.array(xh);
    using y = device.array(yh);
    using z = add(x, y);
    axpy(0.5, x, z);
    using w = scale(z, 2);
    using m = map(w, 'abs(x)');
    using s = sum(m);
    using mx = max(m);
    const [a, b] = await Promise.all([s.item(), mx.item()]);
    return a + b;
  };
  const collect = async (): Promise<void> => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc === undefined) throw new Error('run with --expose-gc (vitest.config.ts sets it)');
    gc();
    await new Promise((r) => setTimeout(r, 20));
    gc();
  };
  // Warm up: compile every kernel, fill the pool and let Dawn's and the allocator's own pools reach their steady size.
  for (let i = 0; i < 500; i++) await round();
  await collect();
  const pool0 = device.memory;
  const rss0 = process.memoryUsage().rss;
  const heap0 = process.memoryUsage().heapUsed;
  const expected = await round();
  const rounds = 10_000 / 6; // six ops per round
  let rssMid = 0;
  for (let i = 0; i < rounds; i++) {
    const got = await round();
    if (got !== expected) expect.fail(`round ${i}: ${got} !== ${expected}`);
    if (i === Math.floor(rounds / 2)) {
      await collect();
      rssMid = process.memoryUsage().rss;
    }
  }
  await collect();
  const pool1 = device.memory;
  const rss1 = process.memoryUsage().rss;
  const heap1 = process.memoryUsage().heapUsed;
  console.log(
    `soak: pool in use ${pool0.inUseBytes} → ${pool1.inUseBytes} B, cached ${pool0.cachedBytes} → ${pool1.cachedBytes} B, ` +
      `buffers created ${pool0.created} → ${pool1.created}, RSS ${(rss0 / 2 ** 20).toFixed(1)} → ${(rssMid / 2 ** 20).toFixed(1)} (half way) → ${(rss1 / 2 ** 20).toFixed(1)} MiB, JS heap ${(heap0 / 2 ** 20).toFixed(1)} → ${(heap1 / 2 ** 20).toFixed(1)} MiB`,
  );
  expect(pool1.inUseBytes).toBe(pool0.inUseBytes);
  expect(pool1.cachedBytes).toBe(pool0.cachedBytes);
  expect(pool1.created).toBe(pool0.created);
  // The leak checks that bite are exact: pool bytes, buffers created, and the JS heap (a JS leak of even
  // 1 KiB per op would add 10 MiB). RSS moves by tens of MiB with malloc's arenas and llvmpipe's threads
  // when other processes compete for the cores, so its bounds only catch a gross native leak.
  expect(heap1 - heap0).toBeLessThan(4 * 2 ** 20);
  expect(rss1 - rss0).toBeLessThan(128 * 2 ** 20);
  expect(rss1 - rssMid).toBeLessThan(64 * 2 ** 20);
});

gpuTest('concurrency: 1,000 independent ops from concurrent async tasks all come back right', async ({ device }) => {
  const tasks = Array.from({ length: 1000 }, async (_, k) => {
    await Promise.resolve();
    const n = 1 + (k % 97);
    const xh = Float32Array.from({ length: n }, (_, i) => i + k);
    using x = device.array(xh);
    using y = scale(x, 2);
    using s = sum(y);
    const got = await s.item();
    const want = xh.reduce((a, v) => a + 2 * v, 0);
    return got === want;
  });
  const ok = await Promise.all(tasks);
  expect(ok.filter((v) => !v).length).toBe(0);
});
