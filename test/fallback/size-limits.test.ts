import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { add, axpy, dot, LimitError, matmul, scale, sum, transpose, type GpuDevice } from '../../src/index.js';
import { closeAll, openGpujsModes } from './modes.js';

let devices: GpuDevice[] = [];
beforeAll(async () => {
  devices = await openGpujsModes();
});
afterAll(async () => {
  await closeAll(devices);
});

/** Calls `f` and returns the LimitError it throws (failing the test if it throws anything else or nothing). */
function limitErrorOf(f: () => unknown, what: string): LimitError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, what).toBeInstanceOf(LimitError);
  return err as LimitError;
}

describe('gpu.js size limits are LimitErrors when an op is called, not failures at read time', () => {
  test('the ops that run gpu.js kernels and jsKernel refuse it when called, naming the limit; the array itself is fine', async () => {
    const webgpu = devices.find((d) => d.info.backend === 'webgpu');
    for (const device of devices) {
      if (device !== webgpu) {
        // webasm and cpu have no storage bindings: no such limit is reported
        expect(device.limits['maxStorageBufferBindingSize']).toBeUndefined();
      }
    }
    if (webgpu === undefined) return; // Dawn hidden: openGpujsModes checked that webgpu mode was refused for it
    const max = webgpu.limits['maxStorageBufferBindingSize'];
    expect(max).toBeGreaterThan(0);
    const n = max / 4 + 16; // host memory: allocating it costs nothing until it is touched
    expect(n * 4).toBeLessThanOrEqual(webgpu.limits.maxBufferSize);
    using big = webgpu.zeros(n);
    using other = webgpu.zeros(n);
    const refused = (f: () => unknown, what: RegExp): void => {
      const e = limitErrorOf(f, String(what));
      expect(e.limit).toBe('maxStorageBufferBindingSize');
      expect(e.allowed).toBe(max);
      expect(e.requested).toBe(n * 4);
      expect(e.message).toMatch(what);
    };
    // add/subtract/multiply run as host loops since they joined the math ops (promotion, scalars): no binding limit.
    refused(() => scale(big, 2), /^scale: 'x'/);
    refused(() => axpy(2, big, other), /^axpy: 'x'/);
    refused(() => sum(big), /^sum: 'x'/);
    refused(() => dot(big, other), /^dot: 'x'/);
    refused(() => transpose(big, 16, n / 16), /^transpose: 'a'/);
    using one = webgpu.array(new Float32Array([1]));
    refused(() => matmul(big, one, { m: n, k: 1, n: 1 }), /^matmul: 'a'/);
    const copy = webgpu.jsKernel(function (this: { thread: { x: number } }, x: Float32Array): number {
      return x[this.thread.x] as number;
    }, { output: 4 });
    refused(() => copy(big), /^jsKernel: 'array argument 1'/);
    // nothing was enqueued: the device still works and reads back
    using small = add(one, one);
    expect(await small.item()).toBe(2);
  });

  test('webasm mode: the arrays of one kernel must fit one WebAssembly memory (4 GiB less 16 pages)', async () => {
    const webasm = devices.find((d) => d.info.backend === 'webasm') as GpuDevice;
    const memory = (65536 - 16) * 65536; // gpu.js: initial pages = ceil(bytes / 64 KiB) + 16, at most 65536 (wasm32)
    // axpy lays out x, y and the result (three arrays of n f32, each 16-byte aligned) and its scalar a (one 16-byte slot)
    const n = Math.floor(memory / 12) + 4;
    using x = webasm.empty(n); // host memory, never touched: allocating it costs nothing
    using y = webasm.empty(n);
    const e = limitErrorOf(() => axpy(2, x, y), 'axpy');
    expect(e.limit).toMatch(/^WebAssembly memory/);
    expect(e.allowed).toBe(memory);
    expect(e.requested).toBe(3 * Math.ceil((4 * n) / 16) * 16 + 16);
    expect(e.message).toMatch(/^axpy: 'x' \(\d+ f32\), 'y' \(\d+ f32\), the result/);
    using one = webasm.array(new Float32Array([1]));
    using small = add(one, one);
    expect(await small.item()).toBe(2);
  });
});
