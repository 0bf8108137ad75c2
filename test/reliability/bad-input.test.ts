import { describe, expect } from 'vitest';
import { add, axpy, DestroyedError, LimitError, openDevice, random, ShapeError, sum, min, ArgumentError, DTypeError } from '../../src/index.js';
import { randomU32Cpu } from '../../src/testing/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';

/** A Float32Array whose ArrayBuffer has been transferred away (length 0 now, though it was given 4 values). */
function detachedF32(): Float32Array {
  const a = new Float32Array([1, 2, 3, 4]);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

describe('uploads coerce nothing: data that would not arrive as given is refused before any memory is taken', () => {
  gpuTest('a string or null is not data (ArgumentError); non-number elements are a DTypeError naming the index', async ({ device }) => {
    const before = device.memory.inUseBytes;
    expect(() => device.array('abc' as never)).toThrow(ArgumentError);
    expect(() => device.array('abc' as never)).toThrow(/data must be a typed array or an array of numbers, got the string "abc"/);
    expect(() => device.array(null as never)).toThrow(ArgumentError);
    const zeroD = device.array(7); // a number is a 0-d array, as the standard's asarray(7) (issue 26)
    expect(zeroD.shape).toEqual([]);
    zeroD.destroy();
    expect(() => device.array({} as never)).toThrow(ArgumentError);
    expect(() => device.array([1, 'a', null, {}] as never)).toThrow(DTypeError);
    expect(() => device.array([1, 'a', null, {}] as never)).toThrow(/element 1 is the string "a"; a f32 array takes numbers/);
    expect(() => device.array([1, null] as never)).toThrow(/element 1 is null/);
    expect(() => device.array([1, , 3] as never)).toThrow(/element 1 is undefined/); // eslint-disable-line no-sparse-arrays
    expect(() => device.array([true] as never, 'i32')).toThrow(DTypeError);
    expect(device.memory.inUseBytes).toBe(before);
    using a = device.zeros(4);
    expect(() => a.write('abcd' as never)).toThrow(ArgumentError);
    expect(() => a.write(null as never)).toThrow(ArgumentError);
    expect(() => a.write([1, 2, 'x', 4] as never)).toThrow(/write: element 2 is the string "x"/);
    expectArrayEqual(await a.toArray(), [0, 0, 0, 0]); // nothing was written
  });

  gpuTest('integers outside i32 / u32, and non-integers for them, are a DTypeError instead of wrapping', async ({ device }) => {
    expect(() => device.array([3e10], 'i32')).toThrow(DTypeError);
    expect(() => device.array([3e10], 'i32')).toThrow(/element 0 is 30000000000, outside i32's range \[-2147483648, 2147483647\]/);
    expect(() => device.array([-1], 'u32')).toThrow(/element 0 is -1, outside u32's range \[0, 4294967295\]/);
    expect(() => device.array([2 ** 32], 'u32')).toThrow(DTypeError);
    expect(() => device.array([2 ** 31], 'i32')).toThrow(DTypeError);
    expect(() => device.array([0, 1.5], 'i32')).toThrow(/element 1 is 1.5, not an integer/);
    expect(() => device.array([NaN], 'u32')).toThrow(DTypeError);
    expect(() => device.array([Infinity], 'i32')).toThrow(DTypeError);
    using u = device.zeros(1, 'u32');
    expect(() => u.write([-1])).toThrow(DTypeError);
    // The edges of each range are values, and arrive exactly.
    using i = device.array([-(2 ** 31), 2 ** 31 - 1, -0], 'i32');
    using w = device.array([0, 2 ** 32 - 1], 'u32');
    expectArrayEqual(await i.toArray(), [-(2 ** 31), 2 ** 31 - 1, 0]);
    expectArrayEqual(await w.toArray(), [0, 2 ** 32 - 1]);
  });

  gpuTest('a Proxy whose length is larger than its data is refused, not padded with NaN', async ({ device }) => {
    const liar = new Proxy([1, 2, 3], { get: (t, k, r) => (k === 'length' ? 6 : Reflect.get(t, k, r) as unknown) });
    expect(() => device.array(liar)).toThrow(DTypeError);
    expect(() => device.array(liar)).toThrow(/element 3 is undefined \(a hole, or data.length is larger than the data\)/);
    // An honest array-like object uploads.
    using ok = device.array({ length: 2, 0: 5, 1: 6 });
    expectArrayEqual(await ok.toArray(), [5, 6]);
  });

  gpuTest('a typed array over a detached ArrayBuffer is refused instead of becoming a length-0 array', async ({ device }) => {
    expect(() => device.array(detachedF32())).toThrow(ArgumentError);
    expect(() => device.array(detachedF32(), 'f32')).toThrow(/ArrayBuffer is detached/);
    using a = device.zeros(0);
    expect(() => a.write(detachedF32())).toThrow(ArgumentError);
  });

  gpuTest('a shape that does not hold the data is a ShapeError, checked before allocating', async ({ device }) => {
    const before = device.memory.inUseBytes;
    expect(() => device.array([1, 2, 3], 'f32', [2, 2])).toThrow(ShapeError);
    expect(() => device.array([1, 2, 3], 'f32', [2, 2])).toThrow(/shape \[2, 2\] holds 4 elements but 3 were given/);
    expect(() => device.array([1, 2], 'f32', null as never)).toThrow(ShapeError);
    expect(() => device.array([1, 2], 'f32', [2, '1'] as never)).toThrow(ShapeError);
    expect(device.memory.inUseBytes).toBe(before);
    using m = device.array([1, 2, 3, 4, 5, 6], 'i32', [2, 3]);
    expect(m.shape).toEqual([2, 3]);
  });

  gpuTest('SharedArrayBuffer-backed typed arrays upload (through a copy) and round-trip exactly', async ({ device }) => {
    const f = new Float32Array(new SharedArrayBuffer(4 * 5));
    f.set([1.5, -2, 3.25, 0, 1e-3]);
    const i = new Int32Array(new SharedArrayBuffer(4 * 3));
    i.set([-7, 2 ** 31 - 1, 9]);
    using a = device.array(f);
    using b = device.array(i);
    expectArrayEqual(await a.toArray(), f);
    expectArrayEqual(await b.toArray(), i);
    // An offset view into a shared buffer, written into an existing array.
    const u = new Uint32Array(new SharedArrayBuffer(4 * 6), 8, 3);
    u.set([4, 5, 0xffffffff]);
    using c = device.zeros(3, 'u32');
    c.write(u);
    expectArrayEqual(await c.toArray(), [4, 5, 0xffffffff]);
  });

  gpuTest('a failed array() (a throwing getter) leaves no pooled memory behind', async ({ device }) => {
    const before = device.memory.inUseBytes;
    const boom = { length: 3, 0: 1, get 1(): number { throw new Error('sensor offline'); }, 2: 3 };
    expect(() => device.array(boom)).toThrow(ArgumentError);
    expect(() => device.array(boom)).toThrow(/reading element 1 of data threw: sensor offline/);
    const badLength = { get length(): number { throw new Error('no length'); } };
    expect(() => device.array(badLength as never)).toThrow(ArgumentError);
    expect(device.memory.inUseBytes).toBe(before);
  });
});

describe('random seeds outside [0, 2^64) are refused instead of colliding', () => {
  gpuTest('2^70 and -2^70 (which reduce to one key) and negative or fractional seeds throw ArgumentError', async ({ device }) => {
    const before = device.memory.inUseBytes;
    for (const seed of [2n ** 70n, -(2n ** 70n), 2n ** 64n, -1n, -1, 1.5, NaN, 2 ** 53]) {
      expect(() => random.u32(device, 4, { seed })).toThrow(ArgumentError);
      expect(() => random.uniform(device, 4, { seed })).toThrow(/seed must be an integer in \[0, 2\^64\)/);
    }
    expect(() => random.normal(device, 4, { seed: '1' as never })).toThrow(ArgumentError);
    expect(() => randomU32Cpu(4, 2n ** 70n)).toThrow(ArgumentError);
    expect(device.memory.inUseBytes).toBe(before);
  });

  gpuTest('the largest seed, 2^64 - 1, is accepted and gives the CPU reference stream', async ({ device }) => {
    using top = random.u32(device, 8, { seed: 2n ** 64n - 1n });
    const got = await top.toArray();
    expectArrayEqual(got, randomU32Cpu(8, 2n ** 64n - 1n));
    // Independent of the reference's seed handling: seed 2^64-1 is not seed 0, and 2^32 is key [0, 1], not [0, 0].
    using zero = random.u32(device, 8, { seed: 0 });
    using hi = random.u32(device, 8, { seed: 2n ** 32n });
    const z = await zero.toArray();
    expect([...got]).not.toEqual([...z]);
    expect([...(await hi.toArray())]).not.toEqual([...z]);
  });
});

describe('bad input is refused with a typed error that names the problem', () => {
  gpuTest('arrays from another device', async ({ device }) => {
    await using other = await openDevice();
    using x = device.zeros(8);
    using y = other.zeros(8);
    expect(() => add(x, y)).toThrow(ArgumentError);
    expect(() => add(x, y)).toThrow(/different devices/);
    const k = await device.kernel('@group(0) @binding(0) var<storage, read_write> v: array<f32>;\n@compute @workgroup_size(1) fn main() { v[0] = 1.0; }');
    expect(() => { k.run({ v: y }, { workgroups: 1 }); }).toThrow(/'v' is an array of another device/);
  });

  gpuTest('non-finite and negative sizes', async ({ device }) => {
    expect(() => device.empty(Infinity)).toThrow(ShapeError);
    expect(() => device.empty(-3)).toThrow(/non-negative integer, got -3/);
    expect(() => device.zeros([2, -1])).toThrow(/in shape \[2, -1\]/);
    expect(() => device.empty([2 ** 40, 2 ** 20])).toThrow(ShapeError);
  });

  gpuTest('a destroyed array passed to an op', async ({ device }) => {
    const x = device.zeros(8);
    using y = device.zeros(8);
    x.destroy();
    expect(() => add(x, y)).toThrow(DestroyedError);
    expect(() => sum(x)).toThrow(/was destroyed/);
  });

  gpuTest('an array bigger than one storage binding is split by ops, never truncated; a raw kernel refuses it', async ({ device }) => {
    const max = device.limits.maxStorageBufferBindingSize;
    const n = max / 4 + 64;
    using big = device.array(new Float32Array(n).fill(1));
    using other = device.zeros(n);
    axpy(2, big, other);
    // A truncated op would leave the tail at 0: the last elements, and the minimum, say it did not.
    using tail = other.slice([n - 3]);
    using lo = min(other);
    expect([...(await tail.toArray())]).toEqual([2, 2, 2]);
    expect(await lo.item()).toBe(2);
    if (device.engine !== 'dawn') return;
    const k = await device.kernel('@group(0) @binding(0) var<storage, read_write> x: array<f32>;\n@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) { x[g.x] = 0.0; }');
    expect(() => { k.run({ x: big }, { invocations: 64 }); }).toThrow(LimitError);
    expect(() => { k.run({ x: big }, { invocations: 64 }); }).toThrow(/maxStorageBufferBindingSize.*x\.window\(offset, length\)/);
  });

  gpuTest('scalars of the wrong kind to a builder', async ({ device }) => {
    const f = await device.elementwise({ args: 'x: T[], y: T[], k: i32', body: 'y = x * T(k)' });
    using x = device.zeros(4);
    expect(() => f({ x, k: 1.5 })).toThrow(/params.k: 1.5 is not an i32/);
    expect(() => f({ x, k: 'a' as never })).toThrow(/'k' is a scalar argument/);
    using xi = device.zeros(4, 'u32');
    using yf = device.zeros(4);
    expect(() => f({ x: xi, y: yf, k: 1 })).toThrow(DTypeError);
  });

  gpuTest('ops on a closed device', async () => {
    const d = await openDevice();
    const x = d.zeros(4);
    await d.close();
    expect(() => sum(x)).toThrow(/closed/);
    expect(() => add(x, x)).toThrow(/closed/);
  });
});
