import { describe, expect } from 'vitest';
import { DTypeError, LimitError, OutOfMemoryError, openDevice, scale, ShapeError, type DeviceArray } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';

describe('device arrays', () => {
  for (const n of [0, 1, 3, 63, 64, 65, 1_000_003]) {
    gpuTest(`f32, i32 and u32 round-trip at length ${n}`, async ({ device }) => {
      const f = Float32Array.from({ length: n }, (_, i) => i * 0.5 - 7);
      const s = Int32Array.from({ length: n }, (_, i) => i * 3 - 1000);
      const u = Uint32Array.from({ length: n }, (_, i) => (i * 2654435761) >>> 0);
      using a = device.array(f);
      using b = device.array(s);
      using c = device.array(u);
      expect(a.dtype).toBe('f32');
      expect(b.dtype).toBe('i32');
      expect(c.dtype).toBe('u32');
      const [ra, rb, rc] = await Promise.all([a.toArray(), b.toArray(), c.toArray()]);
      expect(ra).toBeInstanceOf(Float32Array);
      expect(rb).toBeInstanceOf(Int32Array);
      expect(rc).toBeInstanceOf(Uint32Array);
      expectArrayEqual(ra, f);
      expectArrayEqual(rb, s);
      expectArrayEqual(rc, u);
    });
  }

  gpuTest('f16 arrays of odd length (byte sizes not a multiple of 4) round-trip exactly for representable values', async ({ device }) => {
    const values = new Float32Array([1, -2.5, 0.099975586, 65504, -0, 3]);
    if (!device.info.features.includes('shader-f16')) {
      // Adapters without shader-f16 (e.g. GLES compatibility) refuse f16 arrays by name.
      expect(() => device.array(values, 'f16')).toThrow(/dtype f16 needs the device feature shader-f16/);
      return;
    }
    using a = device.array(values, 'f16');
    expect(a.byteLength).toBe(12);
    using b = device.array(values.subarray(0, 5), 'f16');
    expect(b.byteLength).toBe(10);
    expect(await a.toArray()).toEqual(values);
    expect(await b.toArray()).toEqual(values.subarray(0, 5));
  });

  gpuTest('f16 rounds to nearest even like the hardware', async ({ device }) => {
    const values = new Float32Array([1 + 2 ** -11, 1 + 3 * 2 ** -11, 70000]);
    if (!device.info.features.includes('shader-f16')) {
      expect(() => device.array(values, 'f16')).toThrow(DTypeError);
      return;
    }
    using a = device.array(values, 'f16');
    expect([...(await a.toArray())]).toEqual([1, 1 + 2 ** -9, Infinity]);
  });

  gpuTest('zeros and empty', async ({ device }) => {
    using z = device.zeros(1025, 'u32');
    expect(await z.toArray()).toEqual(new Uint32Array(1025));
    using e = device.empty([4, 8]);
    expect(e.shape).toEqual([4, 8]);
    expect(e.length).toBe(32);
  });

  gpuTest('write replaces the contents, ordered after earlier work', async ({ device }) => {
    using a = device.array(new Int32Array([1, 2, 3]));
    a.write([4, 5, 6]);
    expect([...(await a.toArray())]).toEqual([4, 5, 6]);
    expect(() => a.write([1])).toThrow(ShapeError);
  });

  gpuTest('item() reads a length-1 array and refuses others', async ({ device }) => {
    using s = device.array(new Float32Array([42]));
    expect(await s.item()).toBe(42);
    using v = device.zeros(2);
    await expect(v.item()).rejects.toThrow(ShapeError);
  });

  gpuTest('an array larger than maxBufferSize: several buffers on Dawn (bounded by memory), a LimitError on gpujs', async ({ device }) => {
    if (device.engine === 'gpujs') {
      const max = device.limits.maxBufferSize;
      const n = Math.floor(max / 4) + 1;
      expect(() => device.empty(n)).toThrow(LimitError);
      expect(() => device.empty(n)).toThrow(new RegExp(`${n * 4} exceeds the device limit maxBufferSize = ${max}`));
      return;
    }
    // A small device: 256 KiB buffers, 1 MiB of memory. Past one buffer the array spans several; past the
    // memory budget it is refused as out of memory (test/buffers/chunks.test.ts checks the contents).
    await using small = await openDevice({ engine: 'dawn', limits: { maxBufferSize: 1 << 18 }, memoryBudgetBytes: 1 << 20, poolCacheBytes: 0 });
    using a = small.empty((1 << 16) + 1);
    expect(a.length).toBe((1 << 16) + 1);
    expect(small.memory.inUseBuffers).toBe(2);
    expect(() => small.empty(1 << 18)).toThrow(OutOfMemoryError);
  });

  gpuTest('bad lengths and dtypes are refused', async ({ device }) => {
    expect(() => device.empty(-1)).toThrow(ShapeError);
    expect(() => device.empty(1.5)).toThrow(/non-negative integer, got 1.5/);
    expect(() => device.empty(NaN)).toThrow(ShapeError);
    expect(() => device.empty(4, 'f64' as 'f32')).toThrow(DTypeError);
    expect(() => device.array(new Float64Array(4))).toThrow(/a Float64Array has no dtype of its own on the device: WebGPU has no float64/);
    device.array(new Int32Array([2 ** 24 + 1]), 'f32').destroy(); // rounds to f32, as asked
    expect(() => device.array(new Int32Array([-1]), 'u32')).toThrow(DTypeError);
  });

  gpuTest('destroyed arrays go back to the pool and are reused', async ({ device }) => {
    const before = device.memory.created;
    for (let i = 0; i < 20; i++) {
      using a = device.zeros(1000);
      expect(a.length).toBe(1000);
    }
    expect(device.memory.created - before).toBeLessThanOrEqual(1);
    expect(device.memory.cachedBytes).toBeGreaterThan(0);
  });

  gpuTest('device.array(data) prefers a buffer no GPU work wrote, and over 4 MiB never takes one an op wrote (its later writes can go straight into its memory); zeros() may', async ({ device }) => {
    if (device.info.engine !== 'dawn') {
      expect(device.info.engine).toBe('gpujs'); // host memory: no GPU buffers to choose between
      return;
    }
    const idleOutput = async (x: DeviceArray): Promise<GPUBuffer> => {
      const out = scale(x, 2); // its buffer is an op's output
      expectArrayEqual(await out.toArray(), Array.from(await x.toArray(), (v) => 2 * v));
      const b = out.buffer;
      expect(device.ctx.gpuWritten(b)).toBe(true);
      expect(device.ctx.gpuWritten(x.buffer)).toBe(false); // only read by the op
      out.destroy();
      await device.sync(); // idle in the pool now
      return b;
    };
    // 8 MiB (over Dawn's 4 MiB staging ring): a new buffer rather than the op's, and its data is right.
    const big = 1 << 21;
    const data = Float32Array.from({ length: big }, (_, i) => (i % 97) - 48);
    {
      using x = device.array(data);
      const outBuffer = await idleOutput(x);
      const created = device.memory.created;
      using y = device.array(data.map((v) => v + 1));
      expect(y.buffer).not.toBe(outBuffer);
      expect(device.ctx.gpuWritten(y.buffer)).toBe(false);
      expect(device.memory.created).toBe(created + 1);
      expectArrayEqual(await y.toArray(), Array.from(data, (v) => v + 1));
      y.write(data);
      expectArrayEqual(await y.toArray(), data);
      // A zero-filled array takes the idle output buffer (cleared), as before.
      using z = device.zeros(big);
      expect(z.buffer).toBe(outBuffer);
      expectArrayEqual(await z.toArray(), new Float32Array(big));
    }
    // 64 KiB: of two idle buffers, the one no GPU work wrote, though the op's was released last.
    const small = data.subarray(0, 1 << 14);
    using x = device.array(small.map((v) => -v));
    const out = scale(x, 2);
    expectArrayEqual(await out.toArray(), Array.from(small, (v) => -2 * v));
    const c = device.array(small);
    const cleanBuffer = c.buffer;
    const outBuffer = out.buffer;
    c.destroy();
    out.destroy();
    await device.sync();
    using y = device.array(small);
    expect(y.buffer).toBe(cleanBuffer);
    expect(y.buffer).not.toBe(outBuffer);
    // Arrays made from host data and freed call after call (their buffers on the way back while the next
    // call starts) reuse buffers rather than make new ones each call.
    const made = device.memory.created;
    for (let i = 0; i < 12; i++) {
      using a = device.array(small);
      using b = scale(a, 3);
      expectArrayEqual(await b.toArray(), Array.from(small, (v) => 3 * v));
    }
    expect(device.memory.created - made).toBeLessThanOrEqual(3);
    expectArrayEqual(await y.toArray(), small);
  });
});
