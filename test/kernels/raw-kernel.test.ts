import { describe, expect } from 'vitest';
import { ArgumentError, DTypeError, LimitError, ShaderCompileError, DestroyedError, setKernelCacheSize } from '../../src/index.js';
import { dawnTest, expectAllClose, expectArrayEqual, gpuTest } from '../fixture.js';

const SAXPY = new URL('./saxpy.wgsl', import.meta.url);

function saxpyCpu(a: number, x: Float32Array, y: Float32Array): Float32Array {
  const out = new Float32Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = Math.fround(Math.fround(a * (x[i] ?? 0)) + (y[i] ?? 0));
  return out;
}

function random(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

describe('raw WGSL kernels', () => {
  const WG = 64;
  // 0, 1, WG±1, WG, 2^20+3, and one size needing a 2-D grid (more than 65,535 workgroups of 64).
  for (const n of [0, 1, WG - 1, WG, WG + 1, 2 ** 20 + 3, 65_535 * WG + 5]) {
    gpuTest(`saxpy matches the CPU at n = ${n}`, async ({ device }) => {
      const k = await device.kernel(SAXPY, { constants: { WG } });
      const xh = random(n, 1);
      const yh = random(n, 2);
      using x = device.array(xh);
      using y = device.array(yh);
      k.run({ x, y, params: { n, a: 2.5 } }, { invocations: n });
      expectAllClose(await y.toArray(), saxpyCpu(2.5, xh, yh), 0, 0);
    });
  }

  gpuTest('another workgroup size through the override constant', async ({ device }) => {
    const k = await device.kernel(SAXPY, { constants: { WG: 256 } });
    expect(k.workgroupSize).toEqual([256, 1, 1]);
    const xh = random(1000, 3);
    const yh = random(1000, 4);
    using x = device.array(xh);
    using y = device.array(yh);
    k.run({ x, y, params: { n: 1000, a: -1 } }, { invocations: 1000 });
    expectAllClose(await y.toArray(), saxpyCpu(-1, xh, yh), 0, 0);
  });

  gpuTest('explicit workgroups and a chain of runs before one readback', async ({ device }) => {
    const k = await device.kernel(SAXPY);
    const xh = random(128, 5);
    using x = device.array(xh);
    using y = device.zeros(128);
    for (let i = 0; i < 10; i++) k.run({ x, y, params: { n: 128, a: 1 } }, { workgroups: [2] });
    const expected = new Float32Array(128);
    for (let i = 0; i < 10; i++) expected.set(saxpyCpu(1, xh, expected));
    expectAllClose(await y.toArray(), expected, 0, 0);
  });

  gpuTest('the pipeline cache returns the same kernel for the same source and constants', async ({ device }) => {
    const a = await device.kernel(SAXPY, { constants: { WG: 32 } });
    const b = await device.kernel(SAXPY, { constants: { WG: 32 } });
    const c = await device.kernel(SAXPY, { constants: { WG: 128 } });
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  gpuTest('uniform structs are packed by WGSL layout rules (vec3 alignment, i32, arrays)', async ({ device }) => {
    const k = await device.kernel(`
struct P { a: f32, v: vec3<f32>, k: i32, w: array<vec4<u32>, 2> }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(1) fn main() {
  out[0] = p.a; out[1] = p.v.x; out[2] = p.v.y; out[3] = p.v.z; out[4] = f32(p.k);
  out[5] = f32(p.w[0].x); out[6] = f32(p.w[1].w);
}`);
    using out = device.zeros(7);
    k.run({ p: { a: 1.5, v: [2, 3, 4], k: -7, w: [[8, 0, 0, 0], [0, 0, 0, 9]] }, out }, { workgroups: 1 });
    expect([...(await out.toArray())]).toEqual([1.5, 2, 3, 4, -7, 8, 9]);
  });

  describe('errors', () => {
    gpuTest('a WGSL typo is a ShaderCompileError with the line, column and source line', async ({ device }) => {
      const src = 'alias T = f32;\n@group(0) @binding(0) var<storage, read_write> y: array<T>;\n@compute @workgroup_size(1) fn main() {\n  y[0] = 1.0 + ;\n}\n';
      const err = await device.kernel(src).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ShaderCompileError);
      const e = err as ShaderCompileError;
      expect(e.diagnostics[0]?.line).toBe(4);
      expect(e.diagnostics[0]?.column).toBe(16);
      expect(e.diagnostics[0]?.sourceLine).toBe('  y[0] = 1.0 + ;');
      expect(e.message).toMatch(/4:16 error: /);
    });

    gpuTest('a type error is reported at its position too', async ({ device }) => {
      const err = await device.kernel('@compute @workgroup_size(1) fn main() {\n  let x: u32 = 1.5;\n}').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ShaderCompileError);
      expect((err as ShaderCompileError).diagnostics[0]).toMatchObject({ line: 2, column: 16 });
    });

    gpuTest('a missing argument names the binding', async ({ device }) => {
      const k = await device.kernel(SAXPY);
      using x = device.zeros(4);
      expect(() => { k.run({ x, params: { n: 4, a: 1 } }, { invocations: 4 }); }).toThrow(ArgumentError);
      expect(() => { k.run({ x, params: { n: 4, a: 1 } }, { invocations: 4 }); }).toThrow(/missing argument 'y'/);
    });

    gpuTest('an unknown argument is refused', async ({ device }) => {
      const k = await device.kernel(SAXPY);
      using x = device.zeros(4);
      using y = device.zeros(4);
      expect(() => { k.run({ x, y, z: x, params: { n: 4, a: 1 } }, { invocations: 4 }); }).toThrow(/unknown argument z/);
    });

    gpuTest('a wrong dtype is a DTypeError naming both sides', async ({ device }) => {
      const k = await device.kernel(SAXPY);
      using x = device.zeros(4, 'i32');
      using y = device.zeros(4);
      expect(() => { k.run({ x, y, params: { n: 4, a: 1 } }, { invocations: 4 }); }).toThrow(DTypeError);
      expect(() => { k.run({ x, y, params: { n: 4, a: 1 } }, { invocations: 4 }); }).toThrow(/'x' holds f32 but the array passed is i32/);
    });

    gpuTest('storage vs uniform mix-ups are refused', async ({ device }) => {
      const k = await device.kernel(SAXPY);
      using x = device.zeros(4);
      using y = device.zeros(4);
      expect(() => { k.run({ x, y: { n: 1 }, params: { n: 4, a: 1 } }, { invocations: 4 }); }).toThrow(/'y' is a storage buffer/);
      expect(() => { k.run({ x, y, params: x }, { invocations: 4 }); }).toThrow(/'params' is a uniform/);
    });

    gpuTest('uniform values of the wrong type or with missing fields are refused', async ({ device }) => {
      const k = await device.kernel(SAXPY);
      using x = device.zeros(4);
      using y = device.zeros(4);
      expect(() => { k.run({ x, y, params: { n: -1, a: 1 } }, { invocations: 4 }); }).toThrow(/params.n: -1 is not a u32/);
      expect(() => { k.run({ x, y, params: { n: 4 } }, { invocations: 4 }); }).toThrow(/missing field 'a'/);
      expect(() => { k.run({ x, y, params: { n: 4, a: '1' as unknown as number } }, { invocations: 4 }); }).toThrow(/params.a: expected a number/);
    });

    gpuTest('a buffer smaller than a fixed-size binding is refused before dispatch', async ({ device }) => {
      const k = await device.kernel('@group(0) @binding(0) var<storage, read_write> v: array<f32, 16>;\n@compute @workgroup_size(1) fn main() { v[15] = 1.0; }');
      using small = device.zeros(8);
      expect(() => { k.run({ v: small }, { workgroups: 1 }); }).toThrow(/needs at least 64 bytes, the array has 32/);
    });

    gpuTest('a destroyed array cannot be used', async ({ device }) => {
      const k = await device.kernel(SAXPY);
      const x = device.zeros(4);
      using y = device.zeros(4);
      x.destroy();
      x.destroy(); // idempotent
      expect(x.destroyed).toBe(true);
      expect(() => { k.run({ x, y, params: { n: 4, a: 1 } }, { invocations: 4 }); }).toThrow(DestroyedError);
      await expect(x.toArray()).rejects.toThrow(DestroyedError);
    });

    gpuTest('more workgroups than a dimension allows is a LimitError', async ({ device }) => {
      const k = await device.kernel(SAXPY);
      using x = device.zeros(4);
      using y = device.zeros(4);
      expect(() => { k.run({ x, y, params: { n: 4, a: 1 } }, { workgroups: [70_000] }); }).toThrow(LimitError);
    });

    gpuTest('a workgroup size over the device limit is a LimitError', async ({ device }) => {
      const max = device.limits.maxComputeInvocationsPerWorkgroup;
      await expect(device.kernel(SAXPY, { constants: { WG: max * 2 } })).rejects.toThrow(LimitError);
    });

    gpuTest('an array bound read-only and read_write in one dispatch is refused up front, naming both arguments', async ({ device }) => {
      // Invalid in WebGPU, where it would take the whole batch down: refused before anything is encoded.
      // (What only WebGPU can detect surfaces as the op's ValidationError: test/reliability/batches.test.ts.)
      const k = await device.kernel(SAXPY);
      using x = device.array(new Float32Array([1, 2, 3, 4]));
      expect(() => { k.run({ x, y: x, params: { n: 4, a: 1 } }, { invocations: 4 }); }).toThrow(/'x' and 'y' are the same array/);
      expect(() => { k.run({ x, y: x, params: { n: 4, a: 1 } }, { invocations: 4 }); }).toThrow(ArgumentError);
      expectArrayEqual(await x.toArray(), [1, 2, 3, 4]);
    });
  });
});

dawnTest('the raw kernel cache is bounded: the oldest compiled kernels leave it, and held ones keep working', async ({ device }) => {
  setKernelCacheSize(4);
  try {
    const src = (k: number): string => `// cache-${k}
@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(1) fn main() { y[0] = ${k}.0; }`;
    const kernels = [];
    for (let k = 0; k < 8; k++) kernels.push(await device.kernel(src(k)));
    // Within the bound, a second compile of the same source is the cached object; past it, a new one.
    expect(await device.kernel(src(7))).toBe(kernels[7]);
    expect(await device.kernel(src(0))).not.toBe(kernels[0]);
    using y = device.zeros(1);
    kernels[0]?.run({ y }, { workgroups: [1, 1, 1] });
    expect(await y.item()).toBe(0);
    kernels[5]?.run({ y }, { workgroups: [1, 1, 1] });
    expect(await y.item()).toBe(5);
  } finally {
    setKernelCacheSize(256);
  }
});
