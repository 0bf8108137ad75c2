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

describe("gpu.js's webgpu mode: an array past one storage binding is a LimitError up front", () => {
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
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err, String(what)).toBeInstanceOf(LimitError);
      const e = err as LimitError;
      expect(e.limit).toBe('maxStorageBufferBindingSize');
      expect(e.allowed).toBe(max);
      expect(e.requested).toBe(n * 4);
      expect(e.message).toMatch(what);
    };
    refused(() => add(big, other), /^add: 'x'/);
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
});
