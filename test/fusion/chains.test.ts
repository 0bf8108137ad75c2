/**
 * Fused elementwise chains give the unfused answer bit for bit (the same f32 operations in the same order),
 * and the answer is NumPy's: chains of arithmetic, transcendental functions, comparisons, where, astype,
 * broadcasting and JS scalars, over special values (NaN, ±0, ±Inf, subnormals, f32 extremes) and sizes
 * that reach the edges (1, a workgroup ± 1, a 2-D grid). On both engines the chain is one kernel (Dawn: one
 * WGSL dispatch; gpujs: one JavaScript loop), profile() lists `fused(...)` with its ops, and a loop over new
 * values compiles once. test/fusion/host.test.ts holds the host engine's own bit-level checks.
 */
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { add, astype, divide, exp, floorDivide, fusedSource, less, log1p, maximum, mul, multiply, negative, openDevice, relu, sigmoid, sin, sqrt, square, sub, tanh, where, type DeviceArray, type GpuDevice } from '../../src/index.js';
import { expectAllClose, expectArrayEqual, gpuTest, sharedDevice } from '../fixture.js';
import { numpy, npOut, randomF32, randomI32 } from '../ops/helpers.js';

/** Intermediates a chain made, destroyed after each run (the fixture checks that nothing leaks). */
const made: DeviceArray[] = [];
/** Keeps an intermediate to destroy later; returns it. */
function t(a: DeviceArray): DeviceArray {
  made.push(a);
  return a;
}

/** Runs `chain` with fusion on, then off, and returns both answers (read back as raw bits). */
async function onAndOff(device: GpuDevice, chain: () => DeviceArray): Promise<{ fused: ArrayLike<number>; unfused: ArrayLike<number>; lazy: boolean }> {
  const read = async (a: DeviceArray): Promise<ArrayLike<number>> => {
    const h = await a.toArray();
    a.destroy();
    for (const m of made.splice(0)) m.destroy();
    return h instanceof Float32Array ? new Uint32Array(h.buffer, h.byteOffset, h.length) : h;
  };
  device.backend.setFusion(true);
  const f = chain();
  const lazy = f.pending !== undefined;
  const fused = await read(f);
  device.backend.setFusion(false);
  try {
    const unfused = await read(chain());
    return { fused, unfused, lazy };
  } finally {
    device.backend.setFusion(process.env['GPUKIT_FUSE'] !== '0');
  }
}

/** A fused chain's profile label: Dawn runs this one as its vec4 variant; gpujs has one loop. */
function fusedLabel(device: GpuDevice, ops: string): string {
  return `elementwise|fused(${ops})|f32${device.info.engine === 'dawn' ? '|vec4' : ''}`;
}

/** Kernels compiled so far: Dawn's pipelines, or the host engine's fused loops (see src/backends/host/fusion.ts). */
function compiled(device: GpuDevice): number {
  return device.info.engine === 'dawn' ? device.ctx.syncKernels.size : (device.backend.hostContext?.fusion?.loopsCompiled ?? 0);
}

/** Special f32 values: NaN, ±0, ±Inf, the largest and smallest normal and subnormal, values near 1. */
const SPECIAL = [NaN, 0, -0, Infinity, -Infinity, 3.4028234663852886e38, -3.4028234663852886e38, 1.1754943508222875e-38, 1e-45, -1e-45, 1, -1, 0.5, 1 + 2 ** -23, 88.7, -87.4, 1e-3, -1e-3];

function inputs(n: number, seed: number): Float32Array {
  const a = randomF32(n, seed, -4, 4);
  for (let k = 0; k < Math.min(n, SPECIAL.length); k++) a[k * 7 % n] = SPECIAL[k] ?? 0;
  return a;
}

type Chain = (x: DeviceArray, y: DeviceArray) => DeviceArray;
const CHAINS: Record<string, Chain> = {
  'exp(mul(sub(x, 1), 0.5))': (x) => exp(t(mul(t(sub(x, 1)), 0.5))),
  'six ops: tanh(add(mul(sigmoid(sub(x, y)), y), sqrt(square(x))))': (x, y) => tanh(t(add(t(mul(t(sigmoid(t(sub(x, y)))), y)), t(sqrt(t(square(x))))))),
  'where(less(x, y), log1p(square(x)), negative(relu(y)))': (x, y) => where(t(less(x, y)) as DeviceArray<'bool'>, t(log1p(t(square(x)))), t(negative(t(relu(y))))),
  'a shared operand: mul(s, s) with s = sin(x)': (x) => {
    const s = t(sin(x));
    return add(t(mul(s, s)), s);
  },
  "astype(less(x, 0), 'f32') * x, then maximum with y": (x, y) => maximum(t(multiply(t(astype(t(less(x, 0)), 'f32')), x)), y),
  // A compiler that saw both operands of sub as one value would fold y - y to 0 (Inf - Inf is NaN).
  'the same operand twice: divide(x, sub(y, y))': (x, y) => divide(x, t(sub(y, y))),
  // ... or (x + y) - x to y, and x * y + 1 to one fma: each op rounds on its own, fused or not.
  'no reassociation across ops: sub(add(x, y), x)': (x, y) => sub(t(add(x, y)), x),
  'no contraction across ops: add(mul(x, y), 1)': (x, y) => add(t(mul(x, y)), 1),
};

describe('a fused chain gives the unfused answer bit for bit', () => {
  for (const [name, chain] of Object.entries(CHAINS)) {
    gpuTest(name, async ({ device }) => {
      for (const n of [1, 7, 63, 65, 1000]) {
        using x = device.array(inputs(n, 1 + n));
        using y = device.array(inputs(n, 2 + n).reverse());
        const r = await onAndOff(device, () => chain(x, y));
        expect(r.lazy, 'recorded, not run').toBe(true);
        expectArrayEqual(r.fused, r.unfused);
      }
    });
  }

  gpuTest('broadcasting: a column and a row into a matrix, with scalars on either side', async ({ device }) => {
    using col = device.array(inputs(5, 3), 'f32', [5, 1]);
    using row = device.array(inputs(4, 4), 'f32', [1, 4]);
    const r = await onAndOff(device, () => exp(t(sub(t(mul(2, col)), t(add(row, 0.25))))));
    expectArrayEqual(r.fused, r.unfused);
  });

  gpuTest('i32 chains (the floorDivide body casts to T) and a mixed i32 → f32 chain', async ({ device }) => {
    using a = device.array(randomI32(301, 5, 1 << 20));
    using b = device.array(randomI32(301, 6, 9));
    const ints = await onAndOff(device, () => floorDivide(t(add(t(mul(a, 3)), b)), t(add(b, 10))));
    expectArrayEqual(ints.fused, ints.unfused);
    const mixed = await onAndOff(device, () => sqrt(t(astype(t(floorDivide(a, t(add(b, 10)))), 'f32'))));
    expectArrayEqual(mixed.fused, mixed.unfused);
  });

  gpuTest('a chain of 100 ops (tanh among them) equals the unfused chain', async ({ device }) => {
    using x = device.array(inputs(1024, 9));
    const long = (): DeviceArray => {
      let v: DeviceArray = x;
      for (let k = 0; k < 100; k++) {
        if (k > 0) t(v);
        v = k % 3 === 0 ? mul(v, 0.999) : k % 3 === 1 ? add(v, 0.001) : tanh(v);
      }
      return v;
    };
    const r = await onAndOff(device, long);
    expectArrayEqual(r.fused, r.unfused);
  });
});

describe('operands destroyed before the chain is computed (using intermediates)', () => {
  gpuTest('f32 intermediates destroyed at once: the result still computes from their recordings', async ({ device }) => {
    using x = device.array(inputs(257, 21));
    using y = device.array(inputs(257, 22));
    const make = (): DeviceArray => {
      using d = sub(x, y);
      using s = sigmoid(d);
      return mul(s, y);
    };
    const r = await onAndOff(device, make);
    expectArrayEqual(r.fused, r.unfused);
  });

  gpuTest('an operand that cannot join (an i32 op whose body casts to T under an f32 root) destroyed lazy', async ({ device }) => {
    using a = device.array(randomI32(130, 23, 1 << 20));
    using b = device.array(randomI32(130, 24, 9));
    const make = (): DeviceArray => {
      using c = add(b, 10);
      using q = floorDivide(a, c);
      using f = astype(q, 'f32');
      return sqrt(f);
    };
    const r = await onAndOff(device, make);
    expectArrayEqual(r.fused, r.unfused);
  });
});

describe('NumPy agrees with the fused chain', () => {
  gpuTest('exp((x - m) * s) over (64, 33) with a row m, within exp\'s ULP bound', async ({ device }) => {
    const xh = randomF32(64 * 33, 11, -3, 3);
    const mh = randomF32(33, 12, -1, 1);
    using x = device.array(xh, 'f32', [64, 33]);
    using m = device.array(mh, 'f32', [33]);
    using d = sub(x, m);
    using e = mul(d, 0.75);
    using y = exp(e);
    const ref = npOut(numpy('out["y"] = np.exp((inp["x"].reshape(64, 33) - inp["m"]) * np.float32(0.75))', { x: xh, m: mh }), 'y');
    // exp of an argument |a| ≤ 4: WGSL's exp within 3 + 2|a| ULP; 2^-20 relative covers it.
    expectAllClose(await y.toArray(), ref, 2 ** -20, 0);
  });
});

describe('one kernel per chain on Dawn', () => {
  // These tests turn fusion on themselves: the CI pass with GPUKIT_FUSE=0 runs them too.
  beforeEach(async () => {
    const d = await sharedDevice();
    d?.backend.setFusion(true);
  });
  afterEach(async () => {
    const d = await sharedDevice();
    d?.backend.setFusion(process.env['GPUKIT_FUSE'] !== '0');
  });

  gpuTest('profile() computes and times the chains fn returns unread (before: they ran untimed after it, at the next sync)', async ({ device }) => {
    using x = device.array(inputs(4096, 17));
    await device.sync();
    const made: DeviceArray[] = [];
    const p = await device.profile(() => {
      const d = sub(x, 1);
      const e = mul(d, 0.5);
      made.push(d, e);
      return exp(e);
    });
    using y = p.result;
    for (const m of made) m.destroy();
    expect(y.pending).toBeUndefined();
    expect(p.kernels.map((k) => k.label)).toEqual([fusedLabel(device, 'sub,mul,exp')]);
    // Dawn counts dispatches; gpujs counts the queue's tasks (the op's loop and its failure bookkeeping).
    if (device.info.engine === 'dawn') expect(p.phases.kernel.count).toBe(1);
    expect(p.kernels[0]?.dispatches).toBe(1);
    // And the values are the unfused ones, bit for bit.
    const fused = await y.toArray();
    await using plain = await openDevice({ engine: device.info.engine, fuse: false });
    using px = plain.array(inputs(4096, 17));
    using pd = sub(px, 1);
    using pe = mul(pd, 0.5);
    using py = exp(pe);
    expectArrayEqual(fused, await py.toArray());
  });

  gpuTest('profile() lists one fused kernel with the ops it holds', async ({ device }) => {
    using x = device.array(inputs(4096, 13));
    await device.sync();
    const p = await device.profile(async () => {
      using d = sub(x, 1);
      using e = mul(d, 0.5);
      using y = exp(e);
      return await y.toArray();
    });
    expect(p.kernels.map((k) => k.label)).toEqual([fusedLabel(device, 'sub,mul,exp')]);
    expect(p.kernels[0]?.dispatches).toBe(1);
  });

  gpuTest('fusedSource prints the kernel of a recorded chain, null once computed', async ({ device }) => {
    using x = device.array(inputs(16, 14));
    using d = sub(x, 1);
    using e = mul(d, 0.5);
    using y = exp(e);
    const src = fusedSource(y) ?? '';
    expect(src).toContain("elementwise 'fused(sub,mul,exp)'");
    // One kernel: one WGSL entry point on Dawn, one loop over the elements on gpujs.
    if (device.info.engine === 'dawn') expect(src.match(/@compute/g)?.length).toBe(1);
    else expect(src.match(/for \(let i = 0; i < n; i\+\+\)/g)?.length).toBe(1);
    await y.toArray();
    expect(fusedSource(y)).toBeNull();
  });

  gpuTest('a loop with new scalar values each time compiles the chain once', async ({ device }) => {
    using x = device.array(inputs(256, 15));
    const kernels = (): number => compiled(device);
    const expected = async (s: number): Promise<Float32Array> => {
      device.backend.setFusion(false);
      try {
        using d = sub(x, s);
        using e = mul(d, s / 2);
        using r = exp(e);
        return await r.toArray();
      } finally {
        device.backend.setFusion(true); // on for this describe (see beforeEach)
      }
    };
    const chain = (s: number): DeviceArray => exp(t(mul(t(sub(x, s)), s / 2)));
    using first = chain(0.5);
    await first.toArray();
    for (const m of made.splice(0)) m.destroy();
    const before = kernels();
    for (const s of [1, 2, 3]) {
      using y = chain(s);
      expectArrayEqual(await y.toArray(), await expected(s));
      for (const m of made.splice(0)) m.destroy();
    }
    await device.sync();
    expect(kernels() - before, 'kernels compiled by the loop').toBe(0);
  });

  gpuTest('100 small scalar-operand ops are one dispatch; a loop of them compiles once', async ({ device }) => {
    using x = device.array(inputs(1024, 16));
    const hundred = (): DeviceArray => {
      let v: DeviceArray = x;
      for (let k = 0; k < 50; k++) v = add(t(mul(k > 0 ? t(v) : v, 0.999)), 0.001);
      return v;
    };
    using first = hundred();
    await first.toArray();
    for (const m of made.splice(0)) m.destroy();
    const before = compiled(device);
    const p = await device.profile(async () => {
      using y = hundred();
      await y.toArray();
      for (const m of made.splice(0)) m.destroy();
    });
    expect(p.kernels.map((k) => k.label)).toEqual([`elementwise|fused(${Array(50).fill('mul,add').join(',')})|f32`]);
    expect(p.kernels[0]?.dispatches).toBe(1);
    expect(compiled(device) - before, 'kernels compiled by the second run').toBe(0);
  });

  gpuTest('a chain past the kernel budget (2000 ops) is cut into kernels and equals the unfused chain', async ({ device }) => {
    using x = device.array(inputs(256, 17));
    const long = (): DeviceArray => {
      let v: DeviceArray = x;
      for (let k = 0; k < 2000; k++) {
        if (k > 0) t(v);
        v = k % 2 === 0 ? mul(v, 0.9995) : add(v, 0.0005);
      }
      return v;
    };
    const r = await onAndOff(device, long);
    expectArrayEqual(r.fused, r.unfused);
  });

  gpuTest('a fused result in reused memory (not cleared first) is written at every element, vec4 body and tail', async ({ device }) => {
    for (const n of [1, 7, 1003, 4099]) {
      // Memory of the result's size class, left holding NaN and returned to the pool: the fused output may
      // take it without a clear, so every element must be the kernel's.
      for (let k = 0; k < 3; k++) device.array(new Float32Array(n).fill(NaN)).destroy();
      const xh = Float32Array.from({ length: n }, (_, i) => i * 0.25 - 3);
      using x = device.array(xh);
      using a = mul(x, 2);
      using r = add(a, 1);
      // float64 reference: 2x is exact in f32, then + 1 rounded once.
      expectArrayEqual(await r.toArray(), Float32Array.from(xh, (v) => Math.fround(2 * v + 1)));
    }
  });

  gpuTest('openDevice({ fuse: false }) runs each op at its call', async ({ device }) => {
    const off = await openDevice({ engine: device.info.engine, fuse: false });
    try {
      using x = off.array(new Float32Array([1, 2]));
      using y = exp(x);
      expect(y.pending).toBeUndefined();
      expect(fusedSource(y)).toBeNull();
      expect(off.backend.fusion).toBe(false);
    } finally {
      await off.close();
    }
  });
});
