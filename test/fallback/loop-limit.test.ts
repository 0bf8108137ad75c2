import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ArgumentError, matmul, type GpuDevice } from '../../src/index.js';
import { matmulRef64, randomF32 } from '../ops/helpers.js';
import { closeAll, openGpujsModes } from './modes.js';

/** What gpu.js gives a kernel as `this`. */
interface Thread {
  readonly thread: { readonly x: number; readonly y: number; readonly z: number };
}

/**
 * Runs gpujs matmul and checks every element against float64 with the bound of a serial f32 dot product of
 * length k: |C - C_ref| ≤ 2·k·2^-24·Σ|a||b| (a dropped term of size ~Σ|a||b|/k fails it).
 */
async function checkMatmul(device: GpuDevice, m: number, k: number, n: number): Promise<void> {
  const ah = randomF32(m * k, 17 * k + m);
  const bh = randomF32(k * n, 31 * k + n);
  using a = device.array(ah);
  using b = device.array(bh);
  using c = matmul(a, b, { m, k, n });
  const got = await c.toArray();
  const { c: ref, mag } = matmulRef64(ah, bh, m, k, n);
  const u = 2 ** -24;
  for (let i = 0; i < m * n; i++) {
    const tol = 2 * k * u * (mag[i] as number);
    const err = Math.abs((got[i] as number) - (ref[i] as number));
    if (!(err <= tol)) expect.fail(`gpu.js ${device.info.backend}, ${m}×${k}×${n}: C[${i}] = ${got[i]}, float64 ${ref[i]}, error ${err} > bound ${tol}`);
  }
}

let devices: GpuDevice[] = [];
beforeAll(async () => {
  devices = await openGpujsModes();
});
afterAll(async () => {
  await closeAll(devices);
});

describe('gpu.js loop caps: no loop is silently cut at loopMaxIterations', () => {
  test('matmul sums all k terms past gpu.js default cap of 1000, after a small matmul compiled the kernel', async () => {
    expect(devices.map((d) => d.info.backend)).toEqual(expect.arrayContaining(['webasm', 'cpu']));
    for (const device of devices) {
      await checkMatmul(device, 3, 4, 5); // compiles and caches the kernel with a small k first
      for (const k of [999, 1000, 1001, 1500, 2048]) await checkMatmul(device, 2, k, 3);
      // a product of ones counts its terms exactly
      using a = device.array(new Float32Array(4096).fill(1));
      using b = device.array(new Float32Array(4096).fill(1));
      using c = matmul(a, b, { m: 1, k: 4096, n: 1 });
      expect(await c.item(), `gpu.js ${device.info.backend}`).toBe(4096);
      await checkMatmul(device, 2, 7, 2); // and a small k again after the large ones
    }
  });

  test('jsKernel refuses a loop without a literal bound unless loopMaxIterations is given, then runs it to its end', async () => {
    for (const device of devices) {
      const count = function (this: Thread, n: number): number {
        let i = 0;
        while (i < n) i++;
        return i;
      };
      expect(() => device.jsKernel(count, { output: 1 })).toThrow(ArgumentError);
      expect(() => device.jsKernel(count, { output: 1 })).toThrow(/line \d+ \(`while \(i < n\)/);
      expect(() => device.jsKernel(count, { output: 1 })).toThrow(/loopMaxIterations/);
      using r = device.jsKernel(count, { output: 1, loopMaxIterations: 2_000_000 })(2_000_000);
      expect(await r.item(), `gpu.js ${device.info.backend}`).toBe(2_000_000);

      // a for loop over an argument is capped too; the settings key is read as the same option
      const sumTo = function (this: Thread, x: Float32Array, k: number): number {
        let s = 0;
        for (let p = 0; p < k; p++) s += x[p] as number;
        return s;
      };
      expect(() => device.jsKernel(sumTo, { output: 1 })).toThrow(ArgumentError);
      using x = device.array(new Float32Array(1500).fill(1));
      using s1 = device.jsKernel(sumTo, { output: 1, settings: { loopMaxIterations: 1500 } })(x, 1500);
      expect(await s1.item(), `gpu.js ${device.info.backend}`).toBe(1500);
    }
  });

  test('jsKernel accepts a for loop with literal bounds without a cap, and gpu.js runs it past 1000', async () => {
    for (const device of devices) {
      const fixed = function (this: Thread): number {
        let s = 0;
        for (let j = 0; j < 3000; j++) s += 1;
        return s + this.thread.x;
      };
      using r = device.jsKernel(fixed, { output: 2 })();
      expect([...(await r.toArray())], `gpu.js ${device.info.backend}`).toEqual([3000, 3001]);
    }
  });

  test('loopMaxIterations must be an integer in [1, 2^31 - 1], given once', () => {
    const device = devices[0] as GpuDevice;
    const f = function (this: Thread): number {
      return this.thread.x;
    };
    for (const bad of [0, -1, 1.5, 2 ** 31, NaN]) expect(() => device.jsKernel(f, { output: 1, loopMaxIterations: bad })).toThrow(ArgumentError);
    expect(() => device.jsKernel(f, { output: 1, loopMaxIterations: 10, settings: { loopMaxIterations: 20 } })).toThrow(/give one/);
  });
});

describe('jsKernel refuses up front what gpu.js would fail on later', () => {
  test('arrow functions, methods, strings, non-functions, missing options or output', () => {
    const device = devices[0] as GpuDevice;
    expect(() => device.jsKernel(() => 0, { output: 1 })).toThrow(ArgumentError);
    expect(() => device.jsKernel(() => 0, { output: 1 })).toThrow(/arrow function/);
    const obj = {
      m(this: Thread): number {
        return this.thread.x;
      },
    };
    // eslint-disable-next-line @typescript-eslint/unbound-method -- the point: a method's source is not a function expression
    expect(() => device.jsKernel(obj.m, { output: 1 })).toThrow(/method/);
    expect(() => device.jsKernel('function () { return 1; }' as never, { output: 1 })).toThrow(ArgumentError);
    expect(() => device.jsKernel(42 as never, { output: 1 })).toThrow(ArgumentError);
    const f = function (this: Thread): number {
      return this.thread.x;
    };
    expect(() => device.jsKernel(f.bind({ thread: { x: 0, y: 0, z: 0 } }), { output: 1 })).toThrow(/bound or native/);
    expect(() => device.jsKernel(f, {} as never)).toThrow(ArgumentError);
    expect(() => device.jsKernel(f, {} as never)).toThrow(/output/);
    expect(() => device.jsKernel(f, undefined as never)).toThrow(ArgumentError);
    expect(() => device.jsKernel(f, { output: 'ten' as never })).toThrow(ArgumentError);
  });
});
