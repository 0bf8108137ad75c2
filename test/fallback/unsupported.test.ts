import { describe, expect } from 'vitest';
import { DTypeError, map, UnsupportedOnEngineError } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';

describe('what only one engine has', () => {
  gpuTest('on gpujs: raw WGSL and device.gpu throw UnsupportedOnEngineError naming jsKernel; the builders run', async ({ device }) => {
    using x = device.array(new Float32Array([1, 2, 3]));
    if (device.info.engine === 'dawn') {
      expect(() => device.jsKernel(() => 0, { output: 3 })).toThrow(UnsupportedOnEngineError);
      expect(() => device.jsKernel(() => 0, { output: 3 })).toThrow(/on dawn write the kernel in WGSL/);
      return;
    }
    await expect(device.kernel('@compute @workgroup_size(1) fn main() {}')).rejects.toThrow(UnsupportedOnEngineError);
    await expect(device.kernel('@compute @workgroup_size(1) fn main() {}')).rejects.toThrow(/device\.jsKernel/);
    await expect(device.kernel('@compute @workgroup_size(1) fn main() {}')).rejects.toThrow(/only the dawn engine runs.*jsKernel/);
    // The builders' WGSL is translated to JavaScript instead (test/ops/builders-engines.test.ts checks them).
    using y = map(x, 'x * 2.0');
    expectArrayEqual(await y.toArray(), [2, 4, 6]);
    const twice = await device.elementwise({ args: 'x: T[]', body: 'x = 2.0 * x' });
    twice({ x });
    expectArrayEqual(await x.toArray(), [2, 4, 6]);
    expect(() => device.gpu).toThrow(UnsupportedOnEngineError);
    expect(() => device.ctx).toThrow(UnsupportedOnEngineError);
    expect(() => x.buffer).toThrow(UnsupportedOnEngineError);
  });

  gpuTest('on gpujs: jsKernel runs a JS kernel through gpu.js, 1-D and 2-D, ordered with the ops', async ({ device }) => {
    if (device.info.engine !== 'gpujs') {
      expect(device.info.engine).toBe('dawn');
      return;
    }
    using x = device.array(new Float32Array([1, 2, 3, 4, 5, 6]));
    const twice = device.jsKernel(function (this: { thread: { x: number } }, a: Float32Array, k: number) {
      return k * (a[this.thread.x] as number);
    }, { output: 6 });
    using y = twice(x, 3);
    expect(y.engine).toBe('gpujs');
    expectArrayEqual(await y.toArray(), [3, 6, 9, 12, 15, 18]);
    // 2-D: output [x, y] = [3, 2] gives a 2×3 row-major array: element (row, col) = a[row * 3 + col] + row.
    const plusRow = device.jsKernel(function (this: { thread: { x: number; y: number } }, a: Float32Array) {
      return (a[this.thread.y * 3 + this.thread.x] as number) + this.thread.y;
    }, { output: [3, 2] });
    using z = plusRow(x);
    expect(z.shape).toEqual([2, 3]);
    expectArrayEqual(await z.toArray(), [1, 2, 3, 5, 6, 7]);
  });

  gpuTest('on gpujs: f16 and unknown dtypes are DTypeErrors naming the engine', ({ device }) => {
    if (device.info.engine !== 'gpujs') {
      expect(device.info.engine).toBe('dawn');
      return;
    }
    expect(device.info.features).not.toContain('shader-f16');
    expect(() => device.zeros(4, 'f16')).toThrow(DTypeError);
    expect(() => device.array(new Float32Array(4), 'f16')).toThrow(/gpujs engine lacks \(gpu\.js computes in f32 only\)/);
    expect(() => device.empty(4, 'f64' as 'f32')).toThrow(DTypeError);
  });

  gpuTest('arrays say which engine holds them; profile gives wall-clock figures labelled so on gpujs', async ({ device }) => {
    using x = device.array(new Float32Array(1000).fill(1));
    expect(x.engine).toBe(device.info.engine);
    const p = await device.profile(async () => {
      using y = device.zeros(1000);
      return (await y.toArray()).length + (await x.toArray()).length;
    });
    expect(p.result).toBe(2000);
    if (device.info.engine === 'gpujs') {
      expect(p.phases.kernel.method).toBe('wall-clock');
      expect(p.phases.kernel.note).toMatch(/gpujs engine/);
    }
  });
});
