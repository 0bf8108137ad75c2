/**
 * Every op that allocates scratch, on a device whose pool caches nothing (every release frees its memory
 * once queued work is done with it) and on one with a tiny cache (constant eviction), against exact
 * references written here: data of small integers, so every result is exact whatever the summation order.
 * Buffer-lifetime bugs (memory freed or reused under queued work) show up as wrong numbers or as a
 * rejected batch here.
 */
import { expect } from 'vitest';
import { argmax, argmin, dot, fft, histogram, matmul, max, min, openDevice, random, scan, sort, sortPairs, sum, type GpuDevice } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';

function ints(n: number, seed: number, range: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s % (2 * range + 1)) - range;
  }
  return out;
}

async function everyOp(dev: GpuDevice): Promise<void> {
  const n = 70_001; // several workgroups and passes, not a multiple of any WG·ITEMS
  const xh = ints(n, 7, 8);
  const yh = ints(n, 11, 8);
  using x = dev.array(xh);
  using y = dev.array(yh);
  // Distinct values for arg ops: a permutation of 0..n-1, shifted.
  const ph = Float32Array.from({ length: n }, (_, i) => ((i * 7919) % n) - 5000);
  using p = dev.array(ph);
  for (let round = 0; round < 3; round++) {
    using s = sum(x);
    using d = dot(x, y);
    using mn = min(p);
    using mx = max(p);
    using am = argmin(p);
    using aM = argmax(p);
    using sc = scan(x);
    using so = sort(p);
    const vals = Uint32Array.from({ length: n }, (_, i) => i);
    using v = dev.array(vals, 'u32');
    const pairs = sortPairs(p, v);
    using pk = pairs.keys;
    using pv = pairs.values;
    const h = histogram(x, { bins: 17, lo: -8.5, hi: 8.5 });
    using hc = h.counts;
    using ho = h.outside;
    const m = 33;
    const k = 65;
    const ah = ints(m * k, 3, 4);
    const bh = ints(k * m, 5, 4);
    using a = dev.array(ah);
    using b = dev.array(bh);
    using c = matmul(a, b, { m, k, n: m });
    const imp = new Float32Array(2 * 64);
    imp[0] = 1;
    using fi = dev.array(imp);
    using f = fft(fi);
    using r1 = random.u32(dev, 1000, { seed: 9 });
    using r2 = random.u32(dev, 1000, { seed: 9 });

    expect(await s.item()).toBe(xh.reduce((acc, t) => acc + t, 0));
    expect(await d.item()).toBe(xh.reduce((acc, t, i) => acc + t * (yh[i] ?? 0), 0));
    expect(await mn.item()).toBe(-5000);
    expect(await mx.item()).toBe(n - 1 - 5000);
    expect(await am.item()).toBe(ph.indexOf(-5000));
    expect(await aM.item()).toBe(ph.indexOf(n - 1 - 5000));
    const scanned = await sc.toArray();
    let run = 0;
    for (let i = 0; i < n; i++) {
      run += xh[i] ?? 0;
      if (scanned[i] !== run) expect.fail(`round ${round}: scan[${i}] = ${scanned[i]}, expected ${run}`);
    }
    const sorted = Float32Array.from({ length: n }, (_, i) => i - 5000);
    expectArrayEqual(await so.toArray(), sorted);
    expectArrayEqual(await pk.toArray(), sorted);
    const order = await pv.toArray();
    for (let i = 0; i < n; i++) if (ph[order[i] ?? 0] !== sorted[i]) expect.fail(`round ${round}: sortPairs value ${i} does not carry its key`);
    const counts = new Array<number>(17).fill(0);
    for (const t of xh) counts[t + 8] = (counts[t + 8] ?? 0) + 1;
    expectArrayEqual(await hc.toArray(), counts);
    expectArrayEqual(await ho.toArray(), [0, 0, 0]);
    const cc = await c.toArray();
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        let e = 0;
        for (let q = 0; q < k; q++) e += (ah[i * k + q] ?? 0) * (bh[q * m + j] ?? 0);
        if (cc[i * m + j] !== e) expect.fail(`round ${round}: matmul[${i},${j}] = ${cc[i * m + j]}, expected ${e}`);
      }
    }
    const spectrum = await f.toArray(); // an impulse's spectrum is 1 + 0i everywhere, exactly
    for (let i = 0; i < 64; i++) {
      if (spectrum[2 * i] !== 1 || spectrum[2 * i + 1] !== 0) expect.fail(`round ${round}: fft bin ${i} = ${spectrum[2 * i]} + ${spectrum[2 * i + 1]}i`);
    }
    expectArrayEqual(await r1.toArray(), await r2.toArray());
  }
}

gpuTest('every op that allocates scratch is right with no pool cache and with a tiny one', { timeout: 120_000 }, async ({ device }) => {
  for (const poolCacheBytes of [0, 64 * 1024]) {
    await using dev = await openDevice({ engine: device.info.engine, poolCacheBytes });
    await everyOp(dev);
    expect(dev.memory.inUseBytes).toBe(0);
    await dev.sync();
    expect(dev.memory.pendingBytes).toBe(0);
    expect(dev.memory.cachedBytes).toBeLessThanOrEqual(poolCacheBytes);
  }
});
