/**
 * device.mapStream / device.reduceStream against the plain path (upload, op, toArray) on the same data:
 * bit for bit for elementwise maps, within a derived bound for sums (float64 CPU reference), exact for
 * min / max. Chunks small enough that several are in flight at once; errors inside fn reject the stream
 * with that op's typed error and leave nothing behind (the fixture checks memory returns to its level).
 */
import { describe, expect, it } from 'vitest';
import { add, openDevice, ArgumentError, axpy, defaultStreamChunk, DestroyedError, DTypeError, LimitError, max, min, mul, scale, ShapeError, sum, take, type DeviceArray, type GpuDevice } from '../../src/index.js';
import { MAPPED_UPLOAD_BYTES } from '../../src/buffers/stream.js';
import { ENGINE, expectArrayEqual, gpuTest } from '../fixture.js';

/** Deterministic values in [-1, 1) (xorshift32). */
function values(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    a[i] = s / 2 ** 31 - 1;
  }
  return a;
}

/** The plain path: upload everything, run fn once, read back. */
async function plain(device: GpuDevice, hosts: readonly (Float32Array | Int32Array)[], fn: (...x: DeviceArray[]) => DeviceArray): Promise<ArrayLike<number>> {
  const xs = hosts.map((h) => device.array(h));
  try {
    using r = fn(...xs);
    return await r.toArray();
  } finally {
    for (const x of xs) x.destroy();
  }
}

describe('device.mapStream', () => {
  // 10_007 elements in chunks of 1000: 11 chunks (the last one short), three in flight.
  const n = 10_007;
  const chunk = 1000;

  gpuTest('x·y + x over many chunks equals the plain path bit for bit, and an f32 reference', async ({ device }) => {
    const a = values(n, 1);
    const b = values(n, 2);
    const fn = (x: DeviceArray, y: DeviceArray): DeviceArray => {
      using p = mul(x, y);
      return add(p, x);
    };
    let calls = 0;
    const got = await device.mapStream([a, b], (x, y) => (calls++, fn(x, y)), { chunk });
    expect(calls).toBe(11);
    expect(got).toBeInstanceOf(Float32Array);
    expect(got.length).toBe(n);
    expectArrayEqual(got, await plain(device, [a, b], fn));
    expectArrayEqual(got, Array.from(a, (v, i) => Math.fround(Math.fround(v * (b[i] ?? NaN)) + v)));
  });

  gpuTest('writes into a given out (i32, exact), with depth 1 and depth 5', async ({ device }) => {
    const a = Int32Array.from({ length: n }, (_, i) => (i * 7919) % 20011 - 10000);
    for (const depth of [1, 5]) {
      const out = new Int32Array(n).fill(-1);
      const got = await device.mapStream(a, (x) => scale(x, 3), { chunk: depth === 1 ? 5003 : chunk, depth, out });
      expect(got).toBe(out);
      expectArrayEqual(out, Array.from(a, (v) => 3 * v));
    }
  });

  gpuTest('fn may return an input chunk, a view of one, or an input it updated in place (axpy)', async ({ device }) => {
    const a = values(n, 11);
    const b = values(n, 12);
    expectArrayEqual(await device.mapStream(a, (x) => x, { chunk }), a);
    expectArrayEqual(await device.mapStream(a, (x) => x.reshape(-1, 1), { chunk }), a);
    const got = await device.mapStream([a, b], (x, y) => axpy(2, x, y), { chunk, depth: 2 });
    expectArrayEqual(got, Array.from(a, (v, i) => Math.fround(Math.fround(2 * v) + (b[i] ?? NaN))));
    expectArrayEqual(got, await plain(device, [a, b], (x, y) => axpy(2, x, y)));
  });

  gpuTest('one chunk (the default below 2^21 elements) runs on the plain path; an empty input gives an empty result', async ({ device }) => {
    const a = values(2 * chunk, 3);
    let calls = 0;
    const got = await device.mapStream(a, (x) => (calls++, scale(x, -2)));
    expect(calls).toBe(1);
    expect(defaultStreamChunk(2 * chunk)).toBe(2 * chunk);
    expect(defaultStreamChunk(1 << 24)).toBe(1 << 21);
    expect(defaultStreamChunk((1 << 21) + 1)).toBe(1 << 20);
    expect(defaultStreamChunk(1 << 30)).toBe(1 << 22);
    expectArrayEqual(got, Array.from(a, (v) => Math.fround(-2 * v)));
    expect(await device.mapStream(new Float32Array(0), (x) => scale(x, 2))).toEqual(new Float32Array(0));
  });

  gpuTest('refuses bad arguments with typed errors naming the problem', async ({ device }) => {
    const a = values(n, 4);
    await expect(device.mapStream([a, a.subarray(1)], (x, y) => add(x, y), { chunk })).rejects.toThrow(ShapeError);
    await expect(device.mapStream(a, (x) => scale(x, 2), { chunk: 0 })).rejects.toThrow(/option 'chunk' must be a positive integer/);
    await expect(device.mapStream(a, (x) => scale(x, 2), { chunk: 2 ** 40 })).rejects.toThrow(LimitError);
    await expect(device.mapStream([1, 2, 3] as unknown as Float32Array, (x) => x)).rejects.toThrow(ArgumentError);
    await expect(device.mapStream(a, (x) => sum(x), { chunk })).rejects.toThrow(/fn returned 1 elements for chunk 0 of 1000/);
    await expect(device.mapStream(a, () => 42 as unknown as DeviceArray, { chunk })).rejects.toThrow(/fn must return a DeviceArray/);
    await expect(device.mapStream(a, (x) => scale(x, 2), { chunk, out: new Int32Array(n) })).rejects.toThrow(DTypeError);
    await expect(device.mapStream(a, (x) => scale(x, 2), { chunk, out: new Float32Array(n - 1) })).rejects.toThrow(ShapeError);
  });

  gpuTest('an op failing in a later chunk rejects the stream with that op\'s error; the device stays usable', async ({ device }) => {
    // Indices into a table of 16: all in range except one in chunk 6 (elements 6000..6999).
    const idx = Int32Array.from({ length: n }, (_, i) => i % 16);
    idx[6500] = 99;
    using table = device.arange(16);
    await expect(device.mapStream(idx, (i) => take(table, i), { chunk })).rejects.toThrow(/take: 1 index is out of range.*99/);
    await expect(device.sync()).rejects.toThrow(ArgumentError); // reported once more by sync(), as for any failed op
    // A JS-side error inside fn (thrown at the call) rejects too.
    await expect(device.mapStream([values(n, 5), values(n, 6)], (x) => add(x, x.reshape(2, -1)), { chunk: 1001 })).rejects.toThrow(/reshape|shape/);
    idx[6500] = 3;
    const got = await device.mapStream(idx, (i) => take(table, i), { chunk });
    expectArrayEqual(got, Array.from(idx, (v) => v));
  });
});

describe('device.reduceStream', () => {
  const n = 30_011;
  const chunk = 4096;

  gpuTest('sum over many chunks is within the f32 sum bound of a float64 reference, and of the plain path', async ({ device }) => {
    const a = values(n, 7);
    const got = await device.reduceStream(a, (x) => sum(x), { combine: 'sum', chunk });
    let ref = 0;
    let abs = 0;
    for (const v of a) {
      ref += v;
      abs += Math.abs(v);
    }
    // Each chunk's f32 tree sum errs by at most ~log2(chunk)·ε·Σ|x| of it; the float64 combine adds nothing.
    const bound = 2 * Math.log2(chunk) * 2 ** -24 * abs;
    expect(Math.abs(got - ref)).toBeLessThanOrEqual(bound);
    const whole = (await plain(device, [a], (x) => sum(x)))[0] ?? NaN;
    expect(Math.abs(got - whole)).toBeLessThanOrEqual(2 * bound);
  });

  gpuTest('min and max equal the plain path exactly; a fold sees every chunk in order', async ({ device }) => {
    const a = values(n, 8);
    a[n - 3] = 5; // the maximum, in the last chunk
    a[4100] = -7; // the minimum, in the second
    expect(await device.reduceStream(a, (x) => max(x), { combine: 'max', chunk })).toBe(5);
    expect(await device.reduceStream(a, (x) => min(x), { combine: 'min', chunk })).toBe(-7);
    const parts = await device.reduceStream(a, (x) => max(x), { fold: (acc: number[], part, k) => [...acc, k, part[0] ?? NaN], initial: [] });
    // The default chunk (2^20) is larger than n: one chunk.
    expect(parts).toEqual([0, 5]);
    const each = await device.reduceStream(a, (x) => min(x), { chunk, fold: (acc: number[], part, k) => [...acc, k, part[0] ?? NaN], initial: [] });
    const chunks = Math.ceil(n / chunk);
    expect(each.filter((_, i) => i % 2 === 0)).toEqual(Array.from({ length: chunks }, (_, k) => k));
    for (let k = 0; k < chunks; k++) {
      let m = Infinity;
      for (const v of a.subarray(k * chunk, (k + 1) * chunk)) m = Math.min(m, v);
      expect(each[2 * k + 1]).toBe(m);
    }
  });

  gpuTest('a named combine needs a scalar per chunk; bad options are refused', async ({ device }) => {
    const a = values(n, 9);
    await expect(device.reduceStream(a, (x) => scale(x, 1), { combine: 'sum', chunk })).rejects.toThrow(/combine 'sum' takes one scalar per chunk/);
    await expect(device.reduceStream(a, (x) => sum(x), { combine: 'mean' as 'sum', chunk })).rejects.toThrow(/option 'combine' must be/);
    await expect(device.reduceStream(a, (x) => sum(x), null as unknown as { combine: 'sum' })).rejects.toThrow(ArgumentError);
  });
});

describe('one chunk over more than MAPPED_UPLOAD_BYTES of input (uploaded through mapped buffers on Dawn)', () => {
  // Just over the threshold, still one chunk by default (≤ 2^21 elements).
  const nAdd = MAPPED_UPLOAD_BYTES / 8 + 5; // two inputs
  const nSum = MAPPED_UPLOAD_BYTES / 4 + 1; // one input

  gpuTest('a map equals the plain path and an f32 reference bit for bit', async ({ device }) => {
    expect(defaultStreamChunk(nAdd)).toBe(nAdd);
    const a = values(nAdd, 11);
    const b = values(nAdd, 12);
    let calls = 0;
    const got = await device.mapStream([a, b], (x, y) => (calls++, add(x, y)));
    expect(calls).toBe(1);
    expectArrayEqual(got, await plain(device, [a, b], (x, y) => add(x, y)));
    expectArrayEqual(got, Array.from(a, (v, i) => Math.fround(v + (b[i] ?? NaN))));
  });

  gpuTest('reused memory shows nothing of its previous owner where the new chunk does not write', async ({ device }) => {
    // A first stream leaves its pooled arrays and upload buffers (same size class) full of 3s, 2 elements
    // past where the second one's data ends; the second sums ones: exactly nSum (an integer below 2^24).
    const big = new Float32Array(nSum + 2).fill(3); // every partial sum an integer below 2^24: exact
    expect(await device.reduceStream(big, (x) => sum(x), { combine: 'sum' })).toBe(3 * (nSum + 2));
    const ones = new Float32Array(nSum).fill(1);
    for (let r = 0; r < 2; r++) expect(await device.reduceStream(ones, (x) => sum(x), { combine: 'sum' })).toBe(nSum);
    // And a map of the shorter array: every element is 1 + 1, none 3-something.
    const got = await device.mapStream([ones.subarray(0, nAdd), ones.subarray(0, nAdd)], (x, y) => add(x, y));
    expect(got.every((v) => v === 2)).toBe(true);
  });
});

describe('toArray(out)', () => {
  gpuTest('reads into the caller\'s typed array (a subarray too), for plain arrays and views', async ({ device }) => {
    const h = Int32Array.from({ length: 12 }, (_, i) => i * 11 - 40);
    using x = device.array(h, { shape: [3, 4] });
    const buf = new Int32Array(20).fill(7);
    const into = buf.subarray(4, 16);
    expect(await x.toArray(into)).toBe(into);
    expectArrayEqual(buf, [7, 7, 7, 7, ...h, 7, 7, 7, 7]);
    // A transposed view: element [i, j] of x.T is h[j * 4 + i].
    using t = x.T;
    const tt = new Int32Array(12);
    await t.toArray(tt, { timeoutMs: 60_000 });
    expectArrayEqual(tt, Array.from({ length: 12 }, (_, k) => h[(k % 3) * 4 + Math.floor(k / 3)] ?? NaN));
    using u = device.array(new Uint32Array([1, 2 ** 32 - 1]), 'u32');
    const uo = new Uint32Array(2);
    await u.toArray(uo);
    expectArrayEqual(uo, [1, 2 ** 32 - 1]);
  });

  gpuTest('refuses an out of the wrong type or length with DTypeError / ShapeError naming it', async ({ device }) => {
    using x = device.array(new Float32Array([1, 2, 3]));
    await expect(x.toArray(new Int32Array(3) as unknown as Float32Array)).rejects.toThrow(/toArray\(out\): out is a Int32Array but this array is f32: pass a Float32Array/);
    await expect(x.toArray(new Int32Array(3) as unknown as Float32Array)).rejects.toBeInstanceOf(DTypeError);
    await expect(x.toArray(new Float32Array(4))).rejects.toThrow(/out has 4 elements but .* has 3/);
    await expect(x.toArray(new Float32Array(2))).rejects.toBeInstanceOf(ShapeError);
    expectArrayEqual(await x.toArray(), [1, 2, 3]);
  });

  gpuTest('an f16 array reads into a Float32Array (where the adapter has shader-f16)', async ({ device }) => {
    if (!device.info.features.includes('shader-f16')) {
      expect(() => device.array([1], 'f16')).toThrow(DTypeError);
      return;
    }
    using h = device.array([1.5, -2, 65504], 'f16');
    const out = new Float32Array(3);
    expect(await h.toArray(out)).toBe(out);
    expectArrayEqual(out, [1.5, -2, 65504]);
    await expect(h.toArray(new Uint32Array(3) as unknown as Float32Array)).rejects.toThrow(/pass a Float32Array \(f16 reads back as f32\)/);
  });
});

describe('device.streamer', () => {
  const chunk = 1000;
  // Lengths in an order that grows, shrinks and changes the last chunk's length: full chunks, a partial
  // last chunk, one chunk, and empty.
  const lengths = [10_007, 2_500, 10_000, 999, 0, 7_001];

  gpuTest('a map reused across calls of different lengths equals the plain path bit for bit each time', async ({ device }) => {
    const fn = (x: DeviceArray, y: DeviceArray): DeviceArray => {
      using p = mul(x, y);
      return add(p, x);
    };
    // Chunked, one chunk (the default chunk), and one chunk through the mapped upload buffers.
    for (const options of [{ chunk }, {}, { mappedUploadBytes: 0 }]) {
      using s = device.streamer(options);
      for (const [j, n] of lengths.entries()) {
        const a = values(n, 20 + j);
        const b = values(n, 40 + j);
        const got = await s.map([a, b], fn);
        expect(got.length).toBe(n);
        expectArrayEqual(got, await plain(device, [a, b], fn));
        expectArrayEqual(got, Array.from(a, (v, i) => Math.fround(Math.fround(v * (b[i] ?? NaN)) + v)));
      }
      // Into the caller's out, twice into the same one.
      const a = values(3_333, 7);
      const out = new Float32Array(3_333).fill(NaN);
      for (let r = 0; r < 2; r++) expect(await s.map([a, a], fn, { out })).toBe(out);
      expectArrayEqual(out, Array.from(a, (v) => Math.fround(Math.fround(v * v) + v)));
    }
  });

  gpuTest('a sum reused across lengths is within the f32 bound of float64; min / max exact', async ({ device }) => {
    using s = device.streamer({ chunk: 4096, depth: 2 });
    for (const [j, n] of [30_011, 4_096, 12_289, 1].entries()) {
      const a = values(n, 60 + j);
      let ref = 0;
      let abs = 0;
      let lo = Infinity;
      for (const v of a) {
        ref += v;
        abs += Math.abs(v);
        lo = Math.min(lo, v);
      }
      const got = await s.reduce(a, (x) => sum(x), { combine: 'sum' });
      expect(Math.abs(got - ref)).toBeLessThanOrEqual(2 * Math.log2(4096) * 2 ** -24 * abs);
      expect(await s.reduce(a, (x) => min(x), { combine: 'min' })).toBe(lo);
      const parts = await s.reduce(a, (x) => sum(x), { fold: (acc: number, _part, k) => acc + 1 + 0 * k, initial: 0 });
      expect(parts).toBe(Math.ceil(n / 4096));
    }
  });

  gpuTest('a shorter call after a longer one sees none of the longer one\'s data (partial last chunk)', async ({ device }) => {
    for (const options of [{ chunk }, { chunk, mappedUploadBytes: 0 }, {}, { mappedUploadBytes: 0 }]) {
      using s = device.streamer(options);
      // Threes fill every array and upload buffer; then ones, 2_500 of them (a last chunk of 500 on a ring
      // whose arrays last held 1000 threes), summed exactly (integers below 2^24).
      const n = options.chunk === undefined ? 2_500 : 10_000;
      expect(await s.reduce(new Float32Array(n).fill(3), (x) => sum(x), { combine: 'sum' })).toBe(3 * n);
      const ones = new Float32Array(2_500).fill(1);
      expect(await s.reduce(ones, (x) => sum(x), { combine: 'sum' })).toBe(2_500);
      const got = await s.map([ones, ones], (x, y) => add(x, y));
      expect(got.length).toBe(2_500);
      expect(got.every((v) => v === 2)).toBe(true);
    }
  });

  gpuTest("a measuring streamer's plain ring never takes a buffer GPU work wrote, even while another is on its way back", async ({ device }) => {
    if (device.info.engine !== 'dawn') {
      expect(device.info.engine).toBe('gpujs'); // host memory: no GPU buffers to choose between
      return;
    }
    const n = 1 << 14;
    const data = values(n, 97);
    await device.sync();
    device.trimMemory(); // no idle buffers left from earlier tests
    // Two ops' outputs, idle in the pool (GPU-written; the op queued below takes one of them) ...
    const a = device.array(data);
    const outs = [scale(a, 2), scale(a, 4)];
    expectArrayEqual(await outs[1]?.toArray() ?? [], Array.from(data, (v) => Math.fround(4 * v)));
    const written = outs.map((o) => o.buffer);
    for (const o of outs) o.destroy();
    await device.sync();
    // ... and a never-GPU-written buffer on its way back (released while an op reading it is queued).
    const queued = scale(a, 3);
    a.destroy();
    using s = device.streamer();
    const seen: GPUBuffer[] = [];
    const got = await s.map(data, (x) => {
      seen.push(x.buffer);
      return scale(x, 2);
    });
    expectArrayEqual(got, Array.from(data, (v) => Math.fround(2 * v)));
    expect(written).not.toContain(seen[0]);
    expectArrayEqual(await queued.toArray(), Array.from(data, (v) => Math.fround(3 * v)));
    queued.destroy();
  });

  gpuTest('a repeat call over the same host arrays reads their current contents and checks them again', async ({ device }) => {
    const n = 3000;
    const a = values(n, 91);
    const b = values(n, 92);
    using s = device.streamer();
    const sumOf = (x: Float32Array, y: Float32Array): number[] => Array.from(x, (v, i) => Math.fround(v + (y[i] ?? NaN)));
    expectArrayEqual(await s.map([a, b], (x, y) => add(x, y)), sumOf(a, b));
    // Same arrays, new contents, a new list object and another fn: the new data and the new fn count.
    a[7] = 1234.5;
    b[n - 1] = -99;
    expectArrayEqual(await s.map([a, b], (x, y) => add(x, y)), sumOf(a, b));
    expectArrayEqual(await s.map([a, b], (x) => add(x, x)), sumOf(a, a));
    // One of them detached (its buffer transferred): it is checked again, not taken for the old one.
    const moved = structuredClone(b.buffer as ArrayBuffer, { transfer: [b.buffer as ArrayBuffer] });
    await expect(s.map([a, b], (x, y) => add(x, y))).rejects.toThrow(/^streamer\.map: input 1 is detached/);
    const b2 = new Float32Array(moved);
    expectArrayEqual(await s.map([a, b2], (x, y) => add(x, y)), sumOf(a, b2));
  });

  gpuTest('keeps its memory between calls; destroy() gives it back; use after destroy is a DestroyedError', async ({ device }) => {
    const STAGING = 2; // upload staging buffers that may still be waiting for their write mapping
    const start = device.memory.inUseBytes;
    const a = values(10_007, 3);
    const s = device.streamer({ chunk });
    await s.map(a, (x) => scale(x, 2));
    const held = device.memory.inUseBytes;
    expect(held).toBeGreaterThan(start); // the ring's arrays (and upload buffers on Dawn)
    await device.sync();
    const created = device.memory.created;
    expectArrayEqual(await s.map(a, (x) => scale(x, 2)), Array.from(a, (v) => Math.fround(2 * v)));
    expect(device.memory.inUseBytes).toBe(held);
    // Nothing allocated again — but an upload staging buffer is reused only once Dawn has mapped it for writing
    // again, which on a loaded machine can land after the next call starts: that call then makes one more.
    // So at most STAGING new buffers (a ring re-allocated per call would make dozens).
    if (device.info.engine === 'dawn') expect(device.memory.created - created).toBeLessThanOrEqual(STAGING);
    // With a set chunk one ring serves every length (shorter calls and last chunks use the tail arrays):
    // a second pass over the same lengths allocates nothing new.
    const pass = async (): Promise<void> => {
      for (const m of [10_007, 999, 5_000, 3, 10_007]) {
        // Memory released by the previous call is reused once the queue has finished with it: on a loaded
        // machine that can be after the readback resolves, so wait for it (else a call may allocate anew).
        await device.sync();
        const h = a.subarray(0, m);
        expectArrayEqual(await s.map(h, (x) => scale(x, 2)), Array.from(h, (v) => Math.fround(2 * v)));
        expect(device.memory.inUseBytes).toBeGreaterThanOrEqual(held); // the ring stayed
      }
    };
    await pass();
    const made = device.memory.created;
    await pass();
    if (device.info.engine === 'dawn') expect(device.memory.created - made).toBeLessThanOrEqual(STAGING);
    expect(s.destroyed).toBe(false);
    s.destroy();
    s.destroy();
    expect(s.destroyed).toBe(true);
    expect(device.memory.inUseBytes).toBe(start);
    await expect(s.map(a, (x) => scale(x, 2))).rejects.toThrow(DestroyedError);
    await expect(s.reduce(a, (x) => sum(x), { combine: 'sum' })).rejects.toThrow(/streamer\.reduce: this streamer was destroyed/);
    {
      using t = device.streamer();
      await t.map(a, (x) => scale(x, 2));
    }
    expect(device.memory.inUseBytes).toBe(start);
  });

  gpuTest('an op failing inside fn rejects that call with its error; the next call works; calls queue in order', async ({ device }) => {
    using s = device.streamer({ chunk });
    const idx = Int32Array.from({ length: 10_007 }, (_, i) => i % 16);
    using table = device.arange(16);
    idx[6500] = 99;
    await expect(s.map(idx, (i) => take(table, i))).rejects.toThrow(/take: 1 index is out of range.*99/);
    await expect(device.sync()).rejects.toThrow(ArgumentError); // reported once more by sync(), as for any failed op
    await expect(s.map([values(10_007, 5), values(10_007, 6)], (x) => add(x, x.reshape(2, -1)))).rejects.toThrow(/reshape|shape/);
    idx[6500] = 3;
    expectArrayEqual(await s.map(idx, (i) => take(table, i)), Array.from(idx, (v) => v));
    // Started together, run one after the other on the one ring.
    const a = values(5_500, 8);
    const [p, q] = await Promise.all([s.map(a, (x) => scale(x, 3)), s.map(a.subarray(0, 2_200), (x) => scale(x, -1))]);
    expectArrayEqual(p, Array.from(a, (v) => Math.fround(3 * v)));
    expectArrayEqual(q, Array.from(a.subarray(0, 2_200), (v) => -v));
  });

  it('closing the device destroys its streamers', async () => {
    const other = await openDevice({ engine: ENGINE });
    const s = other.streamer({ chunk });
    const a = values(2_222, 9);
    expectArrayEqual(await s.map(a, (x) => scale(x, 2)), Array.from(a, (v) => Math.fround(2 * v)));
    await other.close();
    expect(s.destroyed).toBe(true);
    await expect(s.map(a, (x) => scale(x, 2))).rejects.toThrow(/streamer\.map: this streamer belongs to a closed device/);
    s.destroy(); // still idempotent
  });

  gpuTest('refuses bad options at creation with typed errors', ({ device }) => {
    expect(() => device.streamer({ chunk: 0 })).toThrow(/option 'chunk' must be a positive integer/);
    expect(() => device.streamer({ chunk: 2 ** 40 })).toThrow(LimitError);
    expect(() => device.streamer({ depth: 17 })).toThrow(/option 'depth' must be an integer from 1 to 16/);
    expect(() => device.streamer({ mappedUploadBytes: -1 })).toThrow(ArgumentError);
  });
});

describe('streamer routes (forced and measured)', () => {
  const routes = ['plain', 'mapped', 'chunked'] as const;
  const fn = (x: DeviceArray, y: DeviceArray): DeviceArray => {
    using p = mul(x, y);
    return add(p, x);
  };

  gpuTest('each forced route equals the plain path: maps bit for bit, sums within the f32 bound, min exact', async ({ device }) => {
    const n = 10_007; // 'chunked' without a set chunk: 4 chunks of 2_502 (the last one 2_501)
    const a = values(n, 71);
    const b = values(n, 72);
    const want = await plain(device, [a, b], fn);
    let ref = 0;
    let abs = 0;
    for (const v of a) {
      ref += v;
      abs += Math.abs(v);
    }
    const bound = 2 * Math.log2(n) * 2 ** -24 * abs;
    const plainSum = (await plain(device, [a], (x) => sum(x)))[0] ?? NaN;
    const lo = Math.min(...a);
    for (const route of routes) {
      using s = device.streamer({ route });
      for (let r = 0; r < 2; r++) {
        expectArrayEqual(await s.map([a, b], fn), want);
        expect(s.lastRoute).toBe(device.info.engine === 'dawn' ? route : 'plain'); // gpujs: host memory, one way
        const got = await s.reduce(a, (x) => sum(x), { combine: 'sum' });
        expect(Math.abs(got - ref)).toBeLessThanOrEqual(bound);
        expect(Math.abs(got - plainSum)).toBeLessThanOrEqual(2 * bound);
        expect(await s.reduce(a, (x) => min(x), { combine: 'min' })).toBe(lo);
      }
    }
    expect(() => device.streamer({ route: 'fast' as never })).toThrow(/option 'route' must be 'auto', 'plain', 'mapped' or 'chunked'.*fast/);
  });

  gpuTest('measured routing explores every route, then takes the fastest by the (injected) timings and follows a drift', async ({ device }) => {
    const dawn = device.info.engine === 'dawn';
    const n = dawn ? 1 << 21 : 4096; // 8 MiB: the mapped and chunked routes are candidates too
    const a = values(n, 73);
    let ref = 0;
    for (const v of a) ref += v;
    using s = device.streamer();
    let cost: Record<string, number> = { plain: 5, mapped: 1, chunked: 3 };
    s.routeTiming = (route) => cost[route] ?? NaN;
    const taken: string[] = [];
    const call = async (): Promise<void> => {
      const got = await s.reduce(a, (x) => sum(x), { combine: 'sum' });
      expect(Math.abs(got - ref)).toBeLessThan(1e-3);
      taken.push(s.lastRoute ?? '?');
    };
    for (let i = 0; i < 20; i++) await call();
    if (!dawn) {
      expect(taken.every((r) => r === 'plain')).toBe(true);
      return;
    }
    // Each route in turn, twice: one untimed call (it follows another route), two timed; then the fastest.
    const pass = routes.flatMap((r) => [r, r, r]);
    expect(taken.slice(0, 18)).toEqual([...pass, ...pass]);
    expect(taken.slice(18)).toEqual(['mapped', 'mapped']);
    // The machine drifts: the mapped route gets slow. Slow calls make it re-check the others (two calls
    // each); once its score (the lower quartile of its last 5 timed calls) is slower than a re-checked route's, it moves on.
    cost = { plain: 5, mapped: 10, chunked: 3 };
    taken.length = 0;
    for (let i = 0; i < 20; i++) await call();
    expect(taken.slice(0, 3)).toEqual(['mapped', 'chunked', 'chunked']); // a slow call, then a re-check
    expect(taken.slice(-5)).toEqual(['chunked', 'chunked', 'chunked', 'chunked', 'chunked']);
    // A set chunk or mappedUploadBytes fixes the routing by size.
    using fixed = device.streamer({ mappedUploadBytes: 0 });
    fixed.routeTiming = () => {
      throw new Error('a fixed streamer measures nothing');
    };
    await fixed.reduce(a, (x) => sum(x), { combine: 'sum' });
    expect(fixed.lastRoute).toBe('mapped');
  });

  gpuTest('measured routing keeps the plain route unless another is clearly faster (15 % margin)', async ({ device }) => {
    if (device.info.engine !== 'dawn') {
      expect(device.info.engine).toBe('gpujs'); // gpujs: host memory, one route (the test above checks it)
      return;
    }
    const a = values(1 << 21, 79);
    let ref = 0;
    for (const v of a) ref += v;
    const settle = async (cost: Record<string, number>): Promise<string[]> => {
      using s = device.streamer();
      s.routeTiming = (route) => cost[route] ?? NaN;
      const taken: string[] = [];
      for (let i = 0; i < 21; i++) {
        expect(Math.abs((await s.reduce(a, (x) => sum(x), { combine: 'sum' })) - ref)).toBeLessThan(1e-3);
        taken.push(s.lastRoute ?? '?');
      }
      return taken.slice(18);
    };
    // 14 % faster than plain: within the margin, plain stays; 16 % faster: the other route is taken.
    expect(await settle({ plain: 100, mapped: 86, chunked: 87 })).toEqual(['plain', 'plain', 'plain']);
    expect(await settle({ plain: 100, mapped: 99, chunked: 84 })).toEqual(['chunked', 'chunked', 'chunked']);
    // Between two routes that both beat plain clearly, the faster wins.
    expect(await settle({ plain: 100, mapped: 80, chunked: 90 })).toEqual(['mapped', 'mapped', 'mapped']);
  });

  gpuTest('a call whose op fails rejects with its error on every route; the streamer stays usable', async ({ device }) => {
    using table = device.arange(16);
    const idx = Int32Array.from({ length: 10_007 }, (_, i) => i % 16);
    for (const route of ['auto', ...routes] as const) {
      using s = device.streamer({ route });
      for (let r = 0; r < 3; r++) {
        idx[9000] = 99;
        await expect(s.map(idx, (i) => take(table, i))).rejects.toThrow(/take: 1 index is out of range.*99/);
        await expect(device.sync()).rejects.toThrow(ArgumentError);
        idx[9000] = 8;
        expectArrayEqual(await s.map(idx, (i) => take(table, i)), Array.from(idx, (v) => v));
      }
    }
  });
});
