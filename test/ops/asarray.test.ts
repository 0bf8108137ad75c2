/**
 * device.array / device.asarray input (issue 26, the standard's `asarray`): nested JS arrays with the shape
 * inferred as NumPy's `np.array` infers it (compared with NumPy), ragged data refused naming the path, a
 * `shape` that must agree, numbers as 0-d arrays, and typed arrays other than Float32/Int32/Uint32: refused
 * without a dtype (saying which to ask for), converted exactly (or refused) with one.
 */
import { expect } from 'vitest';
import { ArgumentError, DTypeError, ShapeError } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { npOut, numpy } from './helpers.js';

gpuTest('nested arrays: shape and C-order values as np.array infers them', async ({ device }) => {
  const cases: [string, unknown][] = [
    ['[[1, 2], [3, 4]]', [[1, 2], [3, 4]]],
    ['[[[1], [2]], [[3], [4]], [[5], [6]]]', [[[1], [2]], [[3], [4]], [[5], [6]]]],
    ['[[], []]', [[], []]],
    ['[[[]]]', [[[]]]],
    ['[[-0.0, float("nan")], [float("inf"), -3.5]]', [[-0, NaN], [Infinity, -3.5]]],
  ];
  const code = cases.map(([py], i) => `a = np.array(${py}, dtype=np.float32)\nout['v${i}'] = a\nout['s${i}'] = np.array(a.shape, dtype=np.int32)`).join('\n');
  const ref = numpy(code, {});
  for (const [i, [py, js]] of cases.entries()) {
    using a = device.array(js as number[][]);
    expect([a.shape, a.dtype], py).toEqual([[...npOut(ref, `s${i}`)], 'f32']);
    expectArrayEqual(await a.toArray(), npOut(ref, `v${i}`));
  }
});

gpuTest('nested typed rows keep their dtype; a number is a 0-d array; asarray is the same function', async ({ device }) => {
  using i = device.array([new Int32Array([1, -2]), new Int32Array([3, 4])]);
  expect([i.dtype, i.shape]).toEqual(['i32', [2, 2]]);
  expectArrayEqual(await i.toArray(), [1, -2, 3, 4]);
  using u = device.asarray([new Uint32Array([4294967295]), new Uint32Array([0])]);
  expect([u.dtype, u.shape]).toEqual(['u32', [2, 1]]);
  expectArrayEqual(await u.toArray(), [4294967295, 0]);
  using z = device.asarray(7, { dtype: 'i32' });
  expect([z.shape, z.dtype, z.size]).toEqual([[], 'i32', 1]);
  expect(await z.item()).toBe(7);
  using m = device.asarray([[1, 2, 3], [4, 5, 6]], { dtype: 'u32', shape: [2, 3] });
  expectArrayEqual(await m.toArray(), [1, 2, 3, 4, 5, 6]);
  using f = device.array([1, 2, 3, 4, 5, 6], { shape: [3, 2] }); // flat data is still reshaped
  expect(f.shape).toEqual([3, 2]);
});

gpuTest('ragged nested data is a ShapeError naming where it differs; a disagreeing shape too', ({ device }) => {
  using d = device.array([1, 2]);
  const before = device.memory.inUseBytes;
  expect(() => device.array([[1, 2], [3]])).toThrow(new ShapeError('array: data[1] has 1 element but data[0] has 2: nested data must be rectangular (ragged at axis 1)'));
  expect(() => device.array([[1, 2], 3] as never)).toThrow(/^array: data\[1\] is number 3 but data\[0\] is a sequence of 2/);
  expect(() => device.array([[[1, 2]], [[3, [4]]]] as never)).toThrow(/^array: data\[1\]\[0\]\[1\] is a sequence but data\[0\]\[0\]\[0\] is a number/);
  expect(() => device.array([[1, 'a']] as never)).toThrow(new DTypeError('array: data[0][1] is the string "a"; nested data takes numbers (or booleans)'));
  expect(() => device.array([[1, 2], [3, 4]], { shape: [4] })).toThrow(new ShapeError('array: shape [4] differs from the nested data\'s shape [2, 2]'));
  expect(() => device.asarray([[1]], { order: 'C' } as never)).toThrow(ArgumentError);
  expect(() => device.asarray([[1]], 'f32' as never)).toThrow(ArgumentError);
  expect(() => device.asarray(d as never)).toThrow(/data is already a DeviceArray .*use copy\(x\)/);
  expect(device.memory.inUseBytes).toBe(before);
});

gpuTest('other typed arrays: without a dtype a DTypeError naming the dtype to ask for', ({ device }) => {
  expect(() => device.array(new Float64Array([1]))).toThrow(/^array: a Float64Array has no dtype of its own on the device: WebGPU has no float64: pass \{ dtype: 'f32' \}/);
  expect(() => device.array(new Int16Array([1]))).toThrow(/^array: a Int16Array has no dtype of its own on the device: pass \{ dtype: 'i32' \}/);
  expect(() => device.asarray(new Uint8Array([1]))).toThrow(/^asarray: a Uint8Array .* pass \{ dtype: 'u32' \} or \{ dtype: 'i32' \}/);
  expect(() => device.array(new BigInt64Array([1n]))).toThrow(/WebGPU has no 64-bit integers: pass \{ dtype: 'i32' \}/);
});

gpuTest('other typed arrays with a dtype: exact where representable (vs NumPy astype), refused where not', async ({ device }) => {
  const f64 = new Float64Array([0.1, -0, 1 / 3, 3.4028234663852886e38, -1e-46, Infinity, NaN, 16777217]);
  const ref = numpy('out["f"] = inp["x"].astype(np.float32)', { x: f64 });
  using f = device.array(f64, { dtype: 'f32' });
  expectArrayEqual(await f.toArray(), npOut(ref, 'f'));
  expect(Object.is((await f.toArray())[1], -0)).toBe(true);
  using i16 = device.array(new Int16Array([-32768, 32767, 0]), { dtype: 'i32' });
  expectArrayEqual(await i16.toArray(), [-32768, 32767, 0]);
  using u8 = device.array(new Uint8Array([0, 255]), { dtype: 'u32' });
  expectArrayEqual(await u8.toArray(), [0, 255]);
  using u16 = device.array(new Uint16Array([65535]), { dtype: 'i32' });
  expectArrayEqual(await u16.toArray(), [65535]);
  using big = device.array(new BigInt64Array([-2147483648n, 2147483647n]), { dtype: 'i32' });
  expectArrayEqual(await big.toArray(), [-2147483648, 2147483647]);
  using fi = device.array(new Float64Array([-2147483648, 2147483647]), { dtype: 'i32' });
  expectArrayEqual(await fi.toArray(), [-2147483648, 2147483647]);
  // not representable: typed errors naming the element, before any memory is taken
  const before = device.memory.inUseBytes;
  expect(() => device.array(new Float64Array([1, 3.5e38]), { dtype: 'f32' })).toThrow(/^array: element 1 is 3\.5e\+38, beyond f32's range/);
  expect(() => device.array(new Float64Array([-1e300]), { dtype: 'f32' })).toThrow(DTypeError);
  expect(() => device.array(new Int16Array([-1]), { dtype: 'u32' })).toThrow(/^array: element 0 is -1, outside u32's range/);
  expect(() => device.array(new Float64Array([0.5]), { dtype: 'i32' })).toThrow(/not an integer/);
  expect(() => device.array(new Float64Array([2147483648]), { dtype: 'i32' })).toThrow(DTypeError);
  expect(() => device.array(new BigInt64Array([2n ** 40n]), { dtype: 'i32' })).toThrow(DTypeError);
  expect(() => device.array(new BigUint64Array([2n ** 63n]), { dtype: 'u32' })).toThrow(DTypeError);
  expect(() => device.array(new DataView(new ArrayBuffer(4)) as never, { dtype: 'f32' })).toThrow(ArgumentError);
  expect(device.memory.inUseBytes).toBe(before);
});
