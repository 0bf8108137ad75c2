/**
 * ONNX Runtime ↔ gpukit: one copy each way (toOrtTensor reads back, fromOrtTensor uploads), checked by content
 * through a real session (test/interop/fixtures/affine.onnx: Y = X * A + B, made by fixtures/make-models.py) and
 * a gpukit op after it, against NumPy. These helpers are engine-neutral: they run on both engines. ORT's
 * 'gpu-buffer' outputs are refused with a typed error (in Node they are opaque native handles: see the guide).
 */
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { describe, expect } from 'vitest';
import { ArgumentError, DTypeError, multiply } from '../../src/index.js';
import { fromOrtTensor, toOrtTensor, type OrtLike, type OrtTensorLike } from '../../src/interop/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { npOut, numpy } from '../ops/helpers.js';

const MODEL = fileURLToPath(new URL('./fixtures/affine.onnx', import.meta.url));
const ORT = ort as unknown as OrtLike;

describe('ONNX Runtime tensors ↔ arrays', () => {
  gpuTest('array → ort.Tensor → session → array → op, by content against NumPy', async ({ device }) => {
    const n = 37;
    const xs = Float32Array.from({ length: n * 4 }, (_, i) => (i % 11) - 5.5);
    xs[0] = -0;
    xs[1] = 3.4028234663852886e38;
    using x = device.array(xs, { shape: [n, 4] });
    using a = device.array(new Float32Array([1, -2, 0.5, 0]));
    using b = device.array(new Float32Array([0.25, 1, -1, 7]));
    const session = await ort.InferenceSession.create(MODEL);
    const feeds = { X: await toOrtTensor(ORT, x), A: await toOrtTensor(ORT, a), B: await toOrtTensor(ORT, b) };
    expect(feeds.X.dims).toEqual([n, 4]);
    expect(feeds.X.type).toBe('float32');
    expectArrayEqual(feeds.X.data as Float32Array, xs); // one copy out, bit for bit
    const { Y } = await session.run(feeds as unknown as Record<string, ort.Tensor>);
    if (Y === undefined) throw new Error('the model has an output Y');
    using y = fromOrtTensor(device, Y);
    expect(y.shape).toEqual([n, 4]);
    expect(y.dtype).toBe('f32');
    using z = multiply(y, 2);
    const ref = npOut(numpy('x = inp["x"].reshape(-1, 4); out["z"] = ((x * inp["a"] + inp["b"]).astype(np.float32) * np.float32(2)).astype(np.float32)', { x: xs, a: new Float32Array([1, -2, 0.5, 0]), b: new Float32Array([0.25, 1, -1, 7]) }), 'z');
    expectArrayEqual(await z.toArray(), ref); // ±0, Inf from overflow: exact in f32
    await session.release();
  });

  gpuTest('i32 and u32 round trips; other dtypes and GPU-located tensors are typed errors', async ({ device }) => {
    using i = device.array(new Int32Array([-2147483648, 0, 2147483647]));
    const ti = await toOrtTensor(ORT, i);
    expect(ti.type).toBe('int32');
    using back = fromOrtTensor(device, ti);
    expect([...(await back.toArray())]).toEqual([-2147483648, 0, 2147483647]);
    using u = device.array(new Uint32Array([0, 4294967295]));
    using ub = fromOrtTensor(device, await toOrtTensor(ORT, u));
    expect(ub.dtype).toBe('u32');
    expect([...(await ub.toArray())]).toEqual([0, 4294967295]);
    const i64 = new ort.Tensor('int64', new BigInt64Array([1n]), [1]);
    expect(() => fromOrtTensor(device, i64 as unknown as OrtTensorLike)).toThrow(DTypeError);
    using bools = device.array([true, false]);
    await expect(toOrtTensor(ORT, bools)).rejects.toThrow(DTypeError);
    const onGpu = { type: 'float32', dims: [1], location: 'gpu-buffer', data: undefined };
    expect(() => fromOrtTensor(device, onGpu)).toThrow(ArgumentError);
    expect(() => fromOrtTensor(device, onGpu)).toThrow(/only 'cpu' tensors/);
  });
});
