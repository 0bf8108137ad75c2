/**
 * Ops over data larger than the real 128 MiB binding (issue 15): sum, max, argmax, scan and sort of
 * 2^25 + 3 f32 values (128 MiB + 12 bytes: two chunks, the second of 3 elements), on the device's own
 * limits; views at the tail of such an array (issue 24). About 1 GiB of memory; core pass only (.ci/run).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import * as gk from '../../src/index.js';
import type { GpuDevice } from '../../src/index.js';

let device: GpuDevice;
beforeAll(async () => {
  device = await gk.openDevice({ engine: 'dawn' });
});
afterAll(async () => {
  await device.close();
});

test('sum, max, argmax, scan and sort of 2^25 + 3 f32 (over one 128 MiB binding)', { timeout: 180_000 }, async () => {
  const n = 2 ** 25 + 3;
  expect(n * 4).toBeGreaterThan(device.limits.maxStorageBufferBindingSize);
  // Small integers as f32: sums of up to 2^24 of them are exact, and the sort's reference is a count.
  const xs = new Float32Array(n);
  for (let i = 0; i < n; i++) xs[i] = ((Math.imul(i, 2654435761) >>> 0) % 1001) - 500;
  xs[n - 2] = 777; // the maximum, in the 3-element second chunk
  using x = device.array(xs);
  using s = gk.sum(x);
  using m = gk.max(x);
  using a = gk.argmax(x);
  using c = gk.scan(x);
  using o = gk.sort(x);
  let s64 = 0;
  let abs = 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const v = xs[i] ?? 0;
    s64 += v;
    abs += Math.abs(v);
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  expect(Math.abs((await s.item()) - s64)).toBeLessThanOrEqual((Math.log2(n) + 2) * 2 ** -23 * abs);
  expect(await m.item()).toBe(777);
  expect(await a.item()).toBe(n - 2);

  // Scan: every element within the bound documented in src/ops/scan.ts.
  const scanned = await c.toArray();
  let run = 0;
  let runAbs = 0;
  for (let i = 0; i < n; i++) {
    run += xs[i] ?? 0;
    runAbs += Math.abs(xs[i] ?? 0);
    const got = scanned[i] ?? NaN;
    if (!(Math.abs(got - run) <= 2 ** -24 * (Math.sqrt(n) + 2) * runAbs)) expect.fail(`scan element ${i}: got ${got}, expected ${run}`);
  }

  // Sort: non-decreasing, and the same multiset (exact).
  const sorted = await o.toArray();
  expect(sorted.length).toBe(n);
  const seen = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const v = sorted[i] ?? NaN;
    if (i > 0 && !((sorted[i - 1] ?? NaN) <= v)) expect.fail(`sort: element ${i - 1} (${sorted[i - 1]}) > element ${i} (${v})`);
    seen.set(v, (seen.get(v) ?? 0) + 1);
  }
  expect(seen).toEqual(counts);
});

test('a view at the tail of 2^25 + 3 f32 (past one 128 MiB binding): written, read reversed and transposed', { timeout: 60_000 }, async () => {
  const n = 2 ** 25 + 3;
  using x = device.zeros(n);
  expect(x.byteLength).toBeGreaterThan(device.limits.maxStorageBufferBindingSize);
  // A contiguous slice of 3 that is not the whole array: written through the strided copy (was a LimitError).
  using tail = x.slice([n - 3, n]);
  tail.write([1, 2, 3]);
  // Reversed across the binding's end, and a 2-D transpose of the last 8 elements.
  using rev = x.slice([n - 1, n - 9, -1]);
  expect([...(await rev.toArray())]).toEqual([3, 2, 1, 0, 0, 0, 0, 0]);
  using last8 = x.slice([n - 8, n]).reshape(2, 4);
  using t = last8.T;
  expect([...(await t.toArray())]).toEqual([0, 0, 0, 1, 0, 2, 0, 3]);
  rev.write([-1, -2, -3, -4, -5, -6, -7, -8]);
  using plainTail = x.slice([n - 9, n]);
  expect([...(await plainTail.toArray())]).toEqual([0, -8, -7, -6, -5, -4, -3, -2, -1]);
});
