import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ArgumentError, LimitError, openDevice, type GpuDevice } from '../../src/index.js';
import { chunkElements, pieces, segmentElements } from '../../src/buffers/chunks.js';
import { BINDING, BUFFER, openChunked } from '../chunked-device.js';
import { ENGINE, expectArrayEqual } from '../fixture.js';

describe('chunk geometry (no GPU)', () => {
  test('chunks are aligned multiples that fit a binding; segments hold whole chunks', () => {
    for (const align of [16, 32, 256]) {
      const l = { maxStorageBufferBindingSize: 1 << 16, maxBufferSize: (1 << 18) + 100, minStorageBufferOffsetAlignment: align };
      const c = chunkElements(l);
      expect(c % align).toBe(0);
      expect(c * 4).toBeLessThanOrEqual(l.maxStorageBufferBindingSize);
      expect((c + align) * 4).toBeGreaterThan(l.maxStorageBufferBindingSize);
      const s = segmentElements(l);
      expect(s % c).toBe(0);
      expect(s * 4).toBeLessThanOrEqual(l.maxBufferSize);
      expect((s + c) * 4).toBeGreaterThan(l.maxBufferSize);
    }
  });

  test('pieces cover [0, n) in order, the last one shorter', () => {
    expect(pieces(0, 10)).toEqual([{ start: 0, length: 0 }]);
    expect(pieces(10, 10)).toEqual([{ start: 0, length: 10 }]);
    expect(pieces(25, 10)).toEqual([{ start: 0, length: 10 }, { start: 10, length: 10 }, { start: 20, length: 5 }]);
  });
});

describe('openDevice({ limits })', () => {
  test('refuses a cap above the adapter, an unknown limit and a bad value, naming the option', async () => {
    await expect(openDevice({ engine: ENGINE, limits: { maxBufferSize: 2 ** 53 } })).rejects.toThrow(ArgumentError);
    await expect(openDevice({ engine: ENGINE, limits: { maxBufferSize: 2 ** 53 } })).rejects.toThrow(/limits\.maxBufferSize/);
    await expect(openDevice({ engine: ENGINE, limits: { maxBindGroups: 2 } as never })).rejects.toThrow(/unknown key maxBindGroups/);
    await expect(openDevice({ engine: ENGINE, limits: { maxStorageBufferBindingSize: -4 } })).rejects.toThrow(/limits\.maxStorageBufferBindingSize must be a positive integer/);
    await expect(openDevice({ engine: ENGINE, limits: { maxBufferSize: 1024 } })).rejects.toThrow(/limits\.maxBufferSize must be at least 4096 bytes, got 1024/);
  });
});

describe('arrays over several bindings and buffers', () => {
  let device: GpuDevice;
  beforeAll(async () => {
    device = await openChunked();
  });
  afterAll(async () => {
    await device.close();
  });

  test('the device reports the capped limits', () => {
    expect(device.limits.maxBufferSize).toBe(device.engine === 'dawn' ? BUFFER : 2 ** 31);
    if (device.engine === 'dawn') expect(device.limits.maxStorageBufferBindingSize).toBe(BINDING);
  });

  test('an array over several buffers round-trips, writes again, and frees all its memory', async () => {
    const n = 3 * (BUFFER / 4) + 5;
    const before = device.memory.inUseBytes;
    const data = Float32Array.from({ length: n }, (_, i) => i * 0.25 - 1000);
    const a = device.array(data);
    expectArrayEqual(await a.toArray(), data);
    if (device.engine === 'dawn') {
      expect(() => a.buffer).toThrow(LimitError);
      expect(() => a.buffer).toThrow(/x\.window\(offset, length\)/);
      expect(device.memory.inUseBuffers).toBeGreaterThanOrEqual(4);
    }
    const again = data.map((v) => -v);
    a.write(again);
    expectArrayEqual(await a.toArray(), again);
    // toArray(out) reads every segment straight into the caller's array (here a subarray of a larger one).
    const host = new Float32Array(n + 8).fill(7);
    const into = host.subarray(4, 4 + n);
    expect(await a.toArray(into)).toBe(into);
    expectArrayEqual(into, again);
    expect([...host.subarray(0, 4), ...host.subarray(4 + n)]).toEqual(new Array(8).fill(7));
    // Slices along axis 0 are contiguous views: they read across segment boundaries.
    using mid = a.slice([BUFFER / 4 - 7, 2 * (BUFFER / 4) + 9]);
    expectArrayEqual(await mid.toArray(), again.subarray(BUFFER / 4 - 7, 2 * (BUFFER / 4) + 9));
    a.destroy();
    expect(device.memory.inUseBytes).toBe(before);
  });

  test('integers survive a multi-buffer round trip exactly, and zeros are zero', async () => {
    const n = BUFFER / 4 + 3;
    const data = Uint32Array.from({ length: n }, (_, i) => (i * 2654435761) >>> 0);
    using a = device.array(data);
    expectArrayEqual(await a.toArray(), data);
    using z = device.zeros(n, 'i32');
    expectArrayEqual(await z.toArray(), new Int32Array(n));
  });

  test('window(): bounds, contiguity and (on Dawn) the offset alignment are checked', () => {
    using a = device.array(new Float32Array(100));
    expect(() => a.window(90, 20)).toThrow(/outside an array of length 100/);
    expect(() => a.window(-1, 2)).toThrow(ArgumentError);
    using t = device.array(new Float32Array(12), { shape: [3, 4] });
    using tt = t.T;
    expect(() => tt.window(0, 2)).toThrow(/not contiguous/);
    if (device.engine === 'dawn') {
      const align = device.limits.minStorageBufferOffsetAlignment;
      expect(() => a.window(1, 4)).toThrow(ArgumentError);
      expect(() => a.window(1, 4)).toThrow(/minStorageBufferOffsetAlignment/);
      using w = a.window(align / 4, 8);
      expect(w.shape).toEqual([8]);
    }
  });

  const DOUBLE = `@group(0) @binding(0) var<storage, read_write> x: array<f32>;
struct P { n: u32 }
@group(0) @binding(1) var<uniform> params: P;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) {
  if (g.x < params.n) { x[g.x] = 2.0 * x[g.x]; }
}`;

  test('a raw kernel refuses an array over one binding, saying to bind windows; windows bind in place', async () => {
    if (device.engine !== 'dawn') {
      // gpujs runs no WGSL: raw kernels are Dawn's (test/kernels covers that refusal).
      await expect(device.kernel(DOUBLE)).rejects.toThrow(/needs WGSL|gpujs/);
      return;
    }
    const k = await device.kernel(DOUBLE);
    const n = 2 * (BINDING / 4) + 37;
    const data = Float32Array.from({ length: n }, (_, i) => i - 5);
    using x = device.array(data);
    expect(() => { k.run({ x, params: { n } }, { invocations: n }); }).toThrow(LimitError);
    expect(() => { k.run({ x, params: { n } }, { invocations: n }); }).toThrow(/x\.window\(offset, length\): at most \d+ elements each/);
    const chunk = Number(/at most (\d+) elements/.exec((() => {
      try {
        k.run({ x, params: { n } }, { invocations: n });
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })())?.[1]);
    expect(chunk * 4).toBeLessThanOrEqual(BINDING);
    // Double every chunk but the second, window by window: only those elements change.
    for (let at = 0, c = 0; at < n; at += chunk, c++) {
      if (c === 1) continue;
      using w = x.window(at, Math.min(chunk, n - at));
      k.run({ x: w, params: { n: w.length } }, { invocations: w.length });
    }
    const got = await x.toArray();
    const want = data.map((v, i) => (Math.floor(i / chunk) === 1 ? v : 2 * v));
    expectArrayEqual(got, want);
  });
});
