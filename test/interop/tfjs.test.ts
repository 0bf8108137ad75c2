/**
 * TF.js's WebGPU backend on gpukit's device: tensor → gpukit op → tensor with zero host copies (every mapAsync
 * counted: none until the final read), results against NumPy; the lifetimes on both sides; dtype refusals.
 */
import * as tf from '@tensorflow/tfjs-core';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { afterAll, describe, expect, vi } from 'vitest';
import { ArgumentError, DTypeError, softmax, UnsupportedOnEngineError, type GpuDevice } from '../../src/index.js';
import { fromTensor, setTfjsBackend, toTensor, type TfLike, type TfTensorLike } from '../../src/interop/index.js';
import { expectAllClose, gpuTest } from '../fixture.js';
import { npOut, numpy } from '../ops/helpers.js';

const TF = tf as unknown as TfLike;

/** TF.js on the fixture's device (once per file); false on gpujs, where the Dawn-only helpers refuse. */
let ready: GpuDevice | null = null;
async function onDevice(device: GpuDevice): Promise<boolean> {
  if (device.info.engine !== 'dawn') {
    await expect(setTfjsBackend(TF, WebGPUBackend, device)).rejects.toThrow(UnsupportedOnEngineError);
    expect(() => fromTensor(TF, {} as TfTensorLike, device)).toThrow(UnsupportedOnEngineError);
    return false;
  }
  if (ready !== device) {
    await setTfjsBackend(TF, WebGPUBackend, device);
    ready = device;
  }
  expect(tf.getBackend()).toBe('webgpu');
  return true;
}

afterAll(() => {
  if (ready !== null) tf.engine().reset();
});

describe('TF.js ↔ gpukit on one device', () => {
  gpuTest('tensor → softmax (gpukit) → tensor → TF.js op: no host copy until the final read, values as NumPy', async ({ device }) => {
    if (!(await onDevice(device))) return;
    const rows = 4;
    const cols = 33;
    const data = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 0.7) * 6 + (i % 5));
    data[3] = -Infinity; // a masked logit: probability 0
    const logits = tf.tensor(data, [rows, cols], 'float32');
    await logits.data(); // the upload and a read happen before counting starts
    const maps = vi.spyOn(GPUBuffer.prototype, 'mapAsync');
    try {
      const x = fromTensor(TF, logits, device);
      // Zero-copy: the array is the tensor's own buffer, and it is read-only (tensors are immutable).
      const backend = tf.backend() as unknown as { tensorMap: { get(id: unknown): { resource: unknown } } };
      expect(x.storageBuffer).toBe(backend.tensorMap.get(logits.dataId).resource);
      expect(() => x.write(new Float32Array(rows * cols))).toThrow(ArgumentError);
      logits.dispose(); // the array holds its own reference to the data
      const p = softmax(x, { axis: -1 });
      const t = (await toTensor(TF, p)) as unknown as tf.Tensor;
      x.destroy();
      p.destroy(); // the tensor's lease keeps the memory
      const doubled = tf.mul(t, 2);
      expect(maps).toHaveBeenCalledTimes(0); // zero host copies so far: no readback on either side
      const got = (await doubled.data()) as Float32Array;
      expect(maps).toHaveBeenCalledTimes(1); // the one read of the result
      const ref = npOut(numpy(`x = inp["x"].astype(np.float64).reshape(${rows}, ${cols}); e = np.exp(x - x.max(axis=1, keepdims=True)); out["y"] = (2 * e / e.sum(axis=1, keepdims=True)).astype(np.float32)`, { x: data }), 'y');
      expect(got[3]).toBe(0);
      expectAllClose(got, ref, 1e-5, 1e-7);
      t.dispose();
      doubled.dispose();
      await device.sync(); // the lease ended with the tensor: the memory is gpukit's again (the fixture checks)
    } finally {
      maps.mockRestore();
    }
  });

  gpuTest('an array whose buffer is exactly its data is the memory of the tensor: a later gpukit write is what TF.js reads', async ({ device }) => {
    if (!(await onDevice(device))) return;
    const n = 256; // 1 KiB: a size class of its own, so the buffer holds exactly the data
    const x = device.array(Float32Array.from({ length: n }, (_, i) => i));
    const t = (await toTensor(TF, x)) as unknown as tf.Tensor;
    x.write(Float32Array.from({ length: n }, (_, i) => -i)); // after the tensor was made
    await device.flush();
    const seen = (await t.data()) as Float32Array;
    expect(seen.length).toBe(n);
    expect(seen[0]).toBe(-0);
    expect(seen[255]).toBe(-255);
    // The lease: destroying x leaves the tensor's memory alone while the tensor lives.
    const before = device.memory.inUseBytes;
    const seenBuffer = x.buffer;
    x.destroy();
    expect(device.memory.inUseBytes).toBe(before); // still held, for the tensor
    const filler = device.array(new Float32Array(n).fill(7)); // would have taken x's memory without the lease
    expect(filler.buffer).not.toBe(seenBuffer);
    const total = tf.sum(t);
    expect([...((await total.data()) as Float32Array)]).toEqual([-(n * (n - 1)) / 2]);
    total.dispose();
    filler.destroy();
    t.dispose();
    await device.sync();
    expect(device.memory.inUseBytes).toBe(before - 1024); // back to gpukit once the tensor is gone
  });

  gpuTest('int32 both ways; an array destroyed while its tensor lives still reads; refusals are typed', async ({ device }) => {
    if (!(await onDevice(device))) return;
    const ints = device.array(new Int32Array([-2147483648, -1, 0, 7, 2147483647]));
    const t = (await toTensor(TF, ints)) as unknown as tf.Tensor;
    ints.destroy();
    using filler = device.array(new Int32Array(5).fill(99)); // would take the memory if the lease did not hold it
    expect(filler.size).toBe(5);
    expect(t.dtype).toBe('int32');
    expect([...((await t.data()) as Int32Array)]).toEqual([-2147483648, -1, 0, 7, 2147483647]);
    const back = fromTensor(TF, t, device);
    expect(back.dtype).toBe('i32');
    expect([...(await back.toArray())]).toEqual([-2147483648, -1, 0, 7, 2147483647]);
    back.destroy();
    t.dispose();
    // A strided view goes through a contiguous copy that the tensor owns.
    using m = device.array(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3] });
    const tt = (await toTensor(TF, m.transpose())) as unknown as tf.Tensor;
    expect(tt.shape).toEqual([3, 2]);
    expect([...((await tt.data()) as Float32Array)]).toEqual([1, 4, 2, 5, 3, 6]);
    tt.dispose();
    using u = device.array(new Uint32Array([1]));
    await expect(toTensor(TF, u)).rejects.toThrow(DTypeError);
    const b = tf.tensor([true, false], [2], 'bool');
    expect(() => fromTensor(TF, b as unknown as TfTensorLike, device)).toThrow(DTypeError);
    b.dispose();
    await device.sync();
  });
});
