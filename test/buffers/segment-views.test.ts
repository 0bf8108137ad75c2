/**
 * Views of an array stored in several buffers (segments) and bound over several bindings, on a device with
 * small limits (test/chunked-device.ts): slices at and around segment and chunk boundaries, negative steps,
 * transposes and broadcasts are read (toArray), written (write / set), made contiguous and used as an op's
 * input, each against a host model whose slice semantics are Python's, re-implemented here independently.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { argmax, dot, histogram, neg, openDevice, sum, type DeviceArray, type GpuDevice } from '../../src/index.js';
import { chunkElements } from '../../src/buffers/chunks.js';
import { BINDING, BUFFER, openChunked } from '../chunked-device.js';
import { ENGINE, expectArrayEqual } from '../fixture.js';

/** Python's slice(start, stop, step).indices(n) (CPython's PySlice_AdjustIndices), as the list it selects. */
function pySlice(n: number, start: number | null, stop: number | null, step: number): number[] {
  const adjust = (v: number | null, dflt: number): number => {
    if (v === null) return dflt;
    if (v < 0) {
      v += n;
      if (v < 0) v = step < 0 ? -1 : 0;
    } else if (v >= n) v = step < 0 ? n - 1 : n;
    return v;
  };
  const a = adjust(start, step < 0 ? n - 1 : 0);
  const b = adjust(stop, step < 0 ? -1 : n);
  const out: number[] = [];
  for (let i = a; step > 0 ? i < b : i > b; i += step) out.push(i);
  return out;
}

// A 2-D base of R×C f32 (integers, exact) that spans three segments on Dawn; rows are not segment-aligned.
const C = 997;
const R = Math.ceil((2 * BUFFER) / 4 / C) + 3;
const N = R * C;

describe('views of an array over several buffers', () => {
  let device: GpuDevice;
  let base: DeviceArray<'f32'>;
  let model: Float32Array;
  beforeAll(async () => {
    device = await openChunked();
    model = Float32Array.from({ length: N }, (_, i) => i);
    base = device.array(model, 'f32', [R, C]);
  });
  afterAll(async () => {
    base.destroy();
    await device.close();
  });

  /** Positions worth hitting: segment and chunk boundaries (−1, 0, +1), the ends, and anywhere. */
  function boundaryIndex(n: number): fc.Arbitrary<number> {
    const seg = BUFFER / 4;
    const chunk = BINDING / 4;
    const marks = [0, 1, n - 1, n, seg, 2 * seg, chunk, 3 * chunk, 5 * chunk].flatMap((m) => [m - 1, m, m + 1]).filter((m) => m >= -1 && m <= n + 1);
    return fc.oneof(fc.constantFrom(...marks), fc.integer({ min: -n - 2, max: n + 2 }));
  }
  const step = fc.oneof(fc.constantFrom(1, -1, 2, -2), fc.integer({ min: -40, max: 40 }).filter((s) => s !== 0));
  const bound = (n: number): fc.Arbitrary<number | null> => fc.option(boundaryIndex(n), { nil: null, freq: 5 });

  test('1-D slices of the flat array (any start, stop, step) read, write and make contiguous as Python slices say', async () => {
    using flat = base.reshape(-1);
    expect(flat.isView).toBe(true);
    await fc.assert(
      fc.asyncProperty(bound(N), bound(N), step, fc.integer(), async (a, b, s, seed) => {
        const idx = pySlice(N, a, b, s);
        using v = flat.slice([a, b, s]);
        expect(v.shape).toEqual([idx.length]);
        expectArrayEqual(await v.toArray(), idx.map((i) => model[i] ?? NaN));
        const data = idx.map((_, k) => -((seed + k) % 100000) - 1);
        v.write(data);
        idx.forEach((i, k) => (model[i] = data[k] ?? NaN));
        using c = v.contiguous();
        expectArrayEqual(await c.toArray(), data);
        // Nothing around the view moved: the storage range it spans and a few elements either side.
        const lo = Math.max(0, idx.reduce((x, y) => Math.min(x, y), N) - 3);
        const hi = Math.min(N, idx.reduce((x, y) => Math.max(x, y), -1) + 4);
        using around = flat.slice([lo, hi]);
        expectArrayEqual(await around.toArray(), model.subarray(lo, hi));
      }),
      { numRuns: 40, seed: 7, endOnFailure: true },
    );
    expectArrayEqual(await base.toArray(), model);
  });

  test('2-D slices, transposed or not: toArray, set, and an op (neg) that reads the view', async () => {
    await fc.assert(
      fc.asyncProperty(bound(R), bound(R), step, bound(C), bound(C), step, fc.boolean(), fc.integer(), async (r0, r1, rs, c0, c1, cs, t, seed) => {
        const rows = pySlice(R, r0, r1, rs);
        const cols = pySlice(C, c0, c1, cs);
        const at = (i: number, j: number): number => (rows[i] ?? NaN) * C + (cols[j] ?? NaN);
        const idx: number[] = [];
        if (t) for (let j = 0; j < cols.length; j++) for (let i = 0; i < rows.length; i++) idx.push(at(i, j));
        else for (let i = 0; i < rows.length; i++) for (let j = 0; j < cols.length; j++) idx.push(at(i, j));
        using s0 = base.slice([r0, r1, rs], [c0, c1, cs]);
        using v = t ? s0.T : s0.slice();
        expect(v.shape).toEqual(t ? [cols.length, rows.length] : [rows.length, cols.length]);
        expectArrayEqual(await v.toArray(), idx.map((i) => model[i] ?? NaN));
        using m = neg(v);
        expectArrayEqual(await m.toArray(), idx.map((i) => -(model[i] ?? NaN)));
        const data = idx.map((_, k) => (seed + 31 * k) % 1000003);
        // set() on the base writes the same region (untransposed: the slice specs themselves).
        if (t) v.write(data);
        else {
          const plain = idx.map((_, k) => data[k] ?? NaN);
          base.set([[r0, r1, rs], [c0, c1, cs]], plain);
        }
        idx.forEach((i, k) => (model[i] = data[k] ?? NaN));
        expectArrayEqual(await v.toArray(), data);
      }),
      { numRuns: 25, seed: 11, endOnFailure: true },
    );
    expectArrayEqual(await base.toArray(), model);
  });

  test('a broadcast of a row slice across a segment boundary reads as np.broadcast_to says', async () => {
    using flat = base.reshape(-1);
    const seg = BUFFER / 4;
    for (const [a, b] of [
      [seg - 2, seg + 3],
      [seg, seg + 1],
      [2 * seg - 1, 2 * seg],
      [N - 1, N],
    ] as const) {
      using row = flat.slice([b - 1, a - 1 < 0 ? null : a - 1, -1]); // reversed: b-1 down to a
      using bc = row.expandDims(0).broadcastTo([3, b - a]);
      const want = Array.from({ length: b - a }, (_, k) => model[b - 1 - k] ?? NaN);
      expectArrayEqual(await bc.toArray(), [...want, ...want, ...want]);
    }
  });

  test('one buffer larger than one binding: reversed, strided and transposed views read and write', async () => {
    const n = 3 * (BINDING / 4) + 6; // one buffer on Dawn (under BUFFER), over one binding
    const host = Float32Array.from({ length: n }, (_, i) => 3 * i + 1);
    using a = device.array(host);
    using rev = a.slice([null, null, -1]);
    expectArrayEqual(await rev.toArray(), [...host].reverse());
    using odd = a.slice([1, null, 2]);
    const data = pySlice(n, 1, null, 2).map((i) => -i);
    odd.write(data);
    pySlice(n, 1, null, 2).forEach((i, k) => (host[i] = data[k] ?? NaN));
    using m = a.slice([0, n - 6]).reshape(3, BINDING / 4);
    using t = m.T;
    const want = Array.from({ length: n - 6 }, (_, k) => host[(k % 3) * (BINDING / 4) + Math.floor(k / 3)] ?? NaN);
    expectArrayEqual(await t.toArray(), want);
    expectArrayEqual(await a.toArray(), host);
  });

  test('an op over a whole transposed or reversed view of the array (larger than one binding) reads it window by window', async () => {
    using t = base.T;
    using nt = neg(t);
    const want = new Float32Array(N);
    for (let j = 0; j < C; j++) for (let i = 0; i < R; i++) want[j * R + i] = -(model[i * C + j] ?? NaN);
    expectArrayEqual(await nt.toArray(), want);
    using flat = base.reshape(-1);
    using rev = flat.slice([null, null, -1]);
    using nr = neg(rev);
    expectArrayEqual(await nr.toArray(), Float32Array.from(model).reverse().map((v) => -v));
  });

  test('f16 (2-byte elements): odd-offset and reversed views across a segment boundary read and write', async () => {
    if (!device.info.features.includes('shader-f16')) {
      expect(() => device.zeros(4, 'f16')).toThrow(/dtype f16 needs the device feature shader-f16/);
      return;
    }
    const seg = BUFFER / 4; // elements per segment (counted as 4-byte words, so f16 segments hold as many)
    const n = 2 * seg + 11;
    const host = Float32Array.from({ length: n }, (_, i) => i % 2000); // exact in f16
    using h = device.array(host, 'f16');
    for (const [a, b, st] of [
      [seg - 3, seg + 4, 1],
      [seg + 4, seg - 4, -1],
      [2 * seg + 9, 1, -3],
      [seg - 1, seg, 1],
    ] as const) {
      const idx = pySlice(n, a, b, st);
      using v = h.slice([a, b, st]);
      expectArrayEqual(await v.toArray(), idx.map((i) => host[i] ?? NaN));
      const data = idx.map((_, k) => -(k % 1000) - 1);
      v.write(data);
      idx.forEach((i, k) => (host[i] = data[k] ?? NaN));
    }
    expectArrayEqual(await h.toArray(), host);
  });

  test('reductions, argmax and histogram of strided views larger than one binding: gathered first, as on gpu.js', async () => {
    using flat = base.reshape(-1);
    using rev = flat.slice([null, null, -2]); // every other element, backwards: over one binding
    using bc = flat.slice([0, 3 * C]).reshape(3, C).slice(null, [null, null, -1]).expandDims(0).broadcastTo([7, 3, C]);
    const picked = pySlice(N, null, null, -2).map((i) => model[i] ?? NaN);
    // Values are integers below 2^20 in magnitude (the writes above keep them there); these sums are exact in f64 and within the f32 sum bound
    // (log2 n + 2)·2^-23·Σ|x| of the reduce docs.
    const bound = (xs: number[]): number => (Math.log2(xs.length) + 2) * 2 ** -23 * xs.reduce((t, v) => t + Math.abs(v), 0);
    const total = (xs: number[]): number => xs.reduce((t, v) => t + v, 0);
    using s = sum(rev);
    expect(Math.abs((await s.item()) - total(picked))).toBeLessThanOrEqual(bound(picked));
    const bcVals: number[] = [];
    for (let k = 0; k < 7; k++) for (let r = 0; r < 3; r++) for (let j = C - 1; j >= 0; j--) bcVals.push(model[r * C + j] ?? NaN);
    using sb = sum(bc);
    expect(Math.abs((await sb.item()) - total(bcVals))).toBeLessThanOrEqual(bound(bcVals));
    using d = dot(rev, rev);
    const sq = picked.map((v) => v * v);
    expect(Math.abs((await d.item()) - total(sq))).toBeLessThanOrEqual(bound(sq));
    let best = 0;
    picked.forEach((v, i) => {
      if (v > (picked[best] ?? NaN)) best = i;
    });
    using am = argmax(rev);
    expect(await am.item()).toBe(best);
    // Power-of-two edges (scale 2^-20): the bin of every integer below 2^21 in magnitude is exact in f32.
    const h = histogram(rev, { bins: 4, lo: -(2 ** 21), hi: 2 ** 21 });
    using counts = h.counts;
    using outside = h.outside;
    const want = [0, 0, 0, 0];
    for (const v of picked) {
      const b = Math.floor((v + 2 ** 21) / 2 ** 20);
      want[b] = (want[b] ?? NaN) + 1;
    }
    expectArrayEqual(await counts.toArray(), want);
    expectArrayEqual(await outside.toArray(), [0, 0, 0]);
  });

  test('size-0 and size-1 views at segment boundaries', async () => {
    using flat = base.reshape(-1);
    const seg = BUFFER / 4;
    for (const at of [seg - 1, seg, seg + 1, N - 1]) {
      using one = flat.slice([at, at + 1]);
      using empty = flat.slice([at, at]);
      using back = flat.slice([at, at - 1, -1]);
      expectArrayEqual(await one.toArray(), [model[at] ?? NaN]);
      expectArrayEqual(await back.toArray(), [model[at] ?? NaN]);
      expectArrayEqual(await empty.toArray(), []);
      back.write([at + 0.5]);
      empty.write([]);
      model[at] = at + 0.5;
      expectArrayEqual(await one.toArray(), [at + 0.5]);
    }
    expectArrayEqual(await base.toArray(), model);
  });
});

test('a binding limit that is not a pool size class: a view of exactly one chunk gathers and scatters', async () => {
  // 68 KiB bindings: a chunk is 17408 f32 (68 KiB), whose pool buffer rounds up to the 80 KiB size class.
  await using device = await openDevice({ engine: ENGINE, limits: { maxStorageBufferBindingSize: 68 * 1024 } });
  const chunk = device.engine === 'dawn' ? chunkElements(device.limits) : 17408;
  const host = Float32Array.from({ length: 2 * chunk }, (_, i) => i);
  using x = device.array(host);
  using v = x.slice([null, null, -2]); // chunk elements
  expect(v.length).toBe(chunk);
  expectArrayEqual(await v.toArray(), pySlice(2 * chunk, null, null, -2).map((i) => host[i] ?? NaN));
  v.write(new Float32Array(chunk).fill(-1));
  pySlice(2 * chunk, null, null, -2).forEach((i) => (host[i] = -1));
  expectArrayEqual(await x.toArray(), host);
});
